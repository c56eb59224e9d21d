"""Reset Area metrics for a date range, aggregated in the database.

Every function runs a fixed number of queries however many visits there are. The median stay is
``percentile_cont(0.5) WITHIN GROUP (ORDER BY stay_minutes)`` on PostgreSQL; SQLite has no
ordered-set aggregates, so there it is read as the one or two middle rows of the stay column
(ORDER BY … LIMIT 2 OFFSET n/2: one more query, at most two rows fetched).

The range a page starts from is the school's one default reporting range,
``semh.calendar.default_range`` (the term so far, else the last 12 weeks).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, Sum
from django.db.models.functions import Coalesce, ExtractIsoWeekDay, TruncWeek
from django.utils import timezone

from pupils.models import Pupil
from semh.calendar import monday_of
from semh.charts import Bar, bar_chart, heatmap
from semh.data_version import counted_once
from semh.models import Period, Term, Weekday

from .models import Reason, Visit, VisitOutcome, Zone

REPEAT_VISITS = 3  # a "repeat visitor" came this many times or more in the range
TOP_PUPILS = 10  # pupils shown with their own weekly trend
OTHER_TIMES = "Other"  # visits outside the timetabled periods (before or after school)
WEEKDAY_NAMES = {d.value + 1: d.label for d in Weekday}  # ISO weekday → name


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate for the median."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def visits_between(school, first, last, *, room=None, pupil=None):
    visits = Visit.objects.filter(school=school).between(first, last)
    if room is not None:
        visits = visits.filter(room=room)
    if pupil is not None:
        visits = visits.filter(pupil=pupil)
    return visits


def summary(visits) -> dict:
    """Headline figures: visits, planned/unplanned, median stay, minutes out of learning, share
    returned to lesson, seclusions, pupils; counts by reason, outcome and zone on arrival."""
    on_postgres = connection.vendor == "postgresql"
    aggregates = {
        "visits": Count("id"),
        "closed": Count("id", filter=Q(stay_minutes__isnull=False)),
        "minutes": Coalesce(Sum("minutes_out_of_learning"), 0),
        "stay_total": Coalesce(Sum("stay_minutes"), 0),
        "seclusions": Count("id", filter=Q(free_to_leave=False)),
        "over_capacity": Count("id", filter=~Q(over_capacity_reason="")),
        "pupils": Count("pupil", distinct=True),
        **{f"reason_{r}": Count("id", filter=Q(reason=r)) for r in Reason.values},
        **{f"outcome_{o}": Count("id", filter=Q(outcome=o)) for o in VisitOutcome.values},
        **{f"zone_{z}": Count("id", filter=Q(zone_on_arrival=z)) for z in Zone.values},
    }
    if on_postgres:
        aggregates["median_stay"] = Median("stay_minutes")
    row = visits.aggregate(**aggregates)
    if not on_postgres:
        row["median_stay"] = _middle_of(visits, row["closed"])
    row["planned"] = row[f"reason_{Reason.PLANNED}"]
    row["unplanned"] = row["visits"] - row["planned"]
    returned = row[f"outcome_{VisitOutcome.RETURNED}"]
    row["returned"] = returned
    row["returned_share"] = round(100 * returned / row["closed"]) if row["closed"] else None
    row["by_reason"] = [(label, row[f"reason_{v}"]) for v, label in Reason.choices]
    row["by_outcome"] = [(label, row[f"outcome_{v}"]) for v, label in VisitOutcome.choices]
    row["by_zone"] = [(v, label, row[f"zone_{v}"]) for v, label in Zone.choices]
    if row["median_stay"] is not None:
        row["median_stay"] = round(float(row["median_stay"]), 1)
    return row


def _middle_of(visits, n):
    """The median stay read as the middle row(s) of the ordered column (SQLite)."""
    if not n:
        return None
    middle = list(
        visits.filter(stay_minutes__isnull=False)
        .order_by("stay_minutes")
        .values_list("stay_minutes", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    return sum(middle) / len(middle)


@dataclass
class Busiest:
    rows: list
    columns: list
    values: dict
    by_weekday: list
    by_period: list

    def chart(self, title):
        return heatmap(self.rows, self.columns, self.values, title=title)


def busiest(visits, school) -> Busiest:
    """Visits by weekday × period of arrival (one query, plus the school's period names)."""
    names, seen = [], set()
    for name in (
        Period.objects.filter(school=school)
        .order_by("starts_at", "weekday")
        .values_list("name", flat=True)
    ):
        if name not in seen:
            seen.add(name)
            names.append(name)
    counts = (
        visits.annotate(weekday=ExtractIsoWeekDay("arrived_at"))
        .values("weekday", "period__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    values, weekdays = {}, {}
    for row in counts:
        day = WEEKDAY_NAMES.get(row["weekday"], "Weekend")
        column = row["period__name"] or OTHER_TIMES
        values[(day, column)] = values.get((day, column), 0) + row["n"]
        weekdays[day] = weekdays.get(day, 0) + row["n"]
    columns = names + ([OTHER_TIMES] if any(c == OTHER_TIMES for _, c in values) else [])
    rows = list(WEEKDAY_NAMES.values()) + (["Weekend"] if "Weekend" in weekdays else [])
    by_period = [(c, sum(v for (_, col), v in values.items() if col == c)) for c in columns]
    return Busiest(
        rows=rows,
        columns=columns,
        values=values,
        by_weekday=[(d, weekdays.get(d, 0)) for d in rows],
        by_period=by_period,
    )


def school_weeks(school, first, last):
    """Mondays of the weeks in the range that overlap a term (every week when none is set)."""
    terms = list(
        Term.objects.filter(school=school, starts_on__lte=last, ends_on__gte=first).values_list(
            "starts_on", "ends_on"
        )
    )
    start = monday_of(first)
    weeks = []
    while start <= last:
        friday = start + timedelta(days=4)
        if not terms or any(s <= friday and e >= start for s, e in terms):
            weeks.append(start)
        start += timedelta(days=7)
    return weeks


def _week_of(value):
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return value.date() if hasattr(value, "date") else value


def weekly(visits, weeks):
    """Visits and minutes per week (one query), every school week of the range present."""
    found = {
        _week_of(row["week"]): row
        for row in visits.annotate(week=TruncWeek("arrived_at"))
        .values("week")
        .annotate(
            n=Count("id"),
            stay=Coalesce(Sum("stay_minutes"), 0),
            minutes=Coalesce(Sum("minutes_out_of_learning"), 0),
        )
        .order_by()
    }
    return [
        {"week": w, **{k: found.get(w, {}).get(k, 0) for k in ("n", "stay", "minutes")}}
        for w in weeks
    ]


def trend(values) -> str:
    """Is a weekly series falling (the reintegration goal), rising or steady? Compares the mean
    of the last third of the weeks with the first third."""
    if len(values) < 3:
        return "too early to say"
    third = max(1, len(values) // 3)
    before = sum(values[:third]) / third
    after = sum(values[-third:]) / third
    if before == after == 0:
        return "none"
    if after < before * 0.8:
        return "falling"
    if after > before * 1.2:
        return "rising"
    return "steady"


def weekly_chart(series, *, title, key="stay", unit=" min"):
    return bar_chart(
        [Bar(f"{s['week']:%d/%m}", s[key]) for s in series], title=title, unit=unit, height=180
    )


@dataclass
class PupilRow:
    pupil: Pupil
    visits: int
    planned: int
    minutes: int
    stay: int
    returned_share: int | None
    weeks: list
    trend: str

    @property
    def chart(self):
        return weekly_chart(
            self.weeks, title=f"{self.pupil.full_name}: minutes in the Reset Area each week"
        )


def pupils_table(visits, term_weeks):
    """Repeat visitors: how many, and the most frequent pupils with each one's weekly trend
    (four queries, bounded to ``TOP_PUPILS`` pupils)."""
    per_pupil = (
        visits.values("pupil_id")
        .annotate(
            n=Count("id"),
            planned=Count("id", filter=Q(reason=Reason.PLANNED)),
            minutes=Coalesce(Sum("minutes_out_of_learning"), 0),
            stay=Coalesce(Sum("stay_minutes"), 0),
            closed=Count("id", filter=Q(stay_minutes__isnull=False)),
            returned=Count("id", filter=Q(outcome=VisitOutcome.RETURNED)),
        )
        .order_by("-n", "pupil_id")
    )
    repeat_count = per_pupil.filter(n__gte=REPEAT_VISITS).count()
    top = list(per_pupil[:TOP_PUPILS])
    ids = [row["pupil_id"] for row in top]
    pupils = Pupil.objects.in_bulk(ids)
    by_week = {}
    for row in (
        visits.filter(pupil_id__in=ids)
        .annotate(week=TruncWeek("arrived_at"))
        .values("pupil_id", "week")
        .annotate(n=Count("id"), stay=Coalesce(Sum("stay_minutes"), 0))
        .order_by()
    ):
        by_week[(row["pupil_id"], _week_of(row["week"]))] = row
    rows = []
    for row in top:
        weeks = [
            {
                "week": w,
                "n": by_week.get((row["pupil_id"], w), {}).get("n", 0),
                "stay": by_week.get((row["pupil_id"], w), {}).get("stay", 0),
            }
            for w in term_weeks
        ]
        rows.append(
            PupilRow(
                pupil=pupils[row["pupil_id"]],
                visits=row["n"],
                planned=row["planned"],
                minutes=row["minutes"],
                stay=row["stay"],
                returned_share=round(100 * row["returned"] / row["closed"])
                if row["closed"]
                else None,
                weeks=weeks,
                trend=trend([w["stay"] for w in weeks]),
            )
        )
    return repeat_count, rows


def room_metrics(school, first, last, *, room=None) -> dict:
    """Everything the metrics page shows for a room (or every room) and a date range: kept
    until the school's data changes (``semh.data_version``)."""
    what = f"reset-area-metrics:{room.pk if room else 'all'}:{first}..{last}"
    return counted_once(school, what, lambda: _room_metrics(school, first, last, room=room))


def _room_metrics(school, first, last, *, room) -> dict:
    visits = visits_between(school, first, last, room=room)
    term_weeks = school_weeks(school, first, last)
    weeks = weekly(visits, term_weeks)
    repeat_count, top = pupils_table(visits, term_weeks)
    found = busiest(visits, school)
    return {
        "summary": summary(visits),
        "busiest": found,
        "heatmap": found.chart("Visits by weekday and period of arrival"),
        "weeks": weeks,
        "weekly_chart": weekly_chart(weeks, title="Visits each week", key="n", unit=""),
        "repeat_count": repeat_count,
        "repeat_threshold": REPEAT_VISITS,
        "top_pupils": top,
    }


def pupil_metrics(pupil, first, last) -> dict:
    """One pupil's use of the Reset Area over a date range, with their weekly trend."""
    visits = visits_between(pupil.school, first, last, pupil=pupil)
    weeks = weekly(visits, school_weeks(pupil.school, first, last))
    found = busiest(visits, pupil.school)
    return {
        "summary": summary(visits),
        "busiest": found,
        "heatmap": found.chart(f"{pupil.full_name}: visits by weekday and period"),
        "weeks": weeks,
        "weekly_chart": weekly_chart(
            weeks, title=f"{pupil.full_name}: minutes in the Reset Area each week"
        ),
        "trend": trend([w["stay"] for w in weeks]),
        "visits": list(
            visits.select_related("room", "period", "restrictive_intervention").order_by(
                "-arrived_at"
            )[:50]
        ),
    }
