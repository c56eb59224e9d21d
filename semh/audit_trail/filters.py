"""The audit trail's search form (input only; the rows come from ``semh.selectors``)."""

import django_filters

from semh.audit import AuditAction
from semh.calendar import any_day
from semh.models import AuditEvent
from semh.widgets import DateInput, LongSelect


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(queryset=None, label="Person", widget=LongSelect)
    # Every action the trail can hold, by name (not a scan of the school's rows for the ones
    # it holds: that read every row at a trust's size).
    action = django_filters.ChoiceFilter(
        choices=sorted(AuditAction.choices, key=lambda choice: choice[1]),
        label="Action",
        widget=LongSelect,
    )
    record = django_filters.UUIDFilter(
        method="naming_record",
        label="Record id",
        help_text="A pupil's (or any record's) id, as in its page address.",
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label="From",
        widget=DateInput(),
        validators=[any_day],
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label="To",
        widget=DateInput(),
        validators=[any_day],
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["actor"].queryset = people

    def naming_record(self, queryset, name, value):
        return queryset.naming(value)
