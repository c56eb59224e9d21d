"""Every rule of the statutory restrictive-intervention record, for restraint and seclusion alike.

Each test runs for both kinds, through the service (``record_restrictive_intervention``) and
through the form (``RestrictiveInterventionForm``), with the window each path passes: a restraint
the incident it happened in, a seclusion its Reset Area visit (from arrival to departure, as the
Reset Area passes it). The seclusion is also driven once through the real Reset Area check-out
page, which must refuse what the service refuses, in the same words.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scope, scopes_disabled

from incidents.forms.restrictive import DebriefForm, RestrictiveInterventionForm
from incidents.models import InterventionKind, RestrictiveIntervention
from incidents.services.restrictive import record_restrictive_intervention
from pupils.models import SupportPlan
from reset_area.models import Reason, Zone
from reset_area.services.visits import check_in
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.conftest import SUITE_DAY, at
from tests.factories.incidents import (
    IncidentFactory,
    RestrictiveInterventionFactory,
    school_vocabulary,
)
from tests.factories.reset_area import RoomFactory

RESTRAINT, SECLUSION = InterventionKind.RESTRAINT, InterventionKind.SECLUSION
KINDS = [RESTRAINT, SECLUSION]


class Setting:
    """Where a record of ``kind`` is made: its pupil, who records it, its window and path."""

    def __init__(self, cast, kind, *, start=(9, 30), end=(10, 0)):
        self.cast, self.kind = cast, kind
        self.school, self.pupil = cast.school_a, cast.caseload[0]
        self.actor, self.colleague = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
        self.vocab = school_vocabulary(self.school)
        self.hold = self.vocab["hold"][1]
        self.incident = None
        if kind == RESTRAINT:
            with scopes_disabled():
                self.incident = IncidentFactory(
                    school=self.school,
                    reported_by=self.actor,
                    pupils=[self.pupil],
                    occurred_at=at(SUITE_DAY, *start),
                )
            # The incident's window: from an hour before its time to two hours after.
            occurred = at(SUITE_DAY, *start)
            hour = datetime.timedelta(hours=1)
            self.window = (occurred - hour, occurred + 2 * hour)
        else:
            # The Reset Area passes the visit's arrival and departure (check-out) times.
            self.window = (at(SUITE_DAY, *start), at(SUITE_DAY, *end))

    def values(self, **changes) -> dict:
        """A complete record, 09:40–09:50, as the service takes it."""
        values = {
            "started_at": at(SUITE_DAY, 9, 40),
            "ended_at": at(SUITE_DAY, 9, 50),
            "location": "Corridor by the hall",
            "staff_involved": [self.actor, self.colleague],
            "holds": [self.hold] if self.kind == RESTRAINT else [],
            "what_happened_before": "Kicking the door, then ran at a younger pupil",
            "deescalation_tried": "Calm voice, offered choices, moved the other pupils",
            "necessity": ["injury_others"],
            "necessity_detail": "About to hit a Year 7 pupil with a chair",
            "pupil_injured": False,
            "staff_injured": False,
            "support_offered": "Debrief with the pupil tomorrow at 08:45",
        }
        return {**values, **changes}

    def record(self, **changes):
        path = (
            {"incident": self.incident}
            if self.kind == RESTRAINT
            else {"window_start": self.window[0], "window_end": self.window[1]}
        )
        with scope(school=self.school):
            return record_restrictive_intervention(
                actor=self.actor,
                school=self.school,
                kind=self.kind,
                pupil=self.pupil,
                **path,
                **self.values(**changes),
            )

    def refused(self, **changes) -> dict:
        with pytest.raises(ValidationError) as refused:
            self.record(**changes)
        with scopes_disabled():
            assert not RestrictiveIntervention.objects.exists()
        return {field: messages[0] for field, messages in refused.value.message_dict.items()}

    def posted(self, **changes) -> dict:
        """What the page posts for ``values(**changes)``."""
        values = self.values(**changes)
        prefix = "rpi" if self.kind == RESTRAINT else "seclusion"
        data = {}
        for name, value in values.items():
            key = {"started_at": "started_time", "ended_at": "ended_time"}.get(name, name)
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).strftime("%H:%M")
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif isinstance(value, list):
                value = [getattr(v, "pk", v) for v in value]
            elif value is None:
                continue
            data[f"{prefix}-{key}"] = value
        return data

    def form(self, **changes):
        """The form, bound to what the page would post for ``values(**changes)``."""
        data = self.posted(**changes)
        with scope(school=self.school):
            if self.kind == RESTRAINT:
                form = RestrictiveInterventionForm(
                    data, kind=self.kind, school=self.school, actor=self.actor
                )
                form.for_incident({"occurred_at": self.incident.occurred_at})
            else:
                form = RestrictiveInterventionForm(
                    data, kind=self.kind, school=self.school, actor=self.actor, window=self.window
                )
            form.is_valid()
        return form


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


@pytest.fixture
def place(cast, kind, clock):
    clock.set(SUITE_DAY, 11, 0)
    return Setting(cast, kind)


def form_errors(form) -> dict:
    return {name: errors[0] for name, errors in form.errors.items()}


# A complete record -----------------------------------------------------------------------------


def test_a_complete_record_is_saved_with_its_audit_row(place, kind):
    record = place.record()

    assert record.kind == kind and record.pupil == place.pupil
    assert record.incident == place.incident
    assert record.recorded_by == place.actor
    assert record.minutes == 10
    with scopes_disabled():
        assert set(record.staff_involved.all()) == {place.actor, place.colleague}
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.RESTRICTIVE_CREATE)
    assert event.detail["kind"] == kind and event.detail["pupil"] == str(place.pupil.pk)
    assert place.form().is_valid()


def test_every_required_part_of_the_record_is_asked_for(place, kind):
    blank = {
        "staff_involved": [],
        "started_at": None,
        "ended_at": None,
        "location": "",
        "what_happened_before": "",
        "deescalation_tried": "",
        "necessity": [],
        "necessity_detail": "",
        "pupil_injured": None,
        "staff_injured": None,
        "support_offered": "",
    }

    refused = place.refused(**blank)
    errors = form_errors(place.form(**blank))

    assert set(refused) == set(blank)
    assert errors["started_time"] == refused["started_at"]
    assert errors["what_happened_before"] == refused["what_happened_before"]
    assert errors["staff_involved"] == refused["staff_involved"]
    if kind == RESTRAINT:
        assert refused["started_at"] == "Give the time force started."
    else:
        assert refused["started_at"] == "Give the time the pupil was first prevented from leaving."


def test_a_restraint_names_its_holds_a_seclusion_need_not(place, kind):
    if kind == RESTRAINT:
        assert place.refused(holds=[]) == {"holds": "Tick the holds or techniques used."}
        assert form_errors(place.form(holds=[])) == {"holds": "Tick the holds or techniques used."}
    else:
        assert place.record(holds=[]).pk


# Injuries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["pupil_injured", "staff_injured"])
def test_an_injury_needs_the_injuries_and_the_medical_attention_recorded(place, who):
    injured = {who: True, "body_map": ["arm_left"]}

    refused = place.refused(**injured)
    errors = form_errors(place.form(**injured))

    assert refused == {
        "injuries": "Describe the injuries.",
        "medical_attention": "Say what medical attention was given (or 'none needed').",
    }
    assert errors == refused
    described = {**injured, "injuries": "Red mark", "medical_attention": "First aider, ice"}
    assert place.record(**described).medical_attention == "First aider, ice"


def test_a_hurt_pupil_is_marked_on_the_body_map(place):
    hurt = {"pupil_injured": True, "injuries": "Red mark", "medical_attention": "Ice pack"}

    assert place.refused(**hurt) == {"body_map": "Mark on the body map where the pupil was hurt."}
    assert form_errors(place.form(**hurt)) == {
        "body_map": "Mark on the body map where the pupil was hurt."
    }
    assert place.record(**hurt, body_map=["hand_left"]).body_map == ["hand_left"]


# The positive handling plan --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "linked"), [("draft", False), ("closed", False), ("active", True)]
)
def test_only_an_active_positive_handling_plan_is_linked(place, cast, status, linked):
    with scopes_disabled():
        plan = SupportPlan.objects.create(
            pupil=place.pupil,
            kind="positive_handling",
            status=status,
            starts_on=datetime.date(2026, 9, 7),
            owner=cast.user(Role.SENCO),
            created_by=cast.user(Role.SENCO),
        )

    record = place.record()

    assert record.positive_handling_plan == (plan if linked else None)


# Times -----------------------------------------------------------------------------------------


def test_times_outside_the_window_are_refused(place, kind):
    late = {"started_at": at(SUITE_DAY, 10, 50), "ended_at": at(SUITE_DAY, 10, 55)}
    if kind == RESTRAINT:
        late = {"started_at": at(SUITE_DAY, 8, 10), "ended_at": at(SUITE_DAY, 8, 20)}

    refused = place.refused(**late)
    errors = form_errors(place.form(**late))

    what = "during the incident" if kind == RESTRAINT else "during the Reset Area visit"
    assert set(refused) == {"started_at", "ended_at"} and what in refused["started_at"]
    assert errors == {"started_time": refused["started_at"], "ended_time": refused["ended_at"]}


def test_a_hold_at_midnight_for_an_evening_incident_is_refused_then_and_the_next_day(
    cast, kind, clock
):
    """The issue's case: 23:50–23:58 recorded for an incident (or a visit) at 18:45."""
    clock.set(SUITE_DAY, 18, 55)
    place = Setting(cast, kind, start=(18, 45), end=(18, 55))
    midnight = {"started_at": at(SUITE_DAY, 23, 50), "ended_at": at(SUITE_DAY, 23, 58)}

    assert place.refused(**midnight) == dict.fromkeys(
        ["started_at", "ended_at"], "That is in the future: check the time."
    )
    clock.set(SUITE_DAY + datetime.timedelta(days=1), 9, 0)
    refused = place.refused(**midnight)
    assert set(refused) == {"started_at", "ended_at"}
    assert refused["started_at"].startswith("That is not during the")
    assert form_errors(place.form(**midnight)) == {
        "started_time": refused["started_at"],
        "ended_time": refused["ended_at"],
    }


