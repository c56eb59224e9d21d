"""The DSL's handling of a safeguarding concern."""

from django import forms

from incidents.forms.common import TEXT
from incidents.models import SafeguardingConcern
from semh.submissions import SubmittedOnce


class ConcernActionForm(SubmittedOnce, forms.Form):
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
