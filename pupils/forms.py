from django import forms

from pupils.models import Pupil, SafeguardingStatus
from pupils.validators import normalise_upn


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PupilForm(forms.ModelForm):
    class Meta:
        model = Pupil
        fields = [
            "upn",
            "legal_first_name",
            "legal_last_name",
            "preferred_first_name",
            "preferred_last_name",
            "date_of_birth",
            "gender",
            "year_group",
            "form",
            "sen_status",
            "primary_need",
            "pupil_premium",
            "looked_after",
            "safeguarding_status",
            "on_roll_from",
        ]
        widgets = {"date_of_birth": DateInput(), "on_roll_from": DateInput()}

    def __init__(self, *args, school, can_set_safeguarding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.instance.school = school
        if not can_set_safeguarding:
            del self.fields["safeguarding_status"]
        else:
            self.fields["safeguarding_status"].choices = SafeguardingStatus.choices

    def clean_upn(self):
        upn = normalise_upn(self.cleaned_data["upn"])
        clash = Pupil.objects.filter(school=self.school, upn=upn).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another pupil in this school already has this UPN.")
        return upn


class ArchiveForm(forms.Form):
    left_on = forms.DateField(label="Leaving date", widget=DateInput())


class PupilStaffForm(forms.Form):
    key_adults = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    caseload_staff = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Caseload (can open this pupil's record)",
        help_text="Key adults always have the pupil on their caseload.",
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_adults"].queryset = staff
        self.fields["caseload_staff"].queryset = staff