def test_the_end_must_come_after_the_start(place):
    backwards = {"started_at": at(SUITE_DAY, 9, 50), "ended_at": at(SUITE_DAY, 9, 45)}

    assert place.refused(**backwards) == {"ended_at": "The end time must be after the start time."}
    assert form_errors(place.form(**backwards)) == {
        "ended_time": "The end time must be after the start time."
    }


# Holds -----------------------------------------------------------------------------------------


def test_other_describe_needs_a_description(place):
    other = next(h for h in place.vocab["hold"] if h.label == "Other (describe)")

    assert place.refused(holds=[other]) == {
        "other_hold": "Describe the other hold or technique used."
    }
    assert form_errors(place.form(holds=[other])) == {
        "other_hold": "Describe the other hold or technique used."
    }
    record = place.record(holds=[other], other_hold="Held the door closed with a foot")
    assert record.other_hold == "Held the door closed with a foot"


def test_holds_and_staff_come_from_the_recording_school(place, cast):
    other_school = school_vocabulary(cast.school_b)["hold"][0]
    outsider = cast.user(Role.ASSISTANT, "b")

    assert place.refused(holds=[other_school]) == {
        "holds": "Choose holds or techniques from this school's list."
    }
    assert place.refused(staff_involved=[outsider]) == {
        "staff_involved": "Choose staff of this school."
    }


