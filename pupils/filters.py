import django_filters

from pupils.models import PrimaryNeed, Pupil, SenStatus, YearGroup


class PupilFilter(django_filters.FilterSet):
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
