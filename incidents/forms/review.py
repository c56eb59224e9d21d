"""The SENCo's review: notes, "reviewed", and the follow-up actions it hands out."""

from django import forms

from incidents.models import FollowUpAction
from semh.calendar import PLAN_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput, capped_model_formset


class ReviewForm(SubmittedOnce, forms.Form):
    review_notes = forms.CharField(
        label="Review notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you noticed, patterns, what will change.",
    )
    mark_reviewed = forms.BooleanField(label="Mark this incident as reviewed", required=False)


class FollowUpActionForm(PlausibleDates, forms.ModelForm):
    date_rules = {"due_on": PLAN_DATE}

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


FollowUpFormSet = capped_model_formset(
    FollowUpAction,
    form=FollowUpActionForm,
    formset=BaseFollowUpFormSet,
    extra=2,
    can_delete=False,
    most=20,
)


def follow_up_values(formset) -> list[dict]:
    """The new follow-up actions typed (blank rows left out), as ``review_incident`` takes them."""
    return [
        {name: form.cleaned_data[name] for name in ("description", "owner", "due_on")}
        for form in formset.forms
        if form.has_changed()
    ]