# The staff list --------------------------------------------------------------------------------


def test_the_person_recording_is_listed_first_and_ticked(place):
    with scope(school=place.school):
        form = RestrictiveInterventionForm(
            kind=place.kind, school=place.school, actor=place.actor, window=place.window
        )
        staff = list(form.fields["staff_involved"].queryset)

    assert staff[0] == place.actor and len(staff) > 1
    assert form["staff_involved"].value() == [place.actor.pk]
    html = str(form["staff_involved"])
    assert f'value="{place.actor.pk}" id="id_{form.prefix}-staff_involved_0" checked' in html


# Debriefs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["pupil", "staff"])
def test_a_debrief_time_in_the_future_gives_one_clear_error(place, kind, part):
    with scopes_disabled():
        record = RestrictiveInterventionFactory(
            kind=kind, pupil=place.pupil, recorded_by=place.actor, staff=[place.actor]
        )
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)

    for notes in ("", "He said the corridor was too loud."):
        form = DebriefForm(
            {
                f"{part}_debrief_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
                f"{part}_debrief_notes": notes,
            },
            instance=record,
        )

        assert not form.is_valid()
        assert form.errors == {f"{part}_debrief_at": ["That time is in the future."]}


# The seclusion through the Reset Area's check-out page ------------------------------------------

