"""Forms of a visit: check-in, check-out, the seclusion record, the incident link, and the date
range of the metrics pages."""

from datetime import timedelta
from operator import attrgetter

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from incidents.models import Necessity, Vocabulary, VocabularyKind
from pupils.models import Pupil
from semh.selectors import staff_with_roles
from semh.widgets import DateInput, TimeInput

from ..models import PlannedPlacement, Reason, Room, VisitOutcome, Zone, aware
from .placements import EARLIEST_DAY, LATEST_DAY

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
        if placement and pupil and placement.pupil_id != pupil.pk:
            data["placement"] = None
        if data.get("over_capacity") and not data.get("over_capacity_reason", "").strip():
            self.add_error("over_capacity_reason", "Give the reason for going over capacity.")
        if not data.get("over_capacity"):
            data["over_capacity_reason"] = ""
        return data

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

    def check_out_fields(self) -> dict:
        """Keyword arguments for ``services.visits.check_out`` (without the seclusion)."""
        data = self.cleaned_data
        return {
            "left_at": data["left_at"],
            **{k: data[k] for k in ("zone_on_leaving", "outcome", "outcome_note", "notes")},
            "strategies": list(data["strategies"]),
            "free_to_leave": not self.secluded,
        }


class SeclusionForm(forms.Form):
    """The statutory record's fields for a seclusion (the incident log's restrictive-intervention
    record); ``reset_area.services.visits.build_seclusion_record`` validates them again."""

    started_time = forms.TimeField(widget=TimeInput(), label="Prevented from leaving from")
    ended_time = forms.TimeField(widget=TimeInput(), label="Free to leave again at")
    location = forms.CharField(max_length=120)
    staff_involved = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Staff involved"
    )
    what_happened_before = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    deescalation_tried = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="De-escalation tried"
    )
    necessity = forms.MultipleChoiceField(
        choices=Necessity.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Why it was necessary",
    )
    necessity_detail = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why it was necessary, in detail"
    )
    pupil_injured = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Was the pupil injured?"
    )
    staff_injured = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Were staff injured?"
    )
    injuries = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Injuries"
    )
    medical_attention = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Medical attention given"
    )

    def __init__(self, *args, visit, **kwargs):
        kwargs.setdefault("prefix", "seclusion")
        kwargs.setdefault("initial", {"location": visit.room.name})
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields["staff_involved"].queryset = staff_with_roles(visit.school_id)
        self.fields["staff_involved"].label_from_instance = attrgetter("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("started_time"), data.get("ended_time")
        if start and end and end <= start:
            self.add_error("ended_time", "The end must be after the start.")
        injured = "yes" in (data.get("pupil_injured"), data.get("staff_injured"))
        if injured and not data.get("injuries", "").strip():
            self.add_error("injuries", "Describe the injuries.")
        return data

    def record_fields(self) -> dict:
        """Keyword arguments for ``build_seclusion_record``."""
        data = self.cleaned_data
        day = timezone.localdate(self.visit.arrived_at)
        return {
            "started_at": aware(day, data["started_time"]),
            "ended_at": aware(day, data["ended_time"]),
            "location": data["location"],
            "staff_involved": list(data["staff_involved"]),
            "what_happened_before": data["what_happened_before"],
            "deescalation_tried": data["deescalation_tried"],
            "necessity": data["necessity"],
            "necessity_detail": data["necessity_detail"],
            "pupil_injured": data["pupil_injured"] == "yes",
            "staff_injured": data["staff_injured"] == "yes",
            "injuries": data.get("injuries", ""),
            "medical_attention": data.get("medical_attention", ""),
        }


# Where a service's error about a seclusion field belongs on the form.
SECLUSION_FIELDS = {"started_at": "started_time", "ended_at": "ended_time"}


def attach_errors(error, form, seclusion):
    """Put a service's validation errors on the form fields they concern."""
    for key, messages in error.message_dict.items():
        name = SECLUSION_FIELDS.get(key, key)
        target = seclusion if name in seclusion.fields else form
        target.add_error(name if name in target.fields else None, messages)


class LinkIncidentForm(forms.Form):
    incident = forms.ModelChoiceField(queryset=None, label="Which incident?")

    def __init__(self, *args, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = _incident_label


PLAUSIBLE_DAY = [MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)]


class DateRangeForm(forms.Form):
    room = forms.ModelChoiceField(queryset=None, required=False, empty_label="All rooms")
    date_from = forms.DateField(
        widget=DateInput(), label="From", required=False, validators=PLAUSIBLE_DAY
    )
    date_to = forms.DateField(
        widget=DateInput(), label="To", required=False, validators=PLAUSIBLE_DAY
    )

    def __init__(self, *args, school, default_range, **kwargs):
        """``default_range``: a ``semh.calendar.DateRange`` (the school's default)."""
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(school=school)
        self.fields["date_from"].initial = default_range.start
        self.fields["date_to"].initial = default_range.end
        self.default_range = default_range

    def range(self):
        """The chosen (first, last) days, falling back to the default; at most two years."""
        first, last = self.default_range.start, self.default_range.end
        if self.is_valid():
            first = self.cleaned_data.get("date_from") or first
            last = self.cleaned_data.get("date_to") or last
        if last < first:
            first, last = last, first
        if (last - first).days > 731:
            first = last - timedelta(days=731)
        return first, last

    def chosen_room(self):
        return self.cleaned_data.get("room") if self.is_bound and self.is_valid() else None
