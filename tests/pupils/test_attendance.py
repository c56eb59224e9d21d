"""Attendance figures (rate, persistent and severe absence at their DfE boundaries, cohorts) and
the pupil page's Attendance section."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from pupils.attendance import (
    cohort_figures,
    cohorts_by,
    is_persistent,
    is_severe,
    percent,
    pupil_figures,
    rate_of,
)
from pupils.models import ContactAbout, ParentContact, PrimaryNeed, Pupil, SenStatus
from semh.access import Role
from tests.factories.pupils import AttendanceRecordFactory

MONDAY = datetime.date(2026, 9, 7)


def weeks(pupil, count, present=10, possible=10, first=MONDAY):
    for i in range(count):
        start = first + datetime.timedelta(weeks=i)
        AttendanceRecordFactory(
            pupil=pupil,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=4),
            possible=possible,
            present=present,
            authorised=possible - present,
        )


@pytest.mark.parametrize(
    ("present", "possible", "persistent", "severe"),
    [
        (900, 1000, True, False),  # 90.0%: missed exactly 10% — IS persistently absent
        (901, 1000, False, False),  # 90.1%: not
        (500, 1000, True, True),  # 50.0%: missed exactly 50% — IS severely absent
        (501, 1000, True, False),  # 50.1%: persistent, not severe
        (1000, 1000, False, False),
        (0, 10, True, True),
        (0, 0, False, False),  # no possible sessions: no flag
    ],
)
def test_persistent_and_severe_absence_boundaries(present, possible, persistent, severe):
    assert is_persistent(present, possible) is persistent
    assert is_severe(present, possible) is severe


def test_rate_is_present_over_possible_shown_to_one_decimal():
    assert percent(rate_of(9, 10)) == "90.0%"
    assert percent(rate_of(901, 1000)) == "90.1%"
    assert percent(rate_of(2, 3)) == "66.7%"
    assert percent(rate_of(0, 0)) == "—"


@pytest.mark.django_db
def test_pupil_figures_sum_the_records_overlapping_the_range(cast):
    pupil = cast.pupils_a[0]
    weeks(pupil, 3, present=9)  # 07/09, 14/09, 21/09
    with scopes_disabled():
        figures = pupil_figures(pupil, datetime.date(2026, 9, 10), datetime.date(2026, 9, 15))
    assert (figures.present, figures.possible) == (18, 20)  # the first two weeks overlap
    assert figures.rate_shown == "90.0%" and figures.persistent and not figures.severe


@pytest.mark.django_db
def test_cohort_figures_by_year_sen_and_semh_need(cast):
    with scopes_disabled():
        a, b, c = cast.pupils_a[:3]
        Pupil.objects.filter(pk=a.pk).update(year_group=7, sen_status=SenStatus.NONE)
        Pupil.objects.filter(pk=b.pk).update(
            year_group=7, sen_status=SenStatus.SEN_SUPPORT, primary_need=PrimaryNeed.SEMH
        )
        Pupil.objects.filter(pk=c.pk).update(year_group=8, sen_status=SenStatus.EHCP)
        weeks(a, 2, present=10)
        weeks(b, 2, present=9)  # 90%: persistent
        weeks(c, 2, present=4)  # 40%: severe
        pupils = Pupil.objects.filter(pk__in=[a.pk, b.pk, c.pk])
        start, end = datetime.date(2026, 9, 1), datetime.date(2026, 11, 25)

        everyone = cohort_figures(pupils, start, end)
        by_year = {f.label: f for f in cohorts_by(pupils, start, end, "year_group")}
        by_sen = {f.label: f for f in cohorts_by(pupils, start, end, "sen_status")}
        by_semh = {f.label: f for f in cohorts_by(pupils, start, end, "semh")}

    assert (everyone.pupils, everyone.present, everyone.possible) == (3, 46, 60)
    assert (everyone.persistent, everyone.severe) == (2, 1)
    assert everyone.rate_shown == "76.7%"
    assert by_year["Year 7"].rate_shown == "95.0%" and by_year["Year 7"].persistent == 1
    assert by_year["Year 8"].severe == 1
    assert (
        by_sen["SEN support"].persistent == 1
        and by_sen["No special educational need"].persistent == 0
    )
    assert by_semh["SEMH need"].pupils == 1 and by_semh["No SEMH need"].pupils == 2


def pupil_url(pupil):
    return reverse("pupils:detail", args=[pupil.school.slug, pupil.pk])


@pytest.mark.parametrize("role", [Role.SENCO, Role.DSL, Role.ASSISTANT])
def test_pupil_page_shows_attendance_rates_and_flags(cast, login, role):
    pupil = cast.caseload[0]
    weeks(pupil, 10, present=8)  # 80%: persistent, not severe
    client = login(cast.user(role))

    page = client.get(pupil_url(pupil)).content.decode()

    assert 'id="attendance"' in page and "80.0%" in page
    assert "Persistently absent" in page and "Severely absent" not in page
    assert "?about=attendance" in page


def test_pupil_page_says_when_there_is_no_attendance(cast, login):
    page = login(cast.user(Role.SENCO)).get(pupil_url(cast.pupils_a[0])).content.decode()
    assert "No attendance imported for this pupil yet." in page


def test_severe_absence_is_flagged_on_the_pupil_page(cast, login):
    pupil = cast.pupils_a[0]
    weeks(pupil, 4, present=5)
    page = login(cast.user(Role.SENCO)).get(pupil_url(pupil)).content.decode()
    assert "Severely absent" in page and "50.0%" in page


def test_pupil_page_queries_are_flat_for_2_or_40_weeks(cast, login, django_assert_max_num_queries):
    few, many = cast.pupils_a[0], cast.pupils_a[1]
    weeks(few, 2)
    weeks(many, 40, first=datetime.date(2025, 9, 1))
    client = login(cast.user(Role.SENCO))
    client.get(pupil_url(few))  # warm caches (session, school)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(pupil_url(few))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(pupil_url(many))


def test_attendance_contact_link_prefills_the_reason(cast, login):
    pupil = cast.pupils_a[0]
    client = login(cast.user(Role.SENCO))
    url = reverse("pupils:contact_create", args=[cast.school_a.slug, pupil.pk])

    form = client.get(url + "?about=attendance").content.decode()
    assert '<option value="attendance" selected>' in form
    assert (
        '<option value="general" selected>' in client.get(url + "?about=nonsense").content.decode()
    )

    client.post(
        url,
        {
            "contacted_at": "25/11/2026 09:00",
            "about": "attendance",
            "method": "phone",
            "with_whom": "Mum",
            "summary": "Talked about mornings.",
        },
    )
    with scope(school=cast.school_a):
        assert ParentContact.objects.get(pupil=pupil).about == ContactAbout.ATTENDANCE


def test_demo_attendance_is_mostly_good_with_a_few_persistent_and_one_severe(cast):
    import random

    from pupils.attendance import per_pupil
    from pupils.demo import seed_attendance
    from tests.factories import PupilFactory

    with scopes_disabled():
        pupils = cast.pupils_a + PupilFactory.create_batch(3, school=cast.school_a)
        staff = {Role.SENCO: cast.user(Role.SENCO)}
        seed_attendance(pupils=pupils, staff=staff, rng=random.Random("t"))
        seed_attendance(pupils=pupils, staff=staff, rng=random.Random("t"))  # once only
        rows = per_pupil(
            Pupil.objects.filter(pk__in=[p.pk for p in pupils]),
            datetime.date(2026, 9, 1),
            datetime.date(2026, 11, 25),
        ).values_list("att_present", "att_possible")
        rows = list(rows)
    assert all(possible == 120 for _, possible in rows)  # 12 weeks, 10 sessions each
    assert sum(is_severe(*r) for r in rows) == 1
    assert 1 <= sum(is_persistent(*r) and not is_severe(*r) for r in rows) <= 3
    assert sum(not is_persistent(*r) for r in rows) >= 4


def test_a_contact_posted_without_a_reason_is_general(cast, login):
    pupil = cast.pupils_a[0]
    client = login(cast.user(Role.SENCO))
    url = reverse("pupils:contact_create", args=[cast.school_a.slug, pupil.pk])
    client.post(
        url,
        {
            "contacted_at": "25/11/2026 09:00",
            "method": "phone",
            "with_whom": "Dad",
            "summary": "Hi",
        },
    )
    with scope(school=cast.school_a):
        assert ParentContact.objects.get(pupil=pupil).about == ContactAbout.GENERAL


def test_pupil_page_charts_the_rate_of_each_period_with_the_persistent_absence_line(cast, login):
    pupil = cast.pupils_a[0]
    weeks(pupil, 2, present=10)
    weeks(pupil, 1, present=7, first=MONDAY + datetime.timedelta(weeks=2))

    page = login(cast.user(Role.SENCO)).get(pupil_url(pupil)).content.decode()

    figure = page[page.index('<figure class="chart-figure') : page.index("</figure>")]
    assert 'tabindex="0"' in figure
    assert 'aria-label="Attendance rate per period, latest periods"' in figure
    assert "<title" in figure and "Attendance rate per period</title>" in figure
    assert "07/09: 100%; 14/09: 100%; 21/09: 70%" in figure  # the chart's description, oldest first
    assert 'stroke-dasharray="6 4"' in figure and "90%: persistent absence" in figure


def test_pupil_page_has_no_attendance_chart_for_a_single_period(cast, login):
    pupil = cast.pupils_a[0]
    weeks(pupil, 1, present=9)

    page = login(cast.user(Role.SENCO)).get(pupil_url(pupil)).content.decode()

    assert "90.0%" in page and "Attendance rate per period" not in page