# Each case: the changes to the complete record, and the fields the page fills in from the visit
# when left blank (the room as the place, why the pupil came as what happened before).
THROUGH_CHECK_OUT = {
    "complete": {},
    "every part blank": {
        "staff_involved": [],
        "started_at": None,
        "ended_at": None,
        "location": "",
        "what_happened_before": "",
        "deescalation_tried": "",
        "necessity": [],
        "necessity_detail": "",
        "pupil_injured": None,
        "staff_injured": None,
        "support_offered": "",
    },
    "injured": {"staff_injured": True},
    "hurt pupil": {"pupil_injured": True, "injuries": "Red mark", "medical_attention": "Ice"},
    "after leaving": {"started_at": at(SUITE_DAY, 10, 50), "ended_at": at(SUITE_DAY, 10, 55)},
    "backwards": {"started_at": at(SUITE_DAY, 9, 50), "ended_at": at(SUITE_DAY, 9, 45)},
    "other hold": "other",
}
CARRIED_FROM_THE_VISIT = {"location", "what_happened_before"}


@pytest.mark.parametrize("case", THROUGH_CHECK_OUT)
def test_a_seclusion_through_the_reset_area_check_out_follows_the_same_rules(
    cast, client, login, clock, case
):
    clock.set(SUITE_DAY, 11, 0)
    place = Setting(cast, SECLUSION)  # the visit: 09:30 to 10:00
    changes = THROUGH_CHECK_OUT[case]
    if changes == "other":
        changes = {"holds": [next(h for h in place.vocab["hold"] if "(describe)" in h.label)]}
    expected = place.refused(**changes) if changes else {}
    with scopes_disabled():
        room = RoomFactory(school=place.school, name="The Hub")
        visit = check_in(
            actor=place.actor,
            school=place.school,
            room=room,
            pupil=place.pupil,
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.RED,
            at=place.window[0],
        )
    login(place.actor)

    response = client.post(
        reverse("reset_area:check_out", args=[place.school.slug, visit.pk]),
        {
            "left_time": "10:00",
            "zone_on_leaving": "green",
            "outcome": "returned",
            "free_to_leave": "no",
            **place.posted(**changes),
        },
    )

    with scopes_disabled():
        visit.refresh_from_db()
        record = RestrictiveIntervention.objects.first()
    if not expected:
        assert response.status_code == 302
        assert visit.restrictive_intervention == record and record.kind == SECLUSION
        assert record.incident is None and record.minutes == 10
        with scopes_disabled():
            actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {AuditAction.RESTRICTIVE_CREATE, AuditAction.RESET_CHECK_OUT} <= actions
        return
    page = response.content.decode()
    assert response.status_code == 200 and record is None and visit.is_open
    for field, text in expected.items():
        if field in CARRIED_FROM_THE_VISIT:
            assert escape(text) not in page, field  # filled in from the visit, not asked again
        else:
            assert escape(text) in page, field
