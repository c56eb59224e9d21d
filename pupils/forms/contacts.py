"""Forms of what happens around the pupil: parent/carer contacts, agencies, meetings, actions."""

from django import forms

from pupils.models import AgencyInvolvement, ContactAbout, Meeting, MeetingAction, ParentContact
from semh.calendar import EVENT_DATE, PLAN_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput, DateTimeInput, capped_model_formset


class ParentContactForm(SubmittedOnce, PlausibleDates, forms.ModelForm):
    date_rules = {"contacted_at": EVENT_DATE, "follow_up_due": PLAN_DATE}

    class Meta:
        model = ParentContact
        fields = [
            "contacted_at",
            "about",
            "method",
            "with_whom",
            "summary",
            "follow_up_needed",
            "follow_up_due",
            "follow_up_done",
        ]
        widgets = {"contacted_at": DateTimeInput(), "follow_up_due": DateInput()}
        labels = {
            "contacted_at": "When",
            "about": "About",
            "method": "How (phone, email, in person …)",
            "with_whom": "Who (name and relationship)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].required = False  # not given: a general contact

    def clean_about(self):
        return self.cleaned_data.get("about") or ContactAbout.GENERAL

    def clean(self):
        data = super().clean()
        if data.get("follow_up_needed") and not data.get("follow_up_due"):
            self.add_error("follow_up_due", "Give a due date for the follow-up.")
        return data


class AgencyForm(SubmittedOnce, PlausibleDates, forms.ModelForm):
    date_rules = {"referred_on": EVENT_DATE}

    class Meta:
        model = AgencyInvolvement
        fields = [
            "agency",
            "agency_name",
            "status",
            "referred_on",
            "contact_name",
            "contact_details",
            "notes",
        ]
        widgets = {"referred_on": DateInput()}

    def clean(self):
        data = super().clean()
        if data.get("agency") == "other" and not data.get("agency_name"):
            self.add_error("agency_name", "Name the service.")
        return data


class MeetingForm(SubmittedOnce, PlausibleDates, forms.ModelForm):
    date_rules = {"held_on": EVENT_DATE}

    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "staff_attendees", "external_attendees", "notes"]
        widgets = {"held_on": DateInput(), "staff_attendees": forms.CheckboxSelectMultiple}
        labels = {"kind": "Type of meeting", "held_on": "Date of the meeting"}

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_attendees"].queryset = staff


class MeetingActionForm(PlausibleDates, forms.ModelForm):
    date_rules = {"due_on": PLAN_DATE}

    class Meta:
        model = MeetingAction
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": DateInput(), "description": forms.TextInput()}
        labels = {"description": "Action", "owner": "Who will do it", "due_on": "By when"}

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class BaseActionFormSet(forms.BaseModelFormSet):
    """New actions agreed at a meeting (never existing ones), each owned by one of ``staff``."""

    def __init__(self, *args, staff, **kwargs):
        self.staff = staff
        kwargs.setdefault("queryset", MeetingAction.objects.none())
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"staff": self.staff}


ActionFormSet = capped_model_formset(
    MeetingAction,
    form=MeetingActionForm,
    formset=BaseActionFormSet,
    extra=3,
    can_delete=False,
    most=20,
)


def agreed_actions(formset) -> list[dict]:
    """The action rows of a valid formset that were filled in, as plain values."""
    return [
        {name: form.cleaned_data[name] for name in MeetingActionForm.Meta.fields}
        for form in formset.forms
        if form.has_changed()
    ]
