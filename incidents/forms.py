"""The incident log form: the incident (ABC), and, when force was used, its restraint record.

``IncidentLog`` validates the two together (the restraint's times take the incident's date). The
forms only validate; ``incidents.services.record_incident`` writes.
"""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.http import QueryDict
from django.utils import timezone

from incidents.models import (
    BodyRegion,
    Necessity,
    Outcome,
    ParentsInformed,
    Severity,
    SuspensionReason,
    Vocabulary,
    VocabularyKind,
)
from pupils.models import Pupil
from semh.access import PUPIL_FACING_ROLES
from semh.models import Period
from semh.selectors import staff_with_roles
from semh.widgets import DateTimeInput

YES_NO = [("yes", "Yes"), ("no", "No")]
# Fields that hold what was typed but are not part of the record (the picker's search box).
NOT_DRAFTED = {"csrfmiddlewaretoken", "q"}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def vocabulary(school, kind):
    return Vocabulary.objects.filter(school=school).of(kind).active()


def pupils_to_record_for(school):
    """Every on-roll pupil of the school: recorders may log for any of them (DESIGN.md §2)."""
    return Pupil.objects.filter(school=school).on_roll()


def staff_choices(school, reporter):
    """The school's staff who work with pupils, the person recording first."""
    first = Case(When(pk=reporter.pk, then=Value(0)), default=Value(1))
    return staff_with_roles(school, PUPIL_FACING_ROLES).order_by(first, "first_name", "last_name")


