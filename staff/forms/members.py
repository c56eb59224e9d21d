from django import forms

from semh.access import Role


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one role. To remove someone, deactivate them."
        },
    )


class OtherSchoolForm(forms.Form):
    school = forms.ModelChoiceField(queryset=None, empty_label=None)
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
