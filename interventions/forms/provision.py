"""Forms of the school's provision: programmes, groups, funding streams and the cost table."""

from decimal import Decimal

from django import forms
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from semh.calendar import PLAN_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput, TimeInput

from ..models import Group, MeasureDefinition, Programme
from ..selectors import funding_streams_of, school_staff
from ..services.provision import GROUP_FIELDS, PROGRAMME_FIELDS

MONEY = {"min_value": Decimal("0"), "max_value": Decimal("999.99"), "decimal_places": 2}


class ProgrammeForm(SubmittedOnce, forms.ModelForm):
    class Meta:
        model = Programme
        fields = [*PROGRAMME_FIELDS, "measures"]
        field_classes = {"measures": SafeModelMultipleChoiceField}
        widgets = {
            "measures": forms.CheckboxSelectMultiple,
            "evidence_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"is_active": "Offered (untick to retire it; its groups and figures stay)"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = MeasureDefinition.objects.for_school(school)
        self.fields["measures"].help_text = "The measures its pupils' progress is judged by."


class GroupForm(SubmittedOnce, PlausibleDates, forms.ModelForm):
    field_order = ["programme", "name", "lead", "other_staff"]
    date_rules = {"starts_on": PLAN_DATE, "planned_end_on": PLAN_DATE}

    class Meta:
        model = Group
        fields = [*GROUP_FIELDS, "other_staff"]
        field_classes = {
            "programme": SafeModelChoiceField,
            "funding_stream": SafeModelChoiceField,
        }
        widgets = {
            "starts_at": TimeInput(),
            "starts_on": DateInput(),
            "planned_end_on": DateInput(),
            "other_staff": forms.CheckboxSelectMultiple,
        }
        labels = {"starts_on": "Starts on", "planned_end_on": "Planned to end on"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = school_programmes = Programme.objects.filter(school=school)
        if self.instance._state.adding:
            programmes = school_programmes.active()
        self.fields["programme"].queryset = programmes
        staff = school_staff(school)
        self.fields["lead"].queryset = staff
        self.fields["other_staff"].queryset = staff
        self.fields["lead"].label_from_instance = lambda user: user.name
        self.fields["other_staff"].label_from_instance = lambda user: user.name
        self.fields["funding_stream"].queryset = funding_streams_of(school, in_use_only=True)
        cost = self.fields["hourly_cost"]
        cost.required = False
        cost.help_text = (
            "Leave blank to take the lead's rate from the staff cost table."
            if self.instance._state.adding
            else "Kept from when the group was set up; change it only to correct it."
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("planned_end_on")
        if starts and ends and ends < starts:
            self.add_error("planned_end_on", "It must end on or after the day it starts.")
        return data

    def _post_clean(self):
        # The hourly cost may be blank here (the service fills it from the cost table); the
        # model's own checks run on the other fields.
        if self.cleaned_data.get("hourly_cost") is None and self.instance._state.adding:
            self.instance.hourly_cost = Decimal("0")
        super()._post_clean()


class EndGroupForm(PlausibleDates, forms.Form):
    date_rules = {"ended_on": PLAN_DATE}
    ended_on = forms.DateField(label="Ended on", widget=DateInput())


class FundingStreamForm(forms.Form):
    name = forms.CharField(label="New funding stream", max_length=80)


class RoleCostsForm(forms.Form):
    """An hourly cost for each pupil-facing role; blank: none (then a person's own, or a figure
    on the group, is needed)."""

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        for role, label, cost in table["roles"]:
            self.fields[role] = forms.DecimalField(
                label=f"{label} (£ an hour)", required=False, initial=cost, **MONEY
            )


class PersonCostForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=None, label="Member of staff")
    hourly_cost = forms.DecimalField(
        label="Their hourly cost (£)",
        required=False,
        help_text="Beats their role's rate. Leave blank to remove their own rate.",
        **MONEY,
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = school_staff(school)
        self.fields["staff"].label_from_instance = lambda user: user.name
