"""Forms of outreach referrals: refer a pupil, change the referral, end it."""

from django import forms

from pupils.models import Referral, SupportPlan
from pupils.services.referrals import CHANGEABLE_FIELDS, REFERRAL_FIELDS
from semh.calendar import PLAN_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput

LABELS = {
    "service": "Outreach service",
    "starts_on": "From",
    "planned_end_on": "Planned exit",
    "plan": "Agreed support plan (its targets are the referral's targets)",
    "reason": "Why the pupil is referred, and what was agreed",
}
HELP = {
    "planned_end_on": "The service's staff can open the pupil's record until this day, unless the "
    "referral is ended sooner. Move it to extend the referral."
}


class _ReferralFields(PlausibleDates, forms.ModelForm):
    date_rules = {"starts_on": PLAN_DATE, "planned_end_on": PLAN_DATE}
    plan = forms.ModelChoiceField(
        label=LABELS["plan"], queryset=SupportPlan.objects.none(), required=False
    )

    def __init__(self, *args, pupil, school, **kwargs):
        super().__init__(*args, **kwargs)
        if "service" in self.fields:
            self.fields["service"].queryset = school.outreach_services.all()
            self.fields["service"].empty_label = None
        self.fields["plan"].queryset = SupportPlan.objects.filter(pupil=pupil).current()
        self.fields["plan"].empty_label = "None yet"

    def clean(self):
        data = super().clean()
        starts_on = data.get("starts_on", self.instance.starts_on)
        planned_end_on = data.get("planned_end_on")
        if starts_on and planned_end_on and planned_end_on < starts_on:
            self.add_error("planned_end_on", "The planned exit cannot be before the start.")
        return data


class ReferralForm(SubmittedOnce, _ReferralFields):
    class Meta:
        model = Referral
        fields = list(REFERRAL_FIELDS)
        widgets = {"starts_on": DateInput(), "planned_end_on": DateInput()}
        labels = LABELS
        help_texts = HELP


class ReferralChangeForm(_ReferralFields):
    class Meta:
        model = Referral
        fields = list(CHANGEABLE_FIELDS)
        widgets = {"planned_end_on": DateInput()}
        labels = LABELS
        help_texts = HELP


class EndReferralForm(forms.Form):
    end_note = forms.CharField(
        label="How it ended",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. reintegrated into class full time; moving to a specialist placement.",
        error_messages={"required": "Say how the referral ended."},
    )
