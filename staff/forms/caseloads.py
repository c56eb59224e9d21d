"""Forms of the caseload page: a whole form or year group, pupils ticked in a list, and the
finder that narrows that list. Their choices are the pupils on roll; they only validate."""

from django import forms

from pupils.models import Pupil
from pupils.selectors import forms_on_roll, year_groups_on_roll


def _form_choices(school):
    return [("", "—")] + [(f, f) for f in forms_on_roll(school)]


def _year_choices(school):
    return [("", "—")] + [(y.value, y.label) for y in year_groups_on_roll(school)]


class CaseloadGroupForm(forms.Form):
    """A whole form or a whole year group (pupils on roll), to add to or remove from a caseload."""

    form_name = forms.ChoiceField(label="Form / class", required=False)
    year_group = forms.TypedChoiceField(
        label="Year group", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_name"].choices = _form_choices(school)
        self.fields["year_group"].choices = _year_choices(school)

    def clean(self):
        data = super().clean()
        chosen = [v for v in (data.get("form_name"), data.get("year_group")) if v not in ("", None)]
        if len(chosen) != 1:
            raise forms.ValidationError("Choose either a form or a year group.")
        return data

    def how(self) -> str:
        """How the pupils were chosen, for the audit: ``form`` or ``year_group``."""
        return "form" if self.cleaned_data.get("form_name") else "year_group"


class TickedPupilsForm(forms.Form):
    """Several pupils ticked in a list (validated against the school's pupils in one query)."""

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

    def narrowing(self) -> dict:
        """What to narrow the list by (nothing when the input does not validate)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "name": data.get("q") or "",
            "form": data.get("form_name") or "",
            "year_group": data.get("year_group"),
        }
