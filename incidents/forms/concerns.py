"""Raising a safeguarding concern on its own, and the DSL's handling of a concern."""

from django import forms

from incidents.forms.common import TEXT, not_in_future
from incidents.models import SafeguardingConcern
from incidents.selectors import pupils_to_record_for
from pupils.models import Pupil
from semh.calendar import EVENT_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateTimeInput


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


class RaiseConcernForm(SubmittedOnce, PlausibleDates, forms.Form):
    """A concern raised on its own: a disclosure, or something seen or heard, with no incident."""

    date_rules = {"noticed_at": EVENT_DATE}

    pupil = forms.ModelChoiceField(
        queryset=Pupil.objects.none(),
        label="Pupil",
        error_messages={"required": "Choose the pupil this concern is about."},
    )
    concern = forms.CharField(
        label="What you saw, heard or were told",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Use the pupil's own words where you can, and say who said what.",
        error_messages={"required": "Write down what you saw, heard or were told."},
    )
    noticed_at = forms.DateTimeField(
        label="When",
        widget=DateTimeInput(),
        error_messages={"required": "Say when it was seen, heard or said."},
    )
    immediate_action = forms.CharField(
        label="Anything you did straight away (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. stayed with the pupil; told them you must pass it on; rang the DSL.",
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils_to_record_for(viewer)

    def clean_noticed_at(self):
        return not_in_future(self.cleaned_data["noticed_at"])
