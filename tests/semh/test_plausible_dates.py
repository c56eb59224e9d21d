"""One set of plausible-date rules (semh.calendar), by kind of date, used by every form and by the
MIS import: a typo such as 0001-01-01 or 9999-12-31 is refused on its field, nothing saved."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.forms.amend import IncidentAmendmentForm
from incidents.forms.log import IncidentForm
from incidents.forms.restrictive import DebriefForm, ParentReportForm
from incidents.forms.review import FollowUpActionForm
from incidents.models import Incident, RestrictiveIntervention
from pupils.forms.contacts import AgencyForm, MeetingActionForm, MeetingForm, ParentContactForm
from pupils.forms.plans import NextCycleForm, PlanForm, PlanReviewForm
from pupils.forms.records import ArchiveForm, PupilForm
from pupils.mis import BadValue, clean_date_of_birth
from pupils.models import Meeting, Pupil
from reset_area.forms.placements import PlacementForm
from semh.access import Role
from semh.calendar import DATE_OF_BIRTH, EVENT_DATE, PLACEMENT_DATE, PLAN_DATE, ROLL_DATE
from semh.models import User
from tests.conftest import SUITE_DAY
from tests.urlconf_world import build_objects

NO_STAFF = User.objects.none()
# Forms' own date checks (and every "… is in the future"), more precise than the plausible
# range where both apply.
OWN_CHECKS = {
    "A review cannot be recorded before it is held.",
    "The next review must be after today.",
}


@pytest.fixture
def world(cast):
    with scopes_disabled():
        return build_objects(cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT))


def make_forms(cast, world):
    """Every form with a date of a plausible-date kind: (form class, build it from data, fields)."""
    school, senco = cast.school_a, cast.user(Role.SENCO)
    incident = Incident.objects.get(pk=world["incident_id"])
    intervention = RestrictiveIntervention.objects.get(pk=world["intervention_id"])
    return [
        (
            lambda d: PupilForm(d, school=school, can_set_safeguarding=False),
            {"date_of_birth": DATE_OF_BIRTH, "on_roll_from": ROLL_DATE},
        ),
        (lambda d: ArchiveForm(d), {"left_on": ROLL_DATE}),
        (
            lambda d: ParentContactForm(d),
            {"contacted_at": EVENT_DATE, "follow_up_due": PLAN_DATE},
        ),
        (lambda d: AgencyForm(d), {"referred_on": EVENT_DATE}),
        (lambda d: MeetingForm(d, staff=NO_STAFF), {"held_on": EVENT_DATE}),
        (lambda d: MeetingActionForm(d, staff=NO_STAFF), {"due_on": PLAN_DATE}),
        (
            lambda d: PlanForm(d, staff=NO_STAFF),
            {
                "starts_on": PLAN_DATE,
                "next_review_on": PLAN_DATE,
                "agreed_with_parents_on": PLAN_DATE,
            },
        ),
        (lambda d: PlanReviewForm(d, targets=[]), {"held_on": EVENT_DATE}),
        (lambda d: NextCycleForm(d), {"next_review_on": PLAN_DATE}),
        (
            lambda d: IncidentForm(d, school=school, actor=senco, pupils=Pupil.objects.none()),
            {"occurred_at": EVENT_DATE},
        ),
        (
            lambda d: IncidentAmendmentForm(d, school=school, instance=incident),
            {"occurred_at": EVENT_DATE},
        ),
        (lambda d: FollowUpActionForm(d, staff=NO_STAFF), {"due_on": PLAN_DATE}),
        (
            lambda d: ParentReportForm(d, school=school, instance=intervention),
            {"reported_at": EVENT_DATE, "local_authority_reported_at": EVENT_DATE},
        ),
        (
            lambda d: DebriefForm(d, instance=intervention),
            {"pupil_debrief_at": EVENT_DATE, "staff_debrief_at": EVENT_DATE},
        ),
        (
            lambda d: PlacementForm(d, school=school),
            {"starts_on": PLACEMENT_DATE, "ends_on": PLACEMENT_DATE},
        ),
    ]


def as_input(form, name, day):
    widget = form.fields[name].widget
    return f"{day:%Y-%m-%d}T10:00" if widget.input_type == "datetime-local" else f"{day:%Y-%m-%d}"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1900, 1, 1)])
def test_every_form_refuses_an_implausible_date_on_its_field(cast, world, day):
    with scope(school=cast.school_a):
        for build, rules in make_forms(cast, world):
            blank = build(None)
            data = {name: as_input(blank, name, day) for name in rules}
            form = build(data)
            assert not form.is_valid()
            for name, rule in rules.items():
                errors = form.errors.get(name, [])
                # A field's own, more precise check wins ("The next review must be after
                # today"), and year 1 may already not be a valid date: refused either way.
                assert errors, f"{type(form).__name__}.{name} took {day}"
                own_check = day.year == 1 or any(e in OWN_CHECKS or "future" in e for e in errors)
                assert rule.message() in errors or own_check, errors


def test_the_bounds_are_said_in_uk_dates_relative_to_today():
    assert DATE_OF_BIRTH.message() == "Enter a date of birth between 25/11/1996 and 25/11/2026."
    assert EVENT_DATE.bounds() == (date(2006, 11, 25), SUITE_DAY)
    assert PLAN_DATE.bounds()[1] == date(2031, 11, 25)


def test_a_plausible_date_of_each_kind_passes():
    for rule in (DATE_OF_BIRTH, EVENT_DATE, PLAN_DATE, ROLL_DATE, PLACEMENT_DATE):
        first, last = rule.bounds()
        assert rule.allows(first) and rule.allows(last)
        assert not rule.allows(first - timedelta(days=1))
        assert not rule.allows(last + timedelta(days=1))


@pytest.mark.parametrize("text", ["01/01/0001", "31/12/9999", "01/01/1990", "26/11/2026"])
def test_the_mis_import_refuses_a_date_of_birth_the_forms_refuse(text):
    with pytest.raises(BadValue, match="Enter a date of birth between"):
        clean_date_of_birth(text)


def test_a_meeting_in_9999_shows_the_message_and_saves_nothing(client, cast, world):
    client.force_login(cast.user(Role.SENCO))
    url = reverse(
        "pupils:meeting_create",
        kwargs={"school_slug": cast.school_a.slug, "pupil_id": world["pupil_id"]},
    )
    response = client.post(url, {"kind": "pastoral", "held_on": "9999-12-31"})
    assert response.status_code == 200
    assert EVENT_DATE.message() in response.content.decode()
    with scopes_disabled():
        assert Meeting.objects.filter(held_on__year=9999).count() == 0
