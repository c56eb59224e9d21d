"""Resolving a missing-pupil flag."""

from django import forms

from ..models import Resolution


class ResolveMissingForm(forms.Form):
    resolution = forms.ChoiceField(
        choices=Resolution.choices, widget=forms.RadioSelect, label="What happened?"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
