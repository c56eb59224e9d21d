"""The lead practitioner's figures across the service's schools, hand-counted (the suite's clock:
Wed 25/11/2026; no academic year entered, so this academic year began on 01/09/2026).

Open referrals to Bridges: Alder A1 (exit in 10 days; plan target rated Secure; a note by the
service 3 days ago), A2 (exit in 35 days; target rated Developing; its only note by the service
14 days ago, just outside the fortnight), A3 (exit in exactly 28 days; no plan; a note yesterday
by a teacher, not the service), A5 (exit in 29 days; a note by the service 13 days ago, just
inside); Birch B1 (target never rated; a check-in by the lead today). Ended: B2 (ended by the
school 15/10/2026, specialist placement), B3 (past its planned exit 01/11/2026, transition), A4
(ended 10/07/2026, last academic year: not counted). Another service's open referral in Alder is
not counted anywhere.

So: open 4 + 1 = 5; ending in the next 4 weeks 2 (A1, A3); targets secure 1 of 2 rated (A1 of A1,
A2; the share is hidden under five); no contact in 14 days 2 (A2, A3); ended this year 2 (1
specialist, 1 transition, 0 reintegration).
"""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reports.figures.referrals import ServiceScope, service_headlines
from semh.access import Role, ServiceRole
from tests.factories import PupilFactory
from tests.factories.pupils import (
    DailyNoteFactory,
    OutreachServiceFactory,
    ReferralFactory,
    SupportPlanFactory,
    TargetFactory,
    TargetReviewFactory,
    WellbeingCheckInFactory,
    service_staff,
)

TODAY = datetime.date(2026, 11, 25)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def _plan_with_target(pupil, rating):
    plan = SupportPlanFactory(pupil=pupil)
    target = TargetFactory(plan=plan)
    if rating is not None:
        TargetReviewFactory(target=target, review__plan=plan, rating=rating)
    return plan


@pytest.fixture
def service(cast):
    a, b = cast.school_a, cast.school_b
    with scopes_disabled():
        service = OutreachServiceFactory(name="Bridges Outreach", slug="bridges", schools=[a, b])
        worker = service_staff(service, email="kim@bridges.example")
        lead = service_staff(service, ServiceRole.LEAD_PRACTITIONER, email="dee@bridges.example")
        a1, a2, a3, a4, a5 = (PupilFactory(school=a) for _ in range(5))
        b1, b2, b3 = (PupilFactory(school=b) for _ in range(3))

        def refer(pupil, **fields):
            return ReferralFactory(pupil=pupil, service=service, **fields)

        refer(a1, planned_end_on=days(10), plan=_plan_with_target(a1, 3))
        refer(a2, plan=_plan_with_target(a2, 2))
        refer(a3, planned_end_on=days(28))
        refer(a5, planned_end_on=days(29))
        refer(b1, plan=_plan_with_target(b1, None))
        refer(
            b2,
            starts_on=datetime.date(2026, 9, 10),
            ended_on=datetime.date(2026, 10, 15),
            exit_strategy="specialist",
        )
        refer(
            b3,
            starts_on=datetime.date(2026, 9, 10),
            planned_end_on=datetime.date(2026, 11, 1),
            exit_strategy="transition",
        )
        refer(
            a4,
            starts_on=datetime.date(2026, 3, 1),
            planned_end_on=datetime.date(2026, 8, 1),
            ended_on=datetime.date(2026, 7, 10),
        )
        ReferralFactory(pupil=PupilFactory(school=a), service=OutreachServiceFactory(slug="other"))
        DailyNoteFactory(pupil=a1, on_day=days(-3), recorded_by=worker)
        DailyNoteFactory(pupil=a2, on_day=days(-14), recorded_by=worker)
        DailyNoteFactory(pupil=a3, on_day=days(-1), recorded_by=cast.user(Role.TEACHER))
        DailyNoteFactory(pupil=a5, on_day=days(-13), recorded_by=worker)
        WellbeingCheckInFactory(pupil=b1, recorded_by=lead)
    return {"service": service, "lead": lead, "worker": worker, "schools": [a, b]}


def _figures(service):
    schools = service["schools"]
    with scope(school=schools):
        return {
            f.key: f for f in service_headlines(ServiceScope(service["service"], schools, TODAY))
        }


def test_open_referrals_by_school_and_in_all(service):
    found = _figures(service)["referrals_open"].value

    assert [(row["school"].name, row["count"]) for row in found["by_school"]] == [
        ("Alder School", 4),
        ("Birch School", 1),
    ]
    assert found["total"] == 5


def test_ending_in_the_next_four_weeks_includes_the_28th_day_not_the_29th(service):
    assert _figures(service)["referrals_ending_soon"].value == {"count": 2}


def test_targets_secure_or_achieved_of_referrals_with_rated_targets(service):
    found = _figures(service)["referrals_targets_secure"].value

    assert found == {"secure": 1, "rated": 2, "share": None}  # under five: no percentage


def test_no_contact_counts_only_the_services_own_entries_in_the_last_fourteen_days(service):
    assert _figures(service)["referrals_without_recent_contact"].value == {"count": 2}


def test_ended_this_academic_year_by_exit_strategy(service):
    found = _figures(service)["referrals_ended_by_exit_strategy"].value

    assert [(row["label"], row["count"]) for row in found["rows"]] == [
        ("Reintegration into class", 0),
        ("Specialist placement", 1),
        ("Transition (next phase or another school)", 1),
    ]
    assert found["total"] == 2


def test_the_lead_practitioner_reads_the_figures_at_the_top_of_the_referrals_page(client, service):
    client.force_login(service["lead"])
    page = client.get(reverse("outreach_referrals", args=["bridges"])).content.decode()

    figures = page[page.index("service-figures-h") : page.index("Only pupils with an open")]
    assert "Alder School: 4" in figures and "Birch School: 1" in figures
    assert '<p class="tile-value">5</p>' in figures
    assert "1 of 2" in figures
    assert "Specialist placement: 1" in figures
    assert "from 12/11/2026 to 25/11/2026" in figures  # the fortnight, in UK dates


def test_the_figures_queries_stay_flat_as_referrals_grow(
    client, cast, service, django_assert_max_num_queries
):
    client.force_login(service["lead"])
    url = reverse("outreach_referrals", args=["bridges"])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    with scopes_disabled():
        for school in service["schools"]:
            for _ in range(4):
                pupil = PupilFactory(school=school)
                ReferralFactory(
                    pupil=pupil, service=service["service"], plan=_plan_with_target(pupil, 4)
                )
                DailyNoteFactory(pupil=pupil, recorded_by=service["worker"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert '<p class="tile-value">13</p>' in page