def current_suspension_reasons(on=None):
    day = on or timezone.localdate()
    return SuspensionReason.objects.filter(valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def check_outcome_and_parents(form, data):
    """The rules a logged or amended incident shares: a suspension has its days and DfE reason
    (anything else has neither), "other" says what, and parents informed (or not) says how."""
    if data.get("outcome") == Outcome.SUSPENSION:
        if not data.get("suspension_days"):
            form.add_error("suspension_days", "Give the number of days of suspension.")
        if not data.get("suspension_reason"):
            form.add_error("suspension_reason", "Choose the DfE reason for the suspension.")
    else:
        data["suspension_days"], data["suspension_reason"] = None, None
    if data.get("outcome") == Outcome.OTHER and not data.get("outcome_notes"):
        form.add_error("outcome_notes", "Say what the outcome was.")
    informed = data.get("parents_informed")
    if informed and not data.get("parents_informed_detail"):
        form.add_error(
            "parents_informed_detail",
            "Say who was told, when and how."
            if informed == ParentsInformed.YES
            else "Say why parents or carers have not been told yet, and when they will be.",
        )


class IncidentForm(forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    primary_pupil = forms.ModelChoiceField(
        queryset=Pupil.objects.none(),
        label="Pupil",
        error_messages={"required": "Choose the pupil this incident is about."},
    )
    other_pupils = forms.ModelMultipleChoiceField(
        queryset=Pupil.objects.none(), required=False, label="Other pupils involved"
    )
    occurred_at = forms.DateTimeField(
        label="When", widget=DateTimeInput(), error_messages={"required": "Say when it happened."}
    )
    location = forms.ModelChoiceField(
        queryset=Vocabulary.objects.none(),
        label="Where",
        empty_label="Choose a place…",
        error_messages={"required": "Say where it happened."},
    )
    period = forms.ModelChoiceField(
        queryset=Period.objects.none(),
        required=False,
        label="Lesson / period",
        empty_label="Not in a timetabled period",
        error_messages={"invalid_choice": "Choose a period of that day, or leave it blank."},
    )
    category = forms.ModelChoiceField(
        queryset=Vocabulary.objects.none(),
        label="What kind of incident",
        empty_label="Choose a category…",
        error_messages={"required": "Choose a category."},
    )
    severity = forms.TypedChoiceField(
        choices=Severity.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how serious it was."},
    )
    trigger = forms.ModelChoiceField(
        queryset=Vocabulary.objects.none(),
        required=False,
        label="Trigger",
        empty_label="Not known",
    )
    antecedent = forms.CharField(
        label="What happened just before",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    behaviour = forms.CharField(
        label="What you saw and heard",
        help_text="Facts only: what was said and done, by whom.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe what you saw and heard."},
    )
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say what happened next."},
    )
    outcome_notes = forms.CharField(label="Outcome notes", required=False)
    suspension_days = forms.DecimalField(
        label="Suspension days",
        required=False,
        min_value=0.5,
        max_value=45,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    suspension_reason = forms.ModelChoiceField(
        queryset=SuspensionReason.objects.none(),
        required=False,
        label="DfE reason",
        empty_label="Choose the DfE reason…",
    )
    strategies = forms.ModelMultipleChoiceField(
        queryset=Vocabulary.objects.none(),
        required=False,
        label="De-escalation tried",
        widget=forms.CheckboxSelectMultiple,
    )
    staff_involved = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Staff involved",
        widget=forms.CheckboxSelectMultiple,
    )
    witnesses = forms.CharField(
        required=False, help_text="Names of other witnesses, pupils or adults."
    )
    parents_informed = forms.ChoiceField(
        label="Parents / carers informed?",
        choices=ParentsInformed.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether parents or carers have been told."},
    )
    parents_informed_detail = forms.CharField(
        label="Who, when and how — or why not yet",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    force_used = forms.BooleanField(label="Force / restraint was used", required=False)
    safeguarding = forms.BooleanField(label="This is a safeguarding concern", required=False)
    concern = forms.CharField(
        label="The concern",
        required=False,
        help_text="Only the DSLs and you will be able to read this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, school, reporter, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        pupils = pupils_to_record_for(school)
        self.fields["primary_pupil"].queryset = pupils
        self.fields["other_pupils"].queryset = pupils
        self.fields["location"].queryset = vocabulary(school, VocabularyKind.LOCATION)
        self.fields["category"].queryset = vocabulary(school, VocabularyKind.CATEGORY)
        self.fields["trigger"].queryset = vocabulary(school, VocabularyKind.TRIGGER)
        self.fields["strategies"].queryset = vocabulary(school, VocabularyKind.STRATEGY)
        self.fields["suspension_reason"].queryset = current_suspension_reasons()
        self.fields["staff_involved"].queryset = staff_choices(school, reporter)
        self.fields["staff_involved"].label_from_instance = lambda user: user.name
        periods = Period.objects.filter(school=school)
        self.fields["period"].queryset = periods.on(self.weekday())
        self.fields["period"].label_from_instance = lambda p: (
            f"{p.name} · {p.starts_at:%H:%M}–{p.ends_at:%H:%M}"
        )

    def raw(self, name):
        """The value as typed (bound) or as offered (initial), for rendering helpers."""
        field = self.fields[name]
        if self.is_bound:
            return field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.get_initial_for_field(field, name)

    def weekday(self) -> int:
        """The weekday of the 'when' value, so the period list matches the day."""
        value = self.raw("occurred_at")
        try:
            moment = self.fields["occurred_at"].clean(value) if value else None
        except ValidationError:
            moment = None
        return timezone.localtime(moment or timezone.now()).weekday()

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError("That is in the future: check the date and time.")
        return value

    def clean(self):
        data = super().clean()
        primary = data.get("primary_pupil")
        if primary and data.get("other_pupils"):
            data["other_pupils"] = [p for p in data["other_pupils"] if p.pk != primary.pk]
        check_outcome_and_parents(self, data)
        if data.get("safeguarding") and not data.get("concern"):
            self.add_error("concern", "Describe the safeguarding concern.")
        if not data.get("safeguarding"):
            data["concern"] = ""
        return data


class RestraintForm(forms.Form):
    """The statutory record of restraint (DfE 'Restrictive interventions' guidance, 2026)."""

    staff_involved = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        label="Staff who held the pupil",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick every member of staff who held the pupil."},
    )
    started_time = forms.TimeField(
        label="Force started at",
        widget=TimeInput(),
        error_messages={"required": "Give the time force started."},
    )
    ended_time = forms.TimeField(
        label="Force ended at",
        widget=TimeInput(),
        error_messages={"required": "Give the time force ended."},
    )
    location = forms.CharField(
        label="Where force was used",
        required=False,
        max_length=120,
        help_text="Leave blank if it is where the incident happened.",
    )
    holds = forms.ModelMultipleChoiceField(
        queryset=Vocabulary.objects.none(),
        label="Holds or techniques used",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick the holds or techniques used."},
    )
    what_happened_before = forms.CharField(
        label="What happened before force was used",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe what happened before force was used."},
    )
    deescalation_tried = forms.CharField(
        label="De-escalation tried first",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the de-escalation tried before force was used."},
    )
    necessity = forms.MultipleChoiceField(
        label="Why force was necessary",
        choices=Necessity.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one reason force was necessary."},
    )
    necessity_detail = forms.CharField(
        label="Explain why it was necessary",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Explain why force was necessary."},
    )
    pupil_injured = forms.TypedChoiceField(
        label="Was the pupil injured?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the pupil was injured."},
    )
    staff_injured = forms.TypedChoiceField(
        label="Was any member of staff injured?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether any member of staff was injured."},
    )
    injuries = forms.CharField(
        label="Injuries", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body_map = forms.MultipleChoiceField(
        label="Where the pupil was hurt",
        choices=BodyRegion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    medical_attention = forms.CharField(
        label="Medical attention given",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    support_offered = forms.CharField(
        label="Support offered afterwards",
        help_text="To the pupil and to staff: debriefs held or planned, who and when.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what support was offered afterwards, or is planned."},
    )

    def __init__(self, *args, school, reporter, **kwargs):
        kwargs.setdefault("prefix", "rpi")
        super().__init__(*args, **kwargs)
        self.fields["staff_involved"].queryset = staff_choices(school, reporter)
        self.fields["staff_involved"].label_from_instance = lambda user: user.name
        self.fields["holds"].queryset = vocabulary(school, VocabularyKind.HOLD)
        # Set by IncidentLog before validation: the incident's cleaned 'when' and 'where'.
        self.incident_data: dict = {}

    def clean(self):
        data = super().clean()
        occurred_at = self.incident_data.get("occurred_at")
        start, end = data.get("started_time"), data.get("ended_time")
        if occurred_at and start and end:
            day = timezone.localtime(occurred_at).date()
            data["started_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ended_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
            if data["ended_at"] <= data["started_at"]:
                self.add_error("ended_time", "The end time must be after the start time.")
        if not data.get("location"):
            where = self.incident_data.get("location")
            if where:
                data["location"] = where.label
            else:
                self.add_error("location", "Say where force was used.")
        injured = data.get("pupil_injured") or data.get("staff_injured")
        if injured and not data.get("injuries"):
            self.add_error("injuries", "Describe the injuries.")
        if injured and not data.get("medical_attention"):
            self.add_error(
                "medical_attention", "Say what medical attention was given (or 'none needed')."
            )
        if data.get("pupil_injured") and not data.get("body_map"):
            self.add_error("body_map", "Mark on the body map where the pupil was hurt.")
        if not data.get("pupil_injured"):
            data["body_map"] = []
        return data

    def record(self) -> dict:
        """What ``record_incident`` needs for the restraint record."""
        data = self.cleaned_data
        fields = [
            "started_at",
            "ended_at",
            "location",
            "what_happened_before",
            "deescalation_tried",
            "necessity",
            "necessity_detail",
            "pupil_injured",
            "staff_injured",
            "injuries",
            "body_map",
            "medical_attention",
            "support_offered",
        ]
        return {
            **{name: data[name] for name in fields},
            "staff_involved": list(data["staff_involved"]),
            "holds": list(data["holds"]),
        }


class IncidentLog:
    """The incident form and its restraint form, filled, validated and restored as one."""

    def __init__(self, data=None, *, school, reporter, initial=None, restraint_initial=None):
        self.incident = IncidentForm(data, school=school, reporter=reporter, initial=initial)
        self.restraint = RestraintForm(
            data, school=school, reporter=reporter, initial=restraint_initial
        )

    @classmethod
    def from_draft(cls, saved: dict, *, school, reporter, key):
        """An unbound form showing exactly what was typed into a saved draft."""
        data = _querydict(saved)
        blank = cls(school=school, reporter=reporter)
        incident, restraint = (
            _typed_values(form, data) for form in (blank.incident, blank.restraint)
        )
        incident["submission_key"] = str(key)
        return cls(school=school, reporter=reporter, initial=incident, restraint_initial=restraint)

    @property
    def force_used(self) -> bool:
        return bool(self.incident.raw("force_used"))

    @property
    def safeguarding(self) -> bool:
        return bool(self.incident.raw("safeguarding"))

    def is_valid(self) -> bool:
        valid = self.incident.is_valid()
        if not self.force_used:
            return valid
        self.restraint.incident_data = self.incident.cleaned_data
        return self.restraint.is_valid() and valid

    @property
    def error_count(self) -> int:
        forms_ = [self.incident] + ([self.restraint] if self.force_used else [])
        return sum(len(form.errors) for form in forms_ if form.is_bound)

    def errors(self):
        """(field id, message) for the error summary at the top of the page."""
        forms_ = [self.incident] + ([self.restraint] if self.force_used else [])
        for form in forms_:
            if not form.is_bound:
                continue
            for name, messages in form.errors.items():
                anchor = form[name].auto_id if name in form.fields else "incident-form"
                for message in messages:
                    yield anchor, message

    def record_kwargs(self) -> dict:
        """Keyword arguments for ``incidents.services.record_incident``."""
        data = self.incident.cleaned_data
        details = [
            "occurred_at",
            "location",
            "period",
            "category",
            "severity",
            "trigger",
            "antecedent",
            "behaviour",
            "outcome",
            "outcome_notes",
            "suspension_days",
            "suspension_reason",
            "witnesses",
            "parents_informed",
            "parents_informed_detail",
        ]
        return {
            "submission_key": data["submission_key"],
            "primary_pupil": data["primary_pupil"],
            "other_pupils": list(data["other_pupils"]),
            "details": {name: data[name] for name in details},
            "strategies": list(data["strategies"]),
            "staff_involved": list(data["staff_involved"]),
            "restraint": self.restraint.record() if self.force_used else None,
            "concern": data["concern"],
        }


def draft_data(post) -> dict:
    """What to keep of a POST as a draft: every typed value, as lists (a QueryDict's shape)."""
    return {key: values for key, values in post.lists() if key not in NOT_DRAFTED}


def _querydict(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def _typed_values(form, data) -> dict:
    """The raw values ``data`` holds for ``form``'s fields, as initial values for its widgets."""
    values = {}
    for name, field in form.fields.items():
        html_name = form.add_prefix(name)
        if html_name in data or isinstance(field.widget, forms.CheckboxInput):
            values[name] = field.widget.value_from_datadict(data, {}, html_name)
    return values
