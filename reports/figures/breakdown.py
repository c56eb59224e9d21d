"""Reach and equity: the period's headline counts for each cohort and year group side by side, in
two queries whatever the number of cohorts, year groups or pupils (the year groups on roll, then
one aggregate): each pupil on roll is read once with their counts (incidents and restrictive
interventions as subqueries, visits and minutes through a join, so the row is grouped per pupil
and PostgreSQL works each subquery out once a pupil) and the cohorts they are in; the counts are
then summed per cohort and year group."""

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


def _count_per_pupil(queryset):
    """Each pupil's number of ``queryset``'s rows, as a subquery (0 for none)."""
    rows = queryset.filter(pupil=OuterRef("pk")).order_by().values("pupil")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def _pupils(scope: Scope):
    """The pupils on roll in the period, one row each, with their counts and their cohorts."""
    incidents = incidents_between(scope.school, scope.first, scope.last, school_incidents(scope))
    main_pupils = IncidentPupil.objects.filter(is_primary=True, incident__in=incidents.values("pk"))
    in_period = Q(
        reset_visits__in=visits_between(scope.school, scope.first, scope.last).values("pk")
    )
    cohorts = {
        f"in_{c.key}": ExpressionWrapper(
            Q(pk__in=cohort_pupils(scope, c).values("pk")), output_field=BooleanField()
        )
        for c in COHORTS
    }
    return on_roll_during(scope).annotate(
        n_incidents=_count_per_pupil(main_pupils),
        n_restrictive=_count_per_pupil(interventions_in(scope)),
        n_visits=Count("reset_visits", filter=in_period),
        n_minutes=Coalesce(Sum("reset_visits__minutes_out_of_learning", filter=in_period), 0),
        **cohorts,
    )


def _sum(field, of):
    return Cast(Coalesce(Sum(field, filter=of), 0), IntegerField())


MEASURES = {
    "pupils": lambda of: Count("pk", filter=of),
    "incidents": lambda of: _sum("n_incidents", of),
    "pupils_with_incidents": lambda of: Count("pk", filter=of & Q(n_incidents__gt=0)),
    "restrictive": lambda of: _sum("n_restrictive", of),
    "reset_visits": lambda of: _sum("n_visits", of),
    "reset_minutes": lambda of: _sum("n_minutes", of),
}


def _groups(scope: Scope) -> list[tuple[str, str, dict]]:
    years = (
        on_roll_during(scope).order_by("year_group").values_list("year_group", flat=True).distinct()
    )
    groups = [(c.key, c.label, Q(**{f"in_{c.key}": True})) for c in COHORTS]
    groups += [(f"year_{y}", YearGroup(y).label, Q(year_group=y)) for y in years]
    found = _pupils(scope).aggregate(
        **{
            f"{key}__{name}": measure(of)
            for key, _, of in groups
            for name, measure in MEASURES.items()
        }
    )
    return [
        (key, label, {name: found[f"{key}__{name}"] for name in MEASURES})
        for key, label, _ in groups
    ]


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
