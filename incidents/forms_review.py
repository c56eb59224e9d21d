"""Forms used after an incident is logged: amendment, review, restrictive-intervention follow-up,
safeguarding concern handling and vocabulary editing."""

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django_scopes.forms import SafeModelChoiceField

from incidents.forms import check_outcome_and_parents
from incidents.models import (
    FollowUpAction,
    Incident,
    ParentReport,
    RestrictiveIntervention,
    SafeguardingConcern,
    StaffStatement,
    SuspensionReason,
    Vocabulary,
    VocabularyKind,
)
from incidents.selectors import AMENDABLE_FIELDS, display_value
from semh.models import Period
from semh.widgets import DateInput, DateTimeInput

TEXT = {"rows": 3}
# A phone's clock and the server's may differ a little; further ahead than this is a mistake.
CLOCK_SLACK = timedelta(minutes=5)


def vocabulary_choices(school, kind, keep=()):
    """A kind's active terms, plus any retired term the record already uses (``keep``)."""
    keep_ids = [t.pk for t in keep if t is not None]
    return Vocabulary.objects.filter(school=school, kind=kind).filter(
        Q(is_active=True) | Q(pk__in=keep_ids)
    )


def not_in_future(value, what="That time"):
    if value and value > timezone.now() + CLOCK_SLACK:
        raise forms.ValidationError(f"{what} is in the future.")
    return value


class IncidentAmendmentForm(forms.ModelForm):
    # Declared here: vocabularies are tenant rows, so their choices are set per school below.
    location = forms.ModelChoiceField(label="Where", queryset=None, required=False)
    category = forms.ModelChoiceField(queryset=None)
    trigger = forms.ModelChoiceField(label="Trigger / antecedent", queryset=None, required=False)
    strategies = forms.ModelMultipleChoiceField(
        label="De-escalation strategies tried",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label="Why are you amending this record?",
        widget=forms.Textarea(attrs=TEXT),
        help_text="Kept with the amendment, with your name and the time.",
    )

    class Meta:
        model = Incident
        fields = AMENDABLE_FIELDS
        widgets = {
            "occurred_at": DateTimeInput(),
            "antecedent": forms.Textarea(attrs=TEXT),
            "behaviour": forms.Textarea(attrs=TEXT),
            "outcome_notes": forms.Textarea(attrs=TEXT),
            "witnesses": forms.Textarea(attrs=TEXT),
            "parents_informed_detail": forms.Textarea(attrs=TEXT),
        }
        labels = {"occurred_at": "When", "location": "Where", "period": "Lesson / period"}
        field_classes = {"period": SafeModelChoiceField}  # Period is school-scoped

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        incident = self.instance
        current = list(incident.strategies.all())
        for name, kind in (
            ("location", VocabularyKind.LOCATION),
            ("category", VocabularyKind.CATEGORY),
            ("trigger", VocabularyKind.TRIGGER),
        ):
            self.fields[name].queryset = vocabulary_choices(
                school, kind, keep=[getattr(incident, name)]
            )
        self.fields["strategies"].queryset = vocabulary_choices(
            school, VocabularyKind.STRATEGY, keep=current
        )
        self.fields["period"].queryset = Period.objects.filter(school=school)
        today = timezone.localdate()
        self.fields["suspension_reason"].queryset = SuspensionReason.objects.filter(
            Q(valid_from__lte=today, valid_until__isnull=True)
            | Q(valid_from__lte=today, valid_until__gte=today)
            | Q(pk=incident.suspension_reason_id)
        )
        # Shown to the minute: an unchanged time must not count as a change.
        self.initial["occurred_at"] = timezone.localtime(incident.occurred_at).replace(
            second=0, microsecond=0
        )

    def clean_occurred_at(self):
        return not_in_future(self.cleaned_data["occurred_at"], "The time of the incident")

    def clean(self):
        data = super().clean()
        check_outcome_and_parents(self, data)
        if not self.errors and not self._changes_something(data):
            raise forms.ValidationError("Nothing has changed: change a field, or go back.")
        return data

    def _changes_something(self, data) -> bool:
        candidate = Incident(**{n: data.get(n) for n in AMENDABLE_FIELDS if n != "strategies"})
        strategies = list(data.get("strategies") or [])
        return any(
            display_value(self.instance, n) != display_value(candidate, n, strategies=strategies)
            for n in AMENDABLE_FIELDS
        )


