"""Forms of the pupil record: the pupil's details, archiving a leaver, the pupil list's filter."""

import django_filters
from django import forms

from pupils.models import (
    LocalAuthorityCode,
    PrimaryNeed,
    Pupil,
    SafeguardingStatus,
    SenStatus,
    YearGroup,
)
from pupils.services.records import PUPIL_FIELDS, UPN_TAKEN
from pupils.validators import normalise_upn, unrecognised_la_code
from semh.calendar import DATE_OF_BIRTH, ROLL_DATE, PlausibleDates
from semh.widgets import DateInput


class PupilForm(PlausibleDates, forms.ModelForm):
    date_rules = {"date_of_birth": DATE_OF_BIRTH, "on_roll_from": ROLL_DATE}
    # Holds the UPN the SENCo confirmed despite an unknown LA code, so that confirming one UPN
    # never lets a different one through. A checkbox only while the warning shows.
    confirm_upn = forms.CharField(required=False, widget=forms.HiddenInput)
    field_order = ["upn", "confirm_upn"]

    class Meta:
        model = Pupil
        fields = list(PUPIL_FIELDS)
        widgets = {"date_of_birth": DateInput(), "on_roll_from": DateInput()}
        labels = {
            "upn": "UPN (unique pupil number)",
            "primary_need": "Primary area of need",
            "looked_after": "Looked-after child (CLA)",
            "safeguarding_status": "Child protection / child in need (CP / CIN)",
        }

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
            raise forms.ValidationError(UPN_TAKEN)
        if upn != self.instance.upn:
            self._check_la_code(upn)
        return upn

    def _check_la_code(self, upn):
        warning = unrecognised_la_code(upn, LocalAuthorityCode.objects.recognised_codes())
        if not warning or normalise_upn(self.data.get("confirm_upn", "")) == upn:
            return
        self.fields["confirm_upn"].widget = forms.CheckboxInput(attrs={"value": upn})
        self.fields["confirm_upn"].label = "This UPN is right: save it anyway"
        raise forms.ValidationError(
            f"{warning} If it is right (as on the pupil's records), tick “This UPN is right”."
        )

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("confirm_upn", None)  # only the form's concern, not a pupil field
        return cleaned


class ArchiveForm(PlausibleDates, forms.Form):
    date_rules = {"left_on": ROLL_DATE}
    left_on = forms.DateField(label="Leaving date", widget=DateInput())


class PupilListFilter(django_filters.FilterSet):
    """The pupil list's search, filters and sort (GET)."""

    q = django_filters.CharFilter(method="search", label="Search name or UPN")
    year_group = django_filters.ChoiceFilter(choices=YearGroup.choices, label="Year")
    form = django_filters.CharFilter(lookup_expr="iexact", label="Form / class")
    sen_status = django_filters.ChoiceFilter(choices=SenStatus.choices, label="SEN status")
    primary_need = django_filters.ChoiceFilter(choices=PrimaryNeed.choices, label="Primary need")
    key_adult = django_filters.ModelChoiceFilter(
        field_name="key_adults", queryset=None, label="Key adult"
    )
    roll = django_filters.ChoiceFilter(
        choices=[("on", "On roll"), ("left", "Left"), ("all", "All")],
        method="filter_roll",
        empty_label=None,
        label="Roll",
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("legal_last_name", "surname"),
            ("legal_first_name", "forename"),
            ("year_group", "year"),
            ("form", "form"),
            ("sen_status", "sen"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Pupil
        fields: list[str] = []

    def __init__(self, data=None, *args, staff=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("roll", "on")
        super().__init__(data, *args, **kwargs)
        self.filters["key_adult"].queryset = staff

    def search(self, queryset, name, value):
        return queryset.matching_name(value, also_upn=True)

    def filter_roll(self, queryset, name, value):
        if value == "left":
            return queryset.exclude(pk__in=Pupil.objects.on_roll().values("pk"))
        if value == "all":
            return queryset
        return queryset.on_roll()
