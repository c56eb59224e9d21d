"""The incident log form: the incident (ABC) and, when force was used, its restraint record.

``IncidentLog`` validates the two together: the restraint's times fall in the incident's window,
and what the incident already says (what happened just before, the de-escalation ticked, where)
is not asked again. The forms only validate; ``incidents.services.log.record_incident`` writes.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from incidents.forms.common import (
    check_outcome_and_parents,
    current_suspension_reasons,
    vocabulary,
)
from incidents.forms.restrictive import RestrictiveInterventionForm
from incidents.models import (
    InterventionKind,
    Outcome,
    ParentsInformed,
    Severity,
    SuspensionReason,
    Vocabulary,
    VocabularyKind,
    is_in_future,
)
from incidents.selectors import pupils_to_record_for, recording_staff
from pupils.models import Pupil
from semh.calendar import EVENT_DATE, PlausibleDates
from semh.models import Period
from semh.widgets import DateTimeInput, mark_required

# Fields that hold what was typed but are not part of the record (the picker's search box).
NOT_DRAFTED = {"csrfmiddlewaretoken", "q"}
# Strategies shown before "more" when the pupil's profile names none of the school's.
FIRST_STRATEGIES = 4


class IncidentForm(PlausibleDates, forms.Form):
    date_rules = {"occurred_at": EVENT_DATE}
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
        label="When",
        widget=DateTimeInput(),
        error_messages={"required": "Say when it happened."},
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
    not_yet_reason = forms.ChoiceField(
        label="When they will be told",
        required=False,
        choices=[
            ("Will tell them at pick-up today", "At pick-up today"),
            ("Will phone them after school today", "By phone after school today"),
            ("Could not reach them yet: will try again today", "Could not reach them yet"),
        ],
        widget=forms.RadioSelect,
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

    def __init__(self, *args, school, actor, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.actor = school, actor
        mark_required(self.fields["parents_informed_detail"])
        self.fields["primary_pupil"].queryset = pupils
        self.fields["other_pupils"].queryset = pupils
        self.fields["location"].queryset = vocabulary(school, VocabularyKind.LOCATION)
        self.fields["category"].queryset = vocabulary(school, VocabularyKind.CATEGORY)
        self.fields["trigger"].queryset = vocabulary(school, VocabularyKind.TRIGGER)
        self.fields["strategies"].queryset = vocabulary(school, VocabularyKind.STRATEGY)
        self.fields["suspension_reason"].queryset = current_suspension_reasons()
        self.fields["staff_involved"].queryset = recording_staff(school, first=actor)
        self.fields["staff_involved"].label_from_instance = lambda user: user.name
        periods = Period.objects.filter(school=school)
        self.fields["period"].queryset = periods.on(self.weekday())
        self.fields["period"].label_from_instance = lambda p: (
            f"{p.name} · {p.starts_at:%H:%M}–{p.ends_at:%H:%M}"
        )

    def strategy_groups(self, helping_ids) -> dict:
        """The strategy checkboxes split for the page: the pupil's own ("what helps me") first —
        or the school's first few when the profile names none — and the rest behind "more",
        open when one of them is ticked or the field has an error."""
        boxes = list(self["strategies"])
        helping = {str(pk) for pk in helping_ids}
        own = [b for b in boxes if str(b.data["value"]) in helping]
        first = own or boxes[:FIRST_STRATEGIES]
        more = [b for b in boxes if b not in first]
        ticked = {str(v) for v in (self.raw("strategies") or [])}
        return {
            "own": bool(own),
            "first": first,
            "more": more,
            "more_open": bool(self["strategies"].errors)
            or any(str(b.data["value"]) in ticked for b in more),
        }

    def open_folds(self) -> dict:
        """Which of the folded parts open by themselves: those holding a value or an error."""
        staff = {str(v) for v in (self.raw("staff_involved") or [])}
        return {
            "staff_names": [b.choice_label for b in self["staff_involved"] if b.data["selected"]],
            "staff_involved": bool(self["staff_involved"].errors) or staff != {str(self.actor.pk)},
            "witnesses": bool(self["witnesses"].errors) or bool(self.raw("witnesses")),
        }

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
        if is_in_future(value):
            raise ValidationError("That is in the future: check the date and time.")
        return value

    def clean(self):
        data = super().clean()
        primary = data.get("primary_pupil")
        if primary and data.get("other_pupils"):
            data["other_pupils"] = [p for p in data["other_pupils"] if p.pk != primary.pk]
        if data.get("parents_informed") == ParentsInformed.NOT_YET and data.get("not_yet_reason"):
            typed = (data.get("parents_informed_detail") or "").strip()
            data["parents_informed_detail"] = "\n".join(
                p for p in [data["not_yet_reason"], typed] if p
            )
        check_outcome_and_parents(self, data)
        if data.get("safeguarding") and not data.get("concern"):
            self.add_error("concern", "Describe the safeguarding concern.")
        if not data.get("safeguarding"):
            data["concern"] = ""
        return data


class IncidentLog:
    """The incident form and its restraint record, filled, validated and restored as one."""

    def __init__(self, data=None, *, viewer, initial=None, restraint_initial=None):
        school, actor = viewer.school, viewer.user
        self.incident = IncidentForm(
            data,
            school=school,
            actor=actor,
            pupils=pupils_to_record_for(viewer),
            initial=initial,
        )
        occurred_at = (initial or {}).get("occurred_at")
        if restraint_initial is None and occurred_at:
            # Force usually starts when the incident did: offered, and changed if not.
            restraint_initial = {"started_time": timezone.localtime(occurred_at).time()}
        self.restraint = RestrictiveInterventionForm(
            data,
            kind=InterventionKind.RESTRAINT,
            school=school,
            actor=actor,
            carried=dict.fromkeys(("location", "what_happened_before", "deescalation_tried"), ""),
            initial=restraint_initial,
        )

    @classmethod
    def from_draft(cls, saved: dict, *, viewer, key):
        """An unbound form showing exactly what was typed into a saved draft."""
        data = _querydict(saved)
        blank = cls(viewer=viewer)
        incident, restraint = (
            _typed_values(form, data) for form in (blank.incident, blank.restraint)
        )
        incident["submission_key"] = str(key)
        return cls(viewer=viewer, initial=incident, restraint_initial=restraint)

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
        self.restraint.for_incident(self.incident.cleaned_data)
        return self.restraint.is_valid() and valid

    @property
    def error_count(self) -> int:
        forms_ = [self.incident] + ([self.restraint] if self.force_used else [])
        return sum(len(form.errors) for form in forms_ if form.is_bound)

    def errors(self):
        """(field id, message) for the error summary at the top of the page, in page order."""
        forms_ = [self.incident] + ([self.restraint] if self.force_used else [])
        for form in forms_:
            if not form.is_bound:
                continue
            order = [n for n in form.fields if n in form.errors]
            for name in [*order, *(n for n in form.errors if n not in form.fields)]:
                anchor = form[name].auto_id if name in form.fields else "incident-form"
                for message in form.errors[name]:
                    yield anchor, message

    def record_kwargs(self) -> dict:
        """Keyword arguments for ``incidents.services.log.record_incident``."""
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
            **{name: data[name] for name in details},
            "strategies": list(data["strategies"]),
            "staff_involved": list(data["staff_involved"]),
            "restrictive_intervention": (
                self.restraint.record_values() if self.force_used else None
            ),
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