class ReviewForm(forms.Form):
    review_notes = forms.CharField(
        label="Review notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you noticed, patterns, what will change.",
    )
    mark_reviewed = forms.BooleanField(label="Mark this incident as reviewed", required=False)


class FollowUpActionForm(forms.ModelForm):
    class Meta:
        model = FollowUpAction
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": DateInput(), "description": forms.TextInput()}
        labels = {"description": "Follow-up action", "owner": "Who", "due_on": "Due by"}

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class BaseFollowUpFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, staff, **kwargs):
        self.staff = staff
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"staff": self.staff}


FollowUpFormSet = forms.modelformset_factory(
    FollowUpAction, form=FollowUpActionForm, formset=BaseFollowUpFormSet, extra=2, can_delete=False
)


class ParentReportForm(forms.ModelForm):
    """The statutory report to parents — or why it was not made (then the local authority)."""

    MADE, NOT_MADE = "made", "not_made"
    METHODS = [
        ("", "Choose…"),
        ("In person", "In person"),
        ("Phone call", "Phone call"),
        ("Video call", "Video call"),
        ("Letter", "Letter"),
        ("Email", "Email"),
    ]

    outcome = forms.ChoiceField(
        label="Were parents / carers told?",
        choices=[
            (MADE, "Yes — parents / carers were told"),
            (
                NOT_MADE,
                "No — telling them would likely cause the pupil significant harm",
            ),
        ],
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label="How", choices=METHODS, required=False)

    class Meta:
        model = ParentReport
        fields = [
            "reported_at",
            "method",
            "reported_by",
            "what_was_said",
            "not_reported_reason",
            "local_authority_reported_at",
            "local_authority_contact",
        ]
        widgets = {
            "reported_at": DateTimeInput(),
            "local_authority_reported_at": DateTimeInput(),
            "what_was_said": forms.Textarea(attrs=TEXT),
            "not_reported_reason": forms.Textarea(attrs=TEXT),
        }
        labels = {
            "reported_at": "When were they told",
            "reported_by": "Told by",
            "not_reported_reason": "Why a report would likely cause significant harm",
            "local_authority_reported_at": "When the local authority was told",
            "local_authority_contact": "Local authority contact (name, team)",
        }
        help_texts = {"not_reported_reason": ""}

    REPORT_FIELDS = ["reported_at", "method", "reported_by", "what_was_said"]
    EXCEPTION_FIELDS = [
        "not_reported_reason",
        "local_authority_reported_at",
        "local_authority_contact",
    ]
    TEXT_FIELDS = {"method", "what_was_said", "not_reported_reason", "local_authority_contact"}

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_by"].queryset = staff

    def clean_reported_at(self):
        return not_in_future(self.cleaned_data.get("reported_at"))

    def clean_local_authority_reported_at(self):
        return not_in_future(self.cleaned_data.get("local_authority_reported_at"))

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == self.MADE:
            required, cleared = self.REPORT_FIELDS, self.EXCEPTION_FIELDS
            message = "Needed when parents were told."
        elif outcome == self.NOT_MADE:
            required, cleared = self.EXCEPTION_FIELDS, self.REPORT_FIELDS
            message = "Needed when no report was made: the local authority must be told instead."
        else:
            return data
        for name in required:
            if not data.get(name):
                self.add_error(name, message)
        for name in cleared:
            data[name] = "" if name in self.TEXT_FIELDS else None
        return data


