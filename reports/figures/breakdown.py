"""Reach and equity: the period's headline counts for each cohort and year group side by side, in
one query whatever the number of pupils: each pupil on roll is read once with their counts
(incidents as the main pupil, restrictive interventions, Reset Area visits and their minutes, as
subqueries) and the cohorts they are in, and PostgreSQL sums them per combination of cohorts and
year group; Python only adds up those few groups (at most 2⁵ × the year groups) for each row."""

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce

from incidents.analysis import incidents_between
from incidents.models import IncidentPupil
from pupils.models import YearGroup
from reset_area.metrics import visits_between

from . import Figure, Scope
from .cohorts import COHORTS, cohort_pupils, on_roll_during, shown_share
from .incidents import school_incidents
from .restrictive import interventions_in

MEASURES = ["pupils", "incidents", "pupils_with_incidents", "restrictive", "reset_visits"]
MEASURES += ["reset_minutes"]


def _per_pupil(queryset, value=None):
    """Each pupil's number of ``queryset``'s rows (or ``value``), as a subquery (0 for none)."""
    rows = queryset.filter(pupil=OuterRef("pk")).order_by().values("pupil")
    found = rows.annotate(n=value or Count("pk")).values("n")
    return Coalesce(Subquery(found, output_field=IntegerField()), 0)


def _sum(expression):
    return Cast(Sum(expression), IntegerField())


def _group_rows(scope: Scope) -> list[dict]:
    """The measures summed per combination of cohorts (``in_<key>``) and year group (one query)."""
    incidents = incidents_between(scope.school, scope.first, scope.last, school_incidents(scope))
    main_pupils = IncidentPupil.objects.filter(is_primary=True, incident__in=incidents.values("pk"))
    visits = visits_between(scope.school, scope.first, scope.last)
    cohorts = {
        f"in_{c.key}": ExpressionWrapper(
            Q(pk__in=cohort_pupils(scope, c).values("pk")), output_field=BooleanField()
        )
        for c in COHORTS
    }
    incident_count = _per_pupil(main_pupils)
    return list(
        on_roll_during(scope)
        .annotate(**cohorts)
        .values("year_group", *cohorts)
        .annotate(
            pupils=Count("pk"),
            incidents=_sum(incident_count),
            pupils_with_incidents=Count("pk", filter=Q(pk__in=main_pupils.values("pupil"))),
            restrictive=_sum(_per_pupil(interventions_in(scope))),
            reset_visits=_sum(_per_pupil(visits)),
            reset_minutes=_sum(_per_pupil(visits, Sum("minutes_out_of_learning"))),
        )
        .order_by()
    )


def _groups(scope: Scope) -> list[tuple[str, str, dict]]:
    rows = _group_rows(scope)

    def total(of) -> dict:
        return {name: sum(row[name] for row in rows if of(row)) for name in MEASURES}

    groups = [(c.key, c.label, total(lambda row, c=c: row[f"in_{c.key}"])) for c in COHORTS]
    years = sorted({row["year_group"] for row in rows})
    groups += [
        (f"year_{y}", YearGroup(y).label, total(lambda row, y=y: row["year_group"] == y))
        for y in years
    ]
    return groups


def cohort_breakdown(scope: Scope) -> Figure:
    rows = [
        {
            "cohort": key,
            "label": label,
            "pupils": counts["pupils"],
            "incidents": counts["incidents"],
            "pupils_with_incidents": counts["pupils_with_incidents"],
            "share_with_incidents": shown_share(counts["pupils_with_incidents"], counts["pupils"]),
            "restrictive": counts["restrictive"],
            "reset_visits": counts["reset_visits"],
            "reset_minutes": counts["reset_minutes"],
        }
        for key, label, counts in _groups(scope)
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
