from django import forms


class PupilStaffForm(forms.Form):
    """The pupil's key adults and the staff who have the pupil on their caseload."""

    key_adults = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    caseload_staff = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Caseload (can open this pupil's record)",
        help_text=(
            "Key adults who are assistants or teachers always have the pupil on their caseload."
        ),
    )

    def __init__(self, *args, key_adult_choices, caseload_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_adults"].queryset = key_adult_choices
        self.fields["caseload_staff"].queryset = caseload_choices
