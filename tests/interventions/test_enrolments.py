"""Enrolments: a pupil put into a group (refusing a pupil already in it, another school's pupil,
another pupil's target and dates outside the group's run), their consent (given needs a date)
and review, and who may see them; an enrolment made from a plan target shows on the plan."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from interventions.models import Consent, Enrolment
from interventions.services.enrolments import enrol_pupil, update_enrolment
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.interventions import EnrolmentFactory, GroupFactory, ProgrammeFactory
from tests.factories.pupils import SupportPlanFactory, TargetFactory


def url(name, school, *args):
    return reverse(f"interventions:{name}", args=[school.slug, *args])


@pytest.fixture
def group(cast, clock):
    """Runs from 12/10/2026 to 14/12/2026 (the suite's today is 25/11/2026)."""
    with scopes_disabled():
        return GroupFactory(
            programme=ProgrammeFactory(school=cast.school_a),
            name="Thursday Thrive",
            lead=cast.user(Role.ASSISTANT),
            starts_on=date(2026, 10, 12),
            planned_end_on=date(2026, 12, 14),
        )


def enrol(cast, group, pupil, **kwargs):
    values = {"starts_on": date(2026, 11, 2), "reason": "Worries at playtime", **kwargs}
    with scopes_disabled():
        return enrol_pupil(
            actor=cast.user(Role.SENCO), school=cast.school_a, group=group, pupil=pupil, **values
        )


def refusal(cast, group, pupil, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        enrol(cast, group, pupil, **kwargs)
    return error.value.message_dict


def test_a_pupil_already_open_in_the_group_is_refused(cast, group):
    enrol(cast, group, cast.pupils_a[0])

    assert "already in the group" in refusal(cast, group, cast.pupils_a[0])["pupil"][0]


def test_a_pupil_who_left_the_group_may_join_it_again(cast, group):
    first = enrol(cast, group, cast.pupils_a[0])
    with scopes_disabled():
        update_enrolment(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            enrolment=first,
            ends_on=date(2026, 11, 9),
            exit_outcome="Moved school",
        )
    again = enrol(cast, group, cast.pupils_a[0], starts_on=date(2026, 11, 16))

    with scopes_disabled():
        assert Enrolment.objects.filter(group=group, pupil=cast.pupils_a[0]).count() == 2
    assert again.ends_on is None


def test_a_pupil_of_another_school_is_refused(cast, group):
    assert "this school" in refusal(cast, group, cast.pupils_b[0])["pupil"][0]


def test_a_target_of_another_pupils_plan_is_refused(cast, group):
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=cast.pupils_a[1], owner=cast.user(Role.SENCO))
        target = TargetFactory(plan=plan)

    errors = refusal(cast, group, cast.pupils_a[0], target=target)

    assert "another pupil's plan" in errors["target"][0]


@pytest.mark.parametrize("starts_on", [date(2026, 10, 11), date(2026, 12, 15)])
def test_a_start_outside_the_groups_run_is_refused(cast, group, starts_on):
    errors = refusal(cast, group, cast.pupils_a[0], starts_on=starts_on)

    assert "12/10/2026 to 14/12/2026" in errors["starts_on"][0]


def test_consent_given_needs_a_date_and_any_other_answer_clears_it(cast, group):
    assert (
        "date consent"
        in refusal(cast, group, cast.pupils_a[0], consent=Consent.GIVEN)["consent_given_on"][0]
    )
    enrolment = enrol(
        cast, group, cast.pupils_a[0], consent=Consent.GIVEN, consent_given_on=date(2026, 11, 3)
    )
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        update_enrolment(
            actor=senco, school=cast.school_a, enrolment=enrolment, consent=Consent.DECLINED
        )
        enrolment.refresh_from_db()
        assert enrolment.consent_given_on is None
        with pytest.raises(ValidationError):
            update_enrolment(
                actor=senco, school=cast.school_a, enrolment=enrolment, consent=Consent.GIVEN
            )


def test_the_senco_records_consent_review_and_exit_on_the_form(client, login, cast, group):
    enrolment = enrol(cast, group, cast.pupils_a[0], consent=Consent.AWAITING)
    login(cast.user(Role.SENCO))
    edit = url("enrolment_edit", cast.school_a, cast.pupils_a[0].pk, enrolment.pk)
    data = {
        "starts_on": "2026-11-02",
        "reason": "Worries at playtime",
        "consent": "given",
        "review_score": "1",
        "review_decision": "continue",
        "reviewed_on": "2026-11-23",
    }

    no_date = client.post(edit, data)
    saved = client.post(edit, {**data, "consent_given_on": "2026-11-04"})
    detail = client.get(saved["Location"]).content.decode()

    assert no_date.status_code == 200 and "Enter the date consent was given" in (
        no_date.content.decode()
    )
    assert saved.status_code == 302
    with scopes_disabled():
        enrolment.refresh_from_db()
        assert (enrolment.consent, enrolment.consent_given_on) == ("given", date(2026, 11, 4))
        assert enrolment.review_score == 1 and enrolment.review_decision == "continue"
        assert AuditEvent.objects.filter(action=AuditAction.ENROLMENT_UPDATE).count() == 1
    assert "+1 More progress than expected" in detail
    assert "given on 04/11/2026: sessions held before that day do not count" in detail


def test_the_senco_enrols_a_pupil_found_by_name(client, login, cast, group):
    pupil = cast.pupils_a[2]
    login(cast.user(Role.SENCO))

    found = client.get(url("enrol_pupil_search", cast.school_a), {"q": pupil.legal_last_name})
    made = client.post(
        url("enrol", cast.school_a),
        {
            "group": group.pk,
            "pupil": pupil.pk,
            "starts_on": "2026-11-23",
            "reason": "Struggles to settle after lunch",
            "consent": "awaiting",
        },
    )

    assert pupil.full_name in found.content.decode()
    assert made.status_code == 302
    with scopes_disabled():
        enrolment = Enrolment.objects.get(group=group, pupil=pupil)
    assert made["Location"] == url("enrolment_detail", cast.school_a, pupil.pk, enrolment.pk)
    page = client.get(made["Location"]).content.decode()
    assert "do not count towards" in page and "until consent is given" in page


def test_an_enrolment_outside_the_assistants_caseload_is_not_found(client, login, cast, group):
    """The cast assistant may open pupils_a[0] (caseload), not pupils_a[3]."""
    with scopes_disabled():
        mine = EnrolmentFactory(group=group, pupil=cast.pupils_a[0])
        not_mine = EnrolmentFactory(group=group, pupil=cast.pupils_a[3])
    login(cast.user(Role.ASSISTANT))

    assert (
        client.get(url("enrolment_detail", cast.school_a, cast.pupils_a[0].pk, mine.pk)).status_code
        == 200
    )
    assert (
        client.get(
            url("enrolment_detail", cast.school_a, cast.pupils_a[3].pk, not_mine.pk)
        ).status_code
        == 404
    )
    # The right enrolment under another pupil's address is not found either.
    assert (
        client.get(
            url("enrolment_detail", cast.school_a, cast.pupils_a[0].pk, not_mine.pk)
        ).status_code
        == 404
    )


def test_another_schools_enrolment_is_not_found(client, login, cast):
    with scopes_disabled():
        other = EnrolmentFactory(
            group=GroupFactory(programme=ProgrammeFactory(school=cast.school_b)),
            pupil=cast.pupils_b[0],
        )
    login(cast.user(Role.SENCO))

    response = client.get(url("enrolment_detail", cast.school_a, cast.pupils_b[0].pk, other.pk))

    assert response.status_code == 404


def test_an_enrolment_made_from_a_plan_target_shows_on_the_plan(client, login, cast, group):
    pupil, senco = cast.pupils_a[0], cast.user(Role.SENCO)
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=pupil, owner=senco, created_by=senco)
        target = TargetFactory(plan=plan, description="Names three feelings", position=0)
    login(senco)
    plan_page = client.get(
        reverse("pupils:plan_detail", args=[cast.school_a.slug, pupil.pk, plan.pk])
    ).content.decode()
    form = client.get(url("enrol", cast.school_a), {"target": target.pk}).content.decode()

    made = client.post(
        url("enrol", cast.school_a),
        {
            "group": group.pk,
            "pupil": pupil.pk,
            "target": target.pk,
            "starts_on": "2026-11-23",
            "reason": "Names three feelings",
            "consent": "given",
            "consent_given_on": "2026-11-20",
        },
    )
    section = client.get(
        url("plan_enrolments", cast.school_a, pupil.pk, plan.pk), HTTP_HX_REQUEST="true"
    ).content.decode()

    enrol_link = f"{url('enrol', cast.school_a)}?target={target.pk}"
    assert enrol_link in plan_page
    assert url("plan_enrolments", cast.school_a, pupil.pk, plan.pk) in plan_page
    assert pupil.full_name in form and 'name="q"' not in form  # the pupil is fixed
    assert "For the target on their plan: “Names three feelings”" in form
    assert made.status_code == 302
    assert "Thursday Thrive" in section and "Names three feelings" in section
    with scopes_disabled():
        assert Enrolment.objects.get(pupil=pupil).target == target
        assert AuditEvent.objects.filter(action=AuditAction.PUPIL_INTERVENTIONS_VIEW).exists()


def test_sessions_before_consent_do_not_count(cast, group):
    from interventions.models import SessionAttendance
    from tests.factories.interventions import SessionAttendanceFactory, SessionFactory

    with scopes_disabled():
        enrolment = EnrolmentFactory(
            group=group,
            pupil=cast.pupils_a[0],
            starts_on=date(2026, 10, 12),
            consent=Consent.GIVEN,
            consent_given_on=date(2026, 10, 20),
        )
        for day in (date(2026, 10, 15), date(2026, 10, 22), date(2026, 10, 29)):
            SessionAttendanceFactory(
                session=SessionFactory(group=group, held_on=day), enrolment=enrolment
            )

        assert SessionAttendance.objects.filter(enrolment=enrolment).count() == 3
        assert SessionAttendance.objects.filter(enrolment=enrolment).counted().count() == 2


def test_enrolments_end_after_they_start(cast, group):
    enrolment = enrol(cast, group, cast.pupils_a[0])
    with scopes_disabled(), pytest.raises(ValidationError):
        update_enrolment(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            enrolment=enrolment,
            ends_on=enrolment.starts_on - timedelta(days=1),
        )
