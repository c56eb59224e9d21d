"""Filters for the incident list and its exports: one FilterSet, so an export is exactly the list.

No filter takes free text, so the filters can be written to the audit trail as they are.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from incidents.analysis import period_names
from incidents.models import (
    FollowUpAction,
    Incident,
    IncidentPupil,
    IncidentStatus,
    Outcome,
    SafeguardingConcern,
    Severity,
    Vocabulary,
    VocabularyKind,
    has_restrictive_intervention,
)
from incidents.selectors import pupils_to_filter_by, recording_staff
from pupils.models import Pupil
from semh import params
from semh.access import Capability
from semh.calendar import DateRange, any_day, default_range
from semh.models import Term
from semh.widgets import DateInput, LongSelect

YES_NO = [("yes", "Yes"), ("no", "No")]
FOLLOW_UP_STATES = [("open", "Some still open"), ("overdue", "Some overdue")]


class VocabularyChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, entry):
        return f"{entry.label} (no longer used)" if not entry.is_active else entry.label


class VocabularyFilter(django_filters.ModelChoiceFilter):
    field_class = VocabularyChoiceField


class IncidentFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label="From",
        widget=DateInput,
        validators=[any_day],
    )
    until = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label="To",
        widget=DateInput,
        validators=[any_day],
    )
    # Shown as a search box with the chosen pupil (``pupil_picker``): a select of every pupil
    # was a thousand options, most of the list page's time and size.
    pupil = django_filters.ModelChoiceFilter(
        queryset=None, method="involving_pupil", label="Pupil", empty_label="Any pupil"
    )
    category = VocabularyFilter(
        queryset=None, label="Category", empty_label="Any", widget=LongSelect
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices, label="Severity", empty_label="Any"
    )
    location = VocabularyFilter(
        queryset=None, label="Where", empty_label="Anywhere", widget=LongSelect
    )
    period = django_filters.ChoiceFilter(
        choices=[],
        field_name="period__name",
        label="Lesson / period",
        empty_label="Any",
        widget=LongSelect,
    )
    staff = django_filters.ModelChoiceFilter(
        queryset=None,
        method="involving_staff",
        label="Staff (reported or involved)",
        empty_label="Anyone",
        widget=LongSelect,
    )
    rpi = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="with_restrictive_intervention",
        label="Restrictive intervention",
        empty_label="Either",
    )
    status = django_filters.ChoiceFilter(
        choices=IncidentStatus.choices, label="Status", empty_label="Any"
    )
    suspension = django_filters.ChoiceFilter(
        choices=YES_NO, method="with_suspension", label="Suspension", empty_label="Either"
    )
    actions = django_filters.ChoiceFilter(
        choices=FOLLOW_UP_STATES,
        method="with_follow_up_actions",
        label="Follow-up actions",
        empty_label="Any",
    )

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, *args, viewer, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.viewer = viewer
        school = self.viewer_school = viewer.school
        self.filters["pupil"].queryset = Pupil.objects.visible_to(viewer)
        entries = Vocabulary.objects.filter(school=school)
        entries = entries.order_by("-is_active", "position", "label")
        self.filters["category"].queryset = entries.filter(kind=VocabularyKind.CATEGORY)
        self.filters["location"].queryset = entries.filter(kind=VocabularyKind.LOCATION)
        self.filters["period"].extra["choices"] = [(name, name) for name in period_names(school)]
        self.filters["staff"].queryset = recording_staff(school)
        if viewer.can(Capability.VIEW_ALL_CONCERNS):
            # Only the DSL may even ask which incidents carry a safeguarding concern.
            self.filters["concern"] = django_filters.ChoiceFilter(
                choices=YES_NO,
                method="with_concern",
                label="Safeguarding concern",
                empty_label="Either",
            )
            self.filters["concern"].parent = self

    def pupil_picker(self) -> dict:
        """What the pupil filter shows: the pupil chosen, when in the viewer's reach, and the
        pupils matching the name typed in its search box (``pupil_name``, never a filter)."""
        chosen = None
        if self.is_bound:
            self.form.is_valid()
            chosen = self.form.cleaned_data.get("pupil")
        text = params.text(self.data.get("pupil_name")) if self.is_bound else ""
        found = pupils_to_filter_by(self.viewer, text, excluding=[chosen] if chosen else [])
        return {"chosen": chosen, "found": found, "searched": bool(text), "text": text}

    def involving_pupil(self, queryset, name, pupil):
        return queryset.filter(pk__in=IncidentPupil.objects.filter(pupil=pupil).values("incident"))

    def involving_staff(self, queryset, name, user):
        involved = Incident.staff_involved.through.objects.filter(user=user)
        return queryset.filter(Q(reported_by=user) | Q(pk__in=involved.values("incident")))

    def with_restrictive_intervention(self, queryset, name, value):
        found = has_restrictive_intervention()
        return queryset.filter(found if value == "yes" else ~found)

    def with_suspension(self, queryset, name, value):
        suspended = Q(outcome=Outcome.SUSPENSION)
        return queryset.filter(suspended if value == "yes" else ~suspended)

    def with_follow_up_actions(self, queryset, name, value):
        actions = FollowUpAction.objects.filter(incident__school=self.viewer_school)
        actions = actions.overdue() if value == "overdue" else actions.open()
        return queryset.filter(pk__in=actions.values("incident"))

    def with_concern(self, queryset, name, value):
        found = Exists(SafeguardingConcern.objects.filter(incident=OuterRef("pk")))
        return queryset.filter(found if value == "yes" else ~found)

    def audit_detail(self) -> dict:
        """The filters in use, as ids and codes (no free text exists to leak)."""
        if not self.is_valid():
            return {}
        return {
            name: self.data.get(name)
            for name in self.filters
            if name in self.form.cleaned_data and self.data.get(name)
        }


class AnalysisRangeForm(forms.Form):
    """The date range of the analysis page; the current term so far when none is given."""

    MAX_DAYS = 731

    start = forms.DateField(label="From", widget=DateInput, validators=[any_day])
    end = forms.DateField(label="To", widget=DateInput, validators=[any_day])

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default_range(school)
        if not self.is_bound:
            self.initial = {"start": self.default.start, "end": self.default.end}
        today = timezone.localdate()
        self.terms = list(
            Term.objects.filter(school=school, starts_on__lte=today)
            .select_related("academic_year")
            .order_by("-starts_on")[:6]
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        elif start and end and (end - start).days > self.MAX_DAYS:
            self.add_error("end", "Choose a range of two years or less.")
        return data

    def date_range(self) -> DateRange:
        if not self.is_bound or not self.is_valid():
            return self.default
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        return DateRange(start, end, f"{start:%d/%m/%Y} to {end:%d/%m/%Y}")
