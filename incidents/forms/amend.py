"""Amending a submitted incident: its narrative fields, and why they change."""

from django import forms
from django.utils import timezone
from django_scopes.forms import SafeModelChoiceField

from incidents.forms.common import (
    TEXT,
    check_outcome_and_parents,
    current_suspension_reasons,
    not_in_future,
    vocabulary_choices,
)
from incidents.models import Incident, VocabularyKind
from incidents.selectors import AMENDABLE_FIELDS
from incidents.services.amend import amendment_changes
from semh.calendar import EVENT_DATE, PlausibleDates
from semh.models import Period
from semh.widgets import DateTimeInput


class IncidentAmendmentForm(PlausibleDates, forms.ModelForm):
    date_rules = {"occurred_at": EVENT_DATE}
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
        self.fields["suspension_reason"].queryset = current_suspension_reasons(
            keep=incident.suspension_reason_id
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
        if not self.errors and not amendment_changes(self.instance, self.new_values(data)):
            raise forms.ValidationError("Nothing has changed: change a field, or go back.")
        return data

    def _post_clean(self):
        pass  # the incident is never changed through the form: ``amend_incident`` does it

    def new_values(self, data=None) -> dict:
        """The amendable fields as now typed (``amend_incident``'s ``values``)."""
        data = self.cleaned_data if data is None else data
        values = {n: data.get(n) for n in AMENDABLE_FIELDS}
        values["strategies"] = list(data.get("strategies") or [])
        return values
