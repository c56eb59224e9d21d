from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from incidents.models import Necessity, Vocabulary, VocabularyKind
from pupils.models import Pupil
from semh.models import Period, Weekday
from semh.widgets import DateInput

from .models import PlannedPlacement, Reason, Resolution, Room, VisitOutcome, Zone
from .services import aware, school_staff

YES_NO = [("yes", "Yes"), ("no", "No")]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _staff_label(user):
    return user.name


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "is_active"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Room.objects.filter(school=self.school, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError("There is already a room with this name.")
        return name


class DutyForm(forms.Form):
    staff = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Staff on duty today",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = school_staff(school)
        self.fields["staff"].label_from_instance = _staff_label


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["name", "starts_at", "ends_at", "is_learning"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}
        labels = {"is_learning": "Learning time"}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "It must end after it starts.")
        return data


class BasePeriodFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        spans = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self._should_delete_form(form):
                continue
            starts, ends = form.cleaned_data.get("starts_at"), form.cleaned_data.get("ends_at")
            if starts and ends:
                spans.append((starts, ends, form.cleaned_data.get("name")))
        spans.sort()
        for (s1, e1, n1), (s2, _e2, n2) in zip(spans, spans[1:], strict=False):
            if s2 == s1:
                raise forms.ValidationError(f"{n1} and {n2} start at the same time.")
            if s2 < e1:
                raise forms.ValidationError(f"{n1} overlaps {n2}: periods cannot overlap.")


PeriodFormSet = forms.modelformset_factory(
    Period, form=PeriodForm, formset=BasePeriodFormSet, extra=2, can_delete=True
)


class CopyDayForm(forms.Form):
    from_weekday = forms.TypedChoiceField(
        choices=Weekday.choices, coerce=int, label="Copy this day to every weekday"
    )


class PupilPickForm(forms.Form):
    """The pupil chosen in the search-as-you-type picker (rendered by _pupil_picker.html)."""

    pupil = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "required": "Find and choose a pupil.",
            "invalid_choice": "Choose a pupil of this school.",
        },
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = Pupil.objects.filter(school=school).on_roll()


class PlacementForm(forms.ModelForm):
    class Meta:
        model = PlannedPlacement
        fields = ["period", "purpose", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        labels = {"starts_on": "From", "ends_on": "Until"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(school=school).order_by(
            "weekday", "starts_at"
        )
        self.fields["period"].label_from_instance = lambda p: (
            f"{p.get_weekday_display()} {p.name} ({p.starts_at:%H:%M}–{p.ends_at:%H:%M})"
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "It must end on or after the day it starts.")
        return data


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
        self.fields["referred_by"].queryset = school_staff(room.school)
        self.fields["referred_by"].label_from_instance = _staff_label
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = lambda i: (
            f"{timezone.localtime(i.occurred_at):%d/%m %H:%M} · {i.category}"
        )
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


class SeclusionForm(forms.Form):
    """The statutory record's fields for a seclusion (the incident log's restrictive-intervention
    record); ``reset_area.services.build_seclusion_record`` validates them again."""

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
        self.fields["staff_involved"].queryset = school_staff(visit.school_id)
        self.fields["staff_involved"].label_from_instance = _staff_label

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


class LinkIncidentForm(forms.Form):
    incident = forms.ModelChoiceField(queryset=None, label="Which incident?")

    def __init__(self, *args, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = lambda i: (
            f"{timezone.localtime(i.occurred_at):%d/%m %H:%M} · {i.category}"
        )


class ResolveMissingForm(forms.Form):
    resolution = forms.ChoiceField(
        choices=Resolution.choices, widget=forms.RadioSelect, label="What happened?"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DayForm(forms.Form):
    day = forms.DateField(widget=DateInput(), label="Day", required=False)


class DateRangeForm(forms.Form):
    room = forms.ModelChoiceField(queryset=None, required=False, empty_label="All rooms")
    date_from = forms.DateField(widget=DateInput(), label="From", required=False)
    date_to = forms.DateField(widget=DateInput(), label="To", required=False)

    def __init__(self, *args, school, default_range, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(school=school)
        self.fields["date_from"].initial, self.fields["date_to"].initial = default_range
        self.default_range = default_range

    def range(self):
        """The chosen (first, last) days, falling back to the default; at most two years."""
        first, last = self.default_range
        if self.is_valid():
            first = self.cleaned_data.get("date_from") or first
            last = self.cleaned_data.get("date_to") or last
        if last < first:
            first, last = last, first
        if (last - first).days > 731:
            first = last - timedelta(days=731)
        return first, last


def week_start(day):
    return day - timedelta(days=day.weekday())


def parse_day(value, default):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return default
