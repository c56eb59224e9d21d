from django import forms
from django.contrib.auth import password_validation

from pupils.models import Pupil, YearGroup
from semh.access import Role
from semh.models import User


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        help_text="They can be given more roles once they have joined.",
    )


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


class AcceptInvitationForm(forms.Form):
    """A new member's name and chosen password (checked by the project's password validators)."""

    first_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        password, again = data.get("password1"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", "The two passwords do not match.")
        elif password:
            candidate = User(
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def _form_choices(school):
    forms_ = (
        Pupil.objects.filter(school=school)
        .on_roll()
        .exclude(form="")
        .order_by("form")
        .values_list("form", flat=True)
        .distinct()
    )
    return [("", "—")] + [(f, f) for f in forms_]


def _year_choices(school):
    years = set(Pupil.objects.filter(school=school).on_roll().values_list("year_group", flat=True))
    return [("", "—")] + [(y.value, y.label) for y in YearGroup if y.value in years]


class CaseloadGroupForm(forms.Form):
    """A whole form or a whole year group (pupils on roll), to add to or remove from a caseload."""

    form_name = forms.ChoiceField(label="Form / class", required=False)
    year_group = forms.TypedChoiceField(
        label="Year group", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["form_name"].choices = _form_choices(school)
        self.fields["year_group"].choices = _year_choices(school)

    def clean(self):
        data = super().clean()
        chosen = [v for v in (data.get("form_name"), data.get("year_group")) if v not in ("", None)]
        if len(chosen) != 1:
            raise forms.ValidationError("Choose either a form or a year group.")
        return data

    def pupils(self):
        pupils = Pupil.objects.filter(school=self.school).on_roll()
        if self.cleaned_data.get("form_name"):
            return pupils.filter(form=self.cleaned_data["form_name"])
        return pupils.filter(year_group=self.cleaned_data["year_group"])

    def how(self) -> str:
        return "form" if self.cleaned_data.get("form_name") else "year_group"


class PupilPickForm(forms.Form):
    """Pupils ticked in a list (validated against the school's pupils in one query)."""

    pupils = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={"required": "Tick at least one pupil."},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = Pupil.objects.filter(school=school)


class PupilFinderForm(forms.Form):
    """Narrows the list of pupils to tick (GET)."""

    q = forms.CharField(label="Name", required=False)
    form_name = forms.ChoiceField(label="Form / class", required=False)
    year_group = forms.TypedChoiceField(
        label="Year group", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_name"].choices = _form_choices(school)
        self.fields["year_group"].choices = _year_choices(school)

    def filter(self, pupils):
        if not self.is_valid():
            return pupils
        data = self.cleaned_data
        if data.get("form_name"):
            pupils = pupils.filter(form=data["form_name"])
        if data.get("year_group") is not None:
            pupils = pupils.filter(year_group=data["year_group"])
        return pupils.matching_name(data.get("q") or "")
