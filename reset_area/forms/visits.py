"""Forms of a visit: check-in, check-out, the seclusion record (the incidents app's one
restrictive-intervention form, set up for the visit), the incident link, and the date range of the
metrics pages."""

from datetime import timedelta
from operator import attrgetter

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.forms.restrictive import RestrictiveInterventionForm
from incidents.models import InterventionKind, Vocabulary, VocabularyKind
from pupils.models import Pupil
from semh.forms import DateRangeForm as BaseDateRangeForm
from semh.selectors import staff_with_roles
from semh.widgets import TimeInput

from ..models import (
    INCIDENT_REASONS,
    REFERRED_BY_REASONS,
    PlannedPlacement,
    Reason,
    Room,
    VisitOutcome,
    Zone,
    aware,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _incident_label(incident):
    return f"{timezone.localtime(incident.occurred_at):%d/%m %H:%M} · {incident.category}"


class CheckInForm(forms.Form):
    pupil = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    placement = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=Reason.choices, widget=forms.RadioSelect)
    referred_by = forms.ModelChoiceField(
        queryset=None, required=False, label="Referred by", empty_label="Not recorded"
    )
    incident = forms.ModelChoiceField(
        queryset=None, required=False, label="Which incident?", empty_label="Not logged yet"
    )
    zone_on_arrival = forms.ChoiceField(choices=Zone.choices, label="Zone on arrival")
    over_capacity = forms.BooleanField(required=False, label="Check in over capacity")
    over_capacity_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why it is safe to"
    )

    def __init__(self, *args, room, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = Pupil.objects.filter(school=room.school).on_roll()
        self.fields["placement"].queryset = PlannedPlacement.objects.filter(room=room)
        self.fields["referred_by"].queryset = staff_with_roles(room.school)
        self.fields["referred_by"].label_from_instance = attrgetter("name")
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = _incident_label
        self.fields["zone_on_arrival"].error_messages["required"] = (
            "Tap the zone the pupil is in to check them in."
        )

    def clean(self):
        data = super().clean()
        # Referred by and the incident are asked for but not required: a pupil in crisis is
        # checked in first, and the incident is often logged afterwards.
        pupil, placement = data.get("pupil"), data.get("placement")
        if data.get("reason") not in REFERRED_BY_REASONS:
            data["referred_by"] = None
        if data.get("reason") not in INCIDENT_REASONS:
            data["incident"] = None
        if placement and pupil and placement.pupil_id != pupil.pk:
            data["placement"] = None
        if data.get("over_capacity") and not data.get("over_capacity_reason", "").strip():
            self.add_error("over_capacity_reason", "Give the reason for going over capacity.")
        if not data.get("over_capacity"):
            data["over_capacity_reason"] = ""
        return data

    # For the page's script (static/js/show-when.js): the reasons each field applies to.
    referred_by_reasons = " ".join(REFERRED_BY_REASONS)
    incident_reasons = " ".join(INCIDENT_REASONS)

    def check_in_fields(self) -> dict:
        """Keyword arguments for ``services.visits.check_in``."""
        fields = ("pupil", "reason", "zone_on_arrival", "referred_by", "incident", "placement")
        return {
            **{k: self.cleaned_data[k] for k in fields},
            "over_capacity_reason": self.cleaned_data["over_capacity_reason"],
        }


class CheckOutForm(forms.Form):
    left_time = forms.TimeField(widget=TimeInput(), label="Time they left")
    zone_on_leaving = forms.ChoiceField(
        choices=Zone.choices, widget=forms.RadioSelect, label="Zone on leaving"
    )
    strategies = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Strategies that helped",
    )
    outcome = forms.ChoiceField(choices=VisitOutcome.choices, widget=forms.RadioSelect)
    outcome_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Outcome note"
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Anything else"
    )
    free_to_leave = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
        label="Was the pupil free to leave at all times?",
        help_text="No means seclusion: you will record it below (a statutory record).",
    )

    def __init__(self, *args, visit, at, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.day = timezone.localdate(visit.arrived_at)
        if self.day == timezone.localdate(at) and not self.is_bound:
            self.fields["left_time"].initial = timezone.localtime(at).strftime("%H:%M")
        self.at = at
        self.fields["strategies"].queryset = (
            Vocabulary.objects.filter(school=visit.school_id).active().of(VocabularyKind.STRATEGY)
        )

    def clean(self):
        data = super().clean()
        left_time = data.get("left_time")
        if left_time is not None:
            left_at = aware(self.day, left_time)
            arrived = self.visit.arrived_at
            if arrived - timedelta(minutes=1) < left_at < arrived:
                left_at = arrived  # the same minute they arrived
            if left_at < arrived:
                self.add_error("left_time", "They cannot leave before they arrived.")
            elif left_at > self.at + timedelta(minutes=1):
                self.add_error("left_time", "That time has not happened yet.")
            data["left_at"] = left_at
        if data.get("outcome") == VisitOutcome.OTHER and not data.get("outcome_note", "").strip():
            self.add_error("outcome_note", "Say what happened.")
        return data

    @property
    def secluded(self):
        return self.data.get(self.add_prefix("free_to_leave")) == "no"

    def seclusion_form(self, *, school, actor, carried):
        """The seclusion's record on this page (bound only when the pupil was not free to
        leave): its window ends at the time they left (now until that is typed), and
        de-escalation tried, left blank, is the strategies ticked here. Call after
        ``is_valid``."""
        data = getattr(self, "cleaned_data", {})
        ticked = "; ".join(s.label for s in data.get("strategies") or [])
        form = seclusion_form(
            self.data if self.is_bound and self.secluded else None,
            visit=self.visit,
            school=school,
            actor=actor,
            until=data.get("left_at") or self.at,
            carried={**carried, "deescalation_tried": ticked},
        )
        form.fields["deescalation_tried"].help_text = AT_CHECK_OUT_HINT
        return form

    def check_out_fields(self) -> dict:
        """Keyword arguments for ``services.visits.check_out`` (without the seclusion)."""
        data = self.cleaned_data
        return {
            "left_at": data["left_at"],
            **{k: data[k] for k in ("zone_on_leaving", "outcome", "outcome_note", "notes")},
            "strategies": list(data["strategies"]),
            "free_to_leave": not self.secluded,
        }


# What the seclusion record says in the Reset Area about the values the visit fills in.
SECLUSION_HINTS = {
    "location": "The room, unless they were kept somewhere else.",
    "what_happened_before": "Filled in from the visit: add what happened just before they were "
    "prevented from leaving.",
    "deescalation_tried": "Filled in from the strategies ticked at check-out: add to it or "
    "change it.",
}
AT_CHECK_OUT_HINT = "Left blank, the strategies ticked above are used: add to them or change them."


def seclusion_form(data=None, *, visit, school, actor, until, carried):
    """The incidents app's one restrictive-intervention form as the seclusion of ``visit``: kind
    seclusion (prefix "seclusion"), its times within the visit (arrival to ``until``: when they
    left, or now while they are still in), the person recording first in the staff list and
    ticked. ``carried`` (``{"what_happened_before"|"deescalation_tried": text}``) and the room's
    name as the place are filled in, editable, and used when left blank: nothing the visit
    already says is asked again."""
    carried = {"location": visit.room.name, **carried}
    form = RestrictiveInterventionForm(
        data,
        kind=InterventionKind.SECLUSION,
        school=school,
        actor=actor,
        window=(visit.arrived_at, until),
        carried=carried,
        initial={name: text for name, text in carried.items() if text},
    )
    for name, hint in SECLUSION_HINTS.items():
        form.fields[name].help_text = hint
    return form


def add_check_out_errors(error, form, seclusion) -> None:
    """Put a ``ValidationError`` from ``check_out`` on the check-out form (its own fields) or on
    the seclusion record (the record's, in the restrictive-intervention service's names)."""
    for name, texts in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, texts)
        else:
            seclusion.add_service_errors(ValidationError({name: texts}))


class LinkIncidentForm(forms.Form):
    incident = forms.ModelChoiceField(queryset=None, label="Which incident?")

    def __init__(self, *args, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = _incident_label


class DateRangeForm(BaseDateRangeForm):
    """The Reset Area figures' range, and a room (or all rooms)."""

    room = forms.ModelChoiceField(queryset=None, required=False, empty_label="All rooms")
    field_order = ["room", "date_from", "date_to"]

    def __init__(self, *args, school, default_range, **kwargs):
        super().__init__(*args, default_range=default_range, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(school=school)

    def chosen_room(self):
        return self.cleaned_data.get("room") if self.is_bound and self.is_valid() else None
