"""Incident figures for a date range, aggregated in the database.

Every function takes the school, the first and last day of the range, and a queryset of the
incidents the viewer may see, and returns plain data (lists, dicts, numbers), so the analysis page,
the pupil timeline and the SLT PDF reports share one set of sums. No function loops over incidents:
counting is ``values()`` + ``Count``/``Sum`` in SQL; Python only lays out the handful of groups.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import ExtractIsoWeekDay, TruncWeek
from django.utils import timezone

from incidents.models import (
    Incident,
    IncidentPupil,
    Outcome,
    RestrictiveIntervention,
    Severity,
    has_restrictive_intervention,
)
from incidents.selectors import visible_incidents
from semh.access import Capability
from semh.calendar import DateRange, default_range
from semh.charts import Bar, bar_chart, heatmap
from semh.data_version import counted_once
from semh.models import Period

OUTSIDE_LESSONS = "Outside lessons"
NOT_RECORDED = "Not recorded"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIMELINE_LIMIT = 20


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def incidents_between(school, start: date, end: date, incidents):
    """The visible incidents that happened from ``start`` to ``end`` (UK dates, inclusive).

    Re-selected by primary key, so however ``incidents`` was built (joins, distinct), each
    incident counts once.
    """
    return Incident.objects.filter(
        school=school,
        pk__in=incidents.order_by().values("pk"),
        occurred_at__gte=_local_midnight(start),
        occurred_at__lt=_local_midnight(end + timedelta(days=1)),
    ).order_by()


def counts_by_week(school, start, end, incidents) -> list[dict]:
    """``[{"week": Monday, "count": n}]`` for every week of the range, empty weeks included."""
    found = dict(
        incidents_between(school, start, end, incidents)
        .annotate(week=TruncWeek("occurred_at", output_field=DateField()))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    weeks = DateRange(start, end, "").weeks
    return [{"week": week, "count": found.get(week, 0)} for week in weeks]


def period_names(school) -> list[str]:
    """The school's period names in the order of the day (P1, P2, Break, P3…)."""
    return list(
        Period.objects.filter(school=school)
        .values("name")
        .annotate(first=Min("starts_at"))
        .order_by("first", "name")
        .values_list("name", flat=True)
    )


def weekday_period_heatmap(school, start, end, incidents) -> dict:
    """Counts per weekday × period name; incidents with no period go to "Outside lessons"."""
    cells = (
        incidents_between(school, start, end, incidents)
        .annotate(day=ExtractIsoWeekDay("occurred_at"))
        .values("day", "period__name")
        .annotate(n=Count("pk"))
    )
    values: dict[tuple[str, str], int] = {}
    for cell in cells:  # one row per (weekday, period) group, not per incident
        key = (WEEKDAYS[cell["day"] - 1], cell["period__name"] or OUTSIDE_LESSONS)
        values[key] = values.get(key, 0) + cell["n"]
    columns = [*period_names(school), OUTSIDE_LESSONS]
    columns += sorted({col for _, col in values} - set(columns))
    weekend = [d for d in WEEKDAYS[5:] if any(row == d for row, _ in values)]
    rows = WEEKDAYS[:5] + weekend
    return {
        "rows": rows,
        "columns": columns,
        "values": values,
        "table": [(row, [values.get((row, col), 0) for col in columns]) for row in rows],
    }


def _counts_by_label(queryset, field: str) -> list[dict]:
    rows = (
        queryset.values(label=F(f"{field}__label"))
        .annotate(count=Count("pk"))
        .order_by("-count", F("label").asc(nulls_last=True))
    )
    return [{"label": r["label"] or NOT_RECORDED, "count": r["count"]} for r in rows]


def counts_by_location(school, start, end, incidents) -> list[dict]:
    return _counts_by_label(incidents_between(school, start, end, incidents), "location")


def counts_by_trigger(school, start, end, incidents) -> list[dict]:
    return _counts_by_label(incidents_between(school, start, end, incidents), "trigger")


def counts_by_category(school, start, end, incidents) -> list[dict]:
    return _counts_by_label(incidents_between(school, start, end, incidents), "category")