class DebriefForm(forms.ModelForm):
    """Debriefs and support offered; parts already recorded are not offered again."""

    PARTS = {
        "pupil_debrief_at": ("pupil_debrief_at", "pupil_debrief_notes"),
        "staff_debrief_at": ("staff_debrief_at", "staff_debrief_notes"),
        "support_offered": ("support_offered",),
    }

    class Meta:
        model = RestrictiveIntervention
        fields = [
            "pupil_debrief_at",
            "pupil_debrief_notes",
            "staff_debrief_at",
            "staff_debrief_notes",
            "support_offered",
        ]
        widgets = {
            "pupil_debrief_at": DateTimeInput(),
            "staff_debrief_at": DateTimeInput(),
            "pupil_debrief_notes": forms.Textarea(attrs=TEXT),
            "staff_debrief_notes": forms.Textarea(attrs=TEXT),
            "support_offered": forms.Textarea(attrs=TEXT),
        }
        labels = {
            "pupil_debrief_at": "When the pupil was debriefed",
            "pupil_debrief_notes": "What the pupil said (their view)",
            "staff_debrief_at": "When the staff were debriefed",
            "staff_debrief_notes": "Staff debrief notes",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for marker, names in self.PARTS.items():
            if getattr(self.instance, marker) not in (None, ""):
                for name in names:
                    del self.fields[name]

    @property
    def is_complete(self) -> bool:
        return not self.fields

    def clean(self):
        data = super().clean()
        for when, notes in (
            ("pupil_debrief_at", "pupil_debrief_notes"),
            ("staff_debrief_at", "staff_debrief_notes"),
        ):
            if when not in self.fields:
                continue
            not_in_future_field(self, when)
            if data.get(notes) and not data.get(when):
                self.add_error(when, "Say when the debrief took place.")
            if data.get(when) and not data.get(notes):
                self.add_error(notes, "Note what was said in the debrief.")
        if not self.errors and not any(v not in (None, "") for v in data.values()):
            raise forms.ValidationError("Record a debrief or the support offered.")
        return data


def not_in_future_field(form, name):
    try:
        not_in_future(form.cleaned_data.get(name))
    except forms.ValidationError as error:
        form.add_error(name, error)


class StaffStatementForm(forms.ModelForm):
    class Meta:
        model = StaffStatement
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}
        labels = {"text": "Your account, in your own words"}
        help_texts = {
            "text": "What you saw and did, the hold you used and for how long, and why. "
            "Only you can write or change this."
        }


class ConcernActionForm(forms.Form):
    note = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs=TEXT),
        help_text="e.g. referred to children's social care; spoke to the pupil; no further action.",
    )


class ConcernStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SafeguardingConcern.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VocabularyAddForm(forms.Form):
    kind = forms.ChoiceField(choices=VocabularyKind.choices, widget=forms.HiddenInput)
    label = forms.CharField(label="New term", max_length=120)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("label"):
            clash = Vocabulary.objects.filter(
                school=self.school, kind=data["kind"], label__iexact=data["label"].strip()
            ).first()
            if clash:
                state = "" if clash.is_active else " (retired: restore it instead)"
                self.add_error("label", f"“{clash.label}” is already in this list{state}.")
        return data


class VocabularyTermForm(forms.Form):
    """Rename or reorder one term; the term is named in the form, from this school's lists only."""

    term = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    label = forms.CharField(label="Term", max_length=120)
    position = forms.IntegerField(label="Order", min_value=0, max_value=999)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Vocabulary.objects.filter(school=school)

    def clean(self):
        data = super().clean()
        term, label = data.get("term"), (data.get("label") or "").strip()
        if term and label:
            clash = (
                Vocabulary.objects.filter(school=term.school_id, kind=term.kind)
                .filter(label__iexact=label)
                .exclude(pk=term.pk)
            )
            if clash.exists():
                self.add_error("label", f"“{label}” is already in this list.")
            data["label"] = label
        return data


class VocabularyStatusForm(forms.Form):
    term = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    active = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Vocabulary.objects.filter(school=school)
