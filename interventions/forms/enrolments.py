"""Forms of enrolments: putting a pupil into a group, and their consent, review and exit."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django_scopes.forms import SafeModelChoiceField

from pupils.models import Pupil, Target
from semh.calendar import EVENT_DATE, PLAN_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput

from ..models import Consent, Enrolment, Group
from ..services.enrolments import UPDATE_FIELDS

CONSENT_HINT = (
    "Sessions held before consent is given stay on the register but do not count towards the "
    "pupil's attendance or the figures."
)


class EnrolForm(SubmittedOnce, PlausibleDates, forms.Form):
    date_rules = {"starts_on": PLAN_DATE, "consent_given_on": EVENT_DATE}

    group = SafeModelChoiceField(queryset=Group.objects.none(), label="Group")
    pupil = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Find and choose a pupil.",
            "invalid_choice": "Choose a pupil of this school.",
        },
    )
    target = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    starts_on = forms.DateField(label="Starts on", widget=DateInput())
    reason = forms.CharField(
        label="Reason for referral", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    consent = forms.ChoiceField(
        label="Parents' / carers' consent", choices=Consent.choices, help_text=CONSENT_HINT
    )
    consent_given_on = forms.DateField(label="Consent given on", required=False, widget=DateInput())

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["group"].queryset = (
            Group.objects.filter(school=school)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
            .select_related("programme")
        )
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.name} ({g.programme.name}, {g.get_weekday_display()} {g.starts_at:%H:%M})"
        )
        self.fields["pupil"].queryset = Pupil.objects.filter(school=school).on_roll()
        self.fields["target"].queryset = Target.objects.filter(plan__pupil__school=school)

    def clean(self):
        data = super().clean()
        if data.get("consent") == Consent.GIVEN and not data.get("consent_given_on"):
            self.add_error("consent_given_on", "Enter the date consent was given.")
        return data


class EnrolmentForm(PlausibleDates, forms.ModelForm):
    """Consent, the provision review and the exit of one enrolment."""

    date_rules = {
        "starts_on": PLAN_DATE,
        "consent_given_on": EVENT_DATE,
        "reviewed_on": EVENT_DATE,
        "ends_on": PLAN_DATE,
    }

    class Meta:
        model = Enrolment
        fields = list(UPDATE_FIELDS)
        widgets = {
            "starts_on": DateInput(),
            "consent_given_on": DateInput(),
            "reviewed_on": DateInput(),
            "ends_on": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "exit_outcome": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"ends_on": "Left the group on", "reviewed_on": "Reviewed on"}
        help_texts = {"consent": CONSENT_HINT}

    def clean(self):
        data = super().clean()
        if data.get("consent") == Consent.GIVEN and not data.get("consent_given_on"):
            self.add_error("consent_given_on", "Enter the date consent was given.")
        if data.get("consent") != Consent.GIVEN:
            data["consent_given_on"] = None
        if data.get("review_score") is not None and not data.get("reviewed_on"):
            self.add_error("reviewed_on", "Enter the date of the review.")
        return data