def counts_by_severity(school, start, end, incidents) -> list[dict]:
    """Every severity, least to most severe, with its count (zero included)."""
    found = dict(
        incidents_between(school, start, end, incidents)
        .values("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    return [{"label": s.label, "count": found.get(s.value, 0)} for s in Severity]


def counts_by_outcome(school, start, end, incidents) -> list[dict]:
    found = dict(
        incidents_between(school, start, end, incidents)
        .values("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return [{"label": o.label, "count": found.get(o.value, 0)} for o in Outcome]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def summary(school, start, end, incidents) -> dict:
    """Totals: incidents, how many ended with a return to lesson, and restrictive interventions."""
    base = incidents_between(school, start, end, incidents)
    totals = base.aggregate(
        total=Count("pk"),
        returned=Count("pk", filter=Q(outcome=Outcome.RETURNED)),
        with_restrictive=Count("pk", filter=Q(restrictive_intervention__isnull=False)),
    )
    restrictive = RestrictiveIntervention.objects.filter(incident__in=base.values("pk")).aggregate(
        count=Count("pk"),
        duration=Sum(
            ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
        ),
    )
    duration = restrictive["duration"] or timedelta(0)
    return {
        "total": totals["total"],
        "returned_to_lesson": totals["returned"],
        "returned_share": _share(totals["returned"], totals["total"]),
        "incidents_with_restrictive": totals["with_restrictive"],
        "incidents_without_restrictive": totals["total"] - totals["with_restrictive"],
        "restrictive_count": restrictive["count"],
        "restrictive_minutes": round(duration.total_seconds() / 60),
    }


def strategies_and_restrictive(school, start, end, incidents) -> list[dict]:
    """Per de-escalation strategy: how often it was tried in incidents that did and did not end
    in a restrictive intervention, and the share of each kind of incident it was tried in."""
    base = incidents_between(school, start, end, incidents)
    totals = base.aggregate(
        restrictive=Count("pk", filter=Q(restrictive_intervention__isnull=False)),
        other=Count("pk", filter=Q(restrictive_intervention__isnull=True)),
    )
    through = Incident.strategies.through
    with_restrictive = RestrictiveIntervention.objects.filter(incident=OuterRef("incident"))
    rows = (
        through.objects.filter(incident__in=base.values("pk"))
        .annotate(escalated=Exists(with_restrictive))
        .values(label=F("vocabulary__label"))
        .annotate(
            in_restrictive=Count("incident", filter=Q(escalated=True)),
            in_other=Count("incident", filter=Q(escalated=False)),
        )
        .order_by("-in_restrictive", "-in_other", "label")
    )
    return [
        {
            "label": r["label"],
            "in_restrictive": r["in_restrictive"],
            "in_other": r["in_other"],
            "share_of_restrictive": _share(r["in_restrictive"], totals["restrictive"]),
            "share_of_other": _share(r["in_other"], totals["other"]),
            "escalated_share": _share(r["in_restrictive"], r["in_restrictive"] + r["in_other"]),
        }
        for r in rows
    ]


def week_bars(weeks: list[dict]) -> list[Bar]:
    return [Bar(f"{w['week']:%d/%m}", w["count"]) for w in weeks]


def analysis_charts(figures: dict, span: DateRange) -> dict:
    """The SVG charts for ``incident_analysis`` figures (the page shows the tables too)."""
    grid = figures["heatmap"]
    return {
        "week_chart": bar_chart(
            week_bars(figures["weeks"]),
            title=f"Incidents per week, {span.label}",
            unit=" incidents",
        ),
        "heatmap_chart": heatmap(
            grid["rows"], grid["columns"], grid["values"], title="Incidents by weekday and period"
        ),
        "severity_chart": bar_chart(
            [Bar(row["label"], row["count"]) for row in figures["by_severity"]],
            title="Incidents by severity",
            unit=" incidents",
            width=320,  # four bars: fits a column of the page at its own size, text unscaled
            height=200,
        ),
    }


def incident_analysis(*, school, start, end, incidents) -> dict:
    """Everything the analysis page (and the termly report) shows for one range."""
    args = (school, start, end, incidents)
    return {
        "weeks": counts_by_week(*args),
        "heatmap": weekday_period_heatmap(*args),
        "by_location": counts_by_location(*args),
        "by_trigger": counts_by_trigger(*args),
        "by_category": counts_by_category(*args),
        "by_severity": counts_by_severity(*args),
        "by_outcome": counts_by_outcome(*args),
        "summary": summary(*args),
        "strategies": strategies_and_restrictive(*args),
    }


def analysis_for(viewer, start, end) -> dict:
    """``incident_analysis`` of the incidents ``viewer`` (a SchoolAccess) may open. Everyone who
    may open all the school's incidents sees the same figures, so those are kept until the data
    changes (``semh.data_version``); a viewer who may open fewer has theirs counted afresh."""
    school = viewer.school

    def count():
        visible = visible_incidents(viewer)
        return incident_analysis(school=school, start=start, end=end, incidents=visible)

    if not viewer.can(Capability.VIEW_ALL_PUPILS):
        return count()
    return counted_once(school, f"incident-analysis:{start}..{end}", count)


def pupil_incident_timeline(viewer, pupil, *, today=None, limit=TIMELINE_LIMIT) -> dict:
    """A pupil's incidents (as primary or involved), newest first, and a weekly count.

    Only what an incident list row shows: never whether a safeguarding concern was raised.
    """
    involving = visible_incidents(viewer).filter(
        pk__in=IncidentPupil.objects.filter(pupil=pupil).values("incident")
    )
    recent = list(
        involving.select_related("category", "location", "period")
        .annotate(
            is_primary_here=Exists(
                IncidentPupil.objects.filter(incident=OuterRef("pk"), pupil=pupil, is_primary=True)
            ),
            has_restrictive=has_restrictive_intervention(),
        )
        .order_by("-occurred_at")[:limit]
    )
    span = default_range(pupil.school, today)
    weeks = counts_by_week(pupil.school, span.start, span.end, involving)
    return {
        "timeline_incidents": recent,
        "timeline_total": involving.count(),
        "timeline_range": span,
        "timeline_weeks": weeks,
        "timeline_chart": bar_chart(
            week_bars(weeks), title=f"Incidents per week, {span.label}", unit=" incidents"
        ),
    }
