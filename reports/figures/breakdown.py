"""Reach and equity: the period's headline counts for each cohort and year group side by side,
one query per measure whatever the number of cohorts (a filtered count per cohort)."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from incidents.analysis import incidents_between
from incidents.models import IncidentPupil
from pupils.models import YearGroup
from reset_area.metrics import visits_between

from . import Figure, Scope
from .cohorts import COHORTS, cohort_pupils, on_roll_during, shown_share, year_group_pupils
from .incidents import school_incidents
from .restrictive import interventions_in


def _groups(scope: Scope) -> list[tuple[str, str, object]]:
    groups = [(c.key, c.label, cohort_pupils(scope, c)) for c in COHORTS]
    years = (
        on_roll_during(scope).order_by("year_group").values_list("year_group", flat=True).distinct()
    )
    groups += [(f"year_{y}", YearGroup(y).label, year_group_pupils(scope, y)) for y in years]
    return groups


def _per_group(queryset, groups, path, aggregate=Count, field="pk", **options):
    def of(pupils):
        value = aggregate(field, filter=Q(**{f"{path}__in": pupils.values("pk")}), **options)
        return Coalesce(value, 0) if aggregate is Sum else value

    return queryset.aggregate(**{key: of(pupils) for key, _, pupils in groups})


def cohort_breakdown(scope: Scope) -> Figure:
    groups = _groups(scope)
    incidents = incidents_between(scope.school, scope.first, scope.last, school_incidents(scope))
    main_pupils = IncidentPupil.objects.filter(is_primary=True, incident__in=incidents.values("pk"))
    visits = visits_between(scope.school, scope.first, scope.last)
    pupils = _per_group(on_roll_during(scope), groups, "pk")
    incident_counts = _per_group(main_pupils, groups, "pupil")
    involved = _per_group(main_pupils, groups, "pupil", field="pupil", distinct=True)
    restrictive = _per_group(interventions_in(scope), groups, "pupil")
    visit_counts = _per_group(visits, groups, "pupil")
    minutes = _per_group(visits, groups, "pupil", Sum, field="minutes_out_of_learning")
    rows = [
        {
            "cohort": key,
            "label": label,
            "pupils": pupils[key],
            "incidents": incident_counts[key],
            "pupils_with_incidents": involved[key],
            "share_with_incidents": shown_share(involved[key], pupils[key]),
            "restrictive": restrictive[key],
            "reset_visits": visit_counts[key],
            "reset_minutes": minutes[key],
        }
        for key, label, _ in groups
    ]
    return Figure(
        "cohort_breakdown",
        "Cohorts and year groups",
        "For each cohort (as defined beside it) and year group, of pupils on roll at some point in "
        "the period: how many pupils; incidents in the period with one of them as the main pupil, "
        "and how many of them were that main pupil (the share from five pupils); restrictive "
        "interventions; Reset Area visits begun and their minutes out of learning. A pupil is in "
        "every cohort that applies, so the rows overlap.",
        {"rows": rows},
        [
            ("label", "Cohort"),
            ("pupils", "Pupils"),
            ("incidents", "Incidents"),
            ("pupils_with_incidents", "Pupils with incidents"),
            ("share_with_incidents", "Share with incidents"),
            ("restrictive", "Restrictive interventions"),
            ("reset_visits", "Reset Area visits"),
            ("reset_minutes", "Minutes out of learning"),
        ],
    )
