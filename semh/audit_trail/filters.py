import django_filters
from django import forms
from django.db.models import Q

from semh.models import AuditEvent


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(queryset=None, label="Person")
    action = django_filters.ChoiceFilter(choices=[], label="Action")
    record = django_filters.UUIDFilter(
        method="about_record",
        label="Record id",
        help_text="A pupil's (or any record's) id, as in its page address.",
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args, staff, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["actor"].queryset = staff
        self.filters["action"].extra["choices"] = [(a, a) for a in actions]

    def about_record(self, queryset, name, value):
        # Events about a pupil's own records (contacts, plans…) carry the pupil's id in detail.
        return queryset.filter(Q(object_id=str(value)) | Q(detail__pupil=str(value)))
