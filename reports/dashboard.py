"""The SENCo dashboard: the headline of each figure for a term, against the previous term and the
same term last year, with how it is counted and a link to the list behind it.

Every number comes from ``reports.figures``; this module only picks each figure's headline."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from django.urls import reverse
from django.utils.http import urlencode

from incidents.analysis import week_bars
from pupils.models import Pupil
from semh.calendar import range_so_far
from semh.charts import Bar, bar_chart, heatmap
from semh.data_version import counted_once
from semh.forms import DateRangeForm
from semh.models import Term

from .figures import (
    Scope,
    chosen_term,
    comparison_scopes,
    range_scopes,
    running_term,
    school_terms,
)
from .figures.attendance import semh_attendance
from .figures.breakdown import cohort_breakdown
from .figures.cohorts import shown_share
from .figures.concern import pupils_of_concern
from .figures.incidents import (
    incident_totals,
    incidents_by_category,
    incidents_by_location,
    incidents_by_severity,
    incidents_by_trigger,
    incidents_by_week,
    incidents_by_weekday_and_period,
)
from .figures.interventions import (
    intervention_attendance,
    intervention_delivery,
    intervention_programmes,
)
from .figures.plans import (
    plan_reviews_due,
    plan_reviews_on_time,
    plan_voice_recorded,
    targets_by_rating,
)
from .figures.reset_area import (
    reset_minutes_out_of_learning,
    reset_planned_visits,
    reset_returned_to_lesson,
    reset_visits,
)
from .figures.restrictive import (
    restrictive_by_kind,
    restrictive_follow_up,
    restrictive_injuries,
    restrictive_outstanding,
    restrictive_pupils_sen,
    restrictive_repeat_pupils,
    suspensions_by_reason,
)
from .figures.work_waiting import missing_pupils_now, open_actions, review_queue_waiting
from .tables import Table, figure_table, heatmap_table
from .templatetags.figures import pounds


def _of(part: int, whole: int) -> str:
    """ "3 of 7", with the share from five ("6 of 10 (60%)")."""
    share = shown_share(part, whole)
    return f"{part} of {whole}" + (f" ({share})" if share else "")


# The list pages behind the tiles, with the filters that show the tile's records over the period.
INCIDENTS = ("incidents:list", "since", "until", {})
RESTRICTIVE = ("incidents:list", "since", "until", {"rpi": "yes"})
SUSPENSIONS = ("incidents:list", "since", "until", {"suspension": "yes"})
RESET_AREA = ("reset_area:metrics", "date_from", "date_to", {})
PLANS_DUE = ("pupils:plans_due", None, None, {})
EFFECTIVENESS = ("reports:effectiveness", "date_from", "date_to", {})
REVIEW_QUEUE = ("incidents:review_queue", None, None, {})
MEETING_ACTIONS = ("school_home", None, None, {})  # the SENCo's home lists them
FOLLOW_UP_OPEN = ("incidents:list", None, None, {"actions": "open"})
FOLLOW_UP_OVERDUE = ("incidents:list", None, None, {"actions": "overdue"})
RESET_AREA_NOW = ("reset_area:index", None, None, {})  # each room's board lists who is missing


def _waiting(row) -> str:
    """ "7 (2 overdue)"."""
    return f"{row['open']} ({row['overdue']} overdue)"


@dataclass(frozen=True)
class TileSpec:
    figure: Callable
    label: str
    headline: Callable  # the figure's value -> what the tile shows
    link: tuple | None = None  # the list page behind it
    now: bool = False  # as of the period's last day: nothing to set it against


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tiles: list[TileSpec]
    tables: list[str]  # keys of TABLES shown under the tiles
    note: str = ""  # shown under the section's heading


SECTIONS = [
    Section(
        "incidents",
        "Incidents",
        [TileSpec(incident_totals, "Incidents", lambda v: v["total"], INCIDENTS)],
        [
            "incidents_by_category",
            "incidents_by_location",
            "incidents_by_trigger",
            "incidents_by_severity",
        ],
    ),
    Section(
        "restrictive",
        "Restrictive interventions and suspensions",
        [
            TileSpec(
                restrictive_by_kind,
                "Restraints and seclusions",
                lambda v: sum(row["count"] for row in v),
                RESTRICTIVE,
            ),
            TileSpec(
                restrictive_injuries,
                "With an injury",
                lambda v: _of(v["with_either_injured"], v["interventions"]),
                RESTRICTIVE,
            ),
            TileSpec(
                restrictive_repeat_pupils,
                "Pupils with 2 or more",
                lambda v: v["count"],
                RESTRICTIVE,
            ),
            TileSpec(
                restrictive_follow_up,
                "Parents told the same day",
                lambda v: _of(v["parent_report_same_day"], v["interventions"]),
                RESTRICTIVE,
            ),
            TileSpec(
                restrictive_follow_up,
                "Debriefed with the pupil",
                lambda v: _of(v["pupil_debrief"], v["interventions"]),
                RESTRICTIVE,
            ),
            TileSpec(
                restrictive_pupils_sen,
                "Pupils with SEN support or an EHCP",
                lambda v: _of(v["sen_support"] + v["ehcp"], v["pupils"]),
                RESTRICTIVE,
            ),
            TileSpec(suspensions_by_reason, "Suspensions", lambda v: v["count"], SUSPENSIONS),
        ],
        ["restrictive_by_kind", "restrictive_repeat_pupils", "suspensions_by_reason"],
    ),
    Section(
        "reset_area",
        "Reset Area",
        [
            TileSpec(reset_visits, "Visits", lambda v: v["visits"], RESET_AREA),
            TileSpec(
                reset_minutes_out_of_learning,
                "Minutes out of learning",
                lambda v: v["minutes"],
                RESET_AREA,
            ),
            TileSpec(
                reset_returned_to_lesson,
                "Returned to lesson",
                lambda v: _of(v["returned"], v["closed_visits"]),
                RESET_AREA,
            ),
            TileSpec(
                reset_planned_visits,
                "Planned visits",
                lambda v: _of(v["planned"], v["planned"] + v["unplanned"]),
                RESET_AREA,
            ),
        ],
        ["reset_planned_visits"],
    ),
    Section(
        "interventions",
        "Interventions",
        [
            TileSpec(
                intervention_delivery,
                "Sessions delivered of planned",
                lambda v: _of(v["delivered"], v["planned"]),
                EFFECTIVENESS,
            ),
            TileSpec(
                intervention_delivery, "Sessions cancelled", lambda v: v["cancelled"], EFFECTIVENESS
            ),
            TileSpec(
                intervention_attendance,
                "Attendance at sessions",
                lambda v: v["rate"] or f"{v['attended']} of {v['counted']} marks",
                EFFECTIVENESS,
            ),
            TileSpec(
                intervention_programmes,
                "Pupils improved",
                lambda v: _of(v["improved"], v["measured"]),
                EFFECTIVENESS,
            ),
            TileSpec(
                intervention_programmes,
                "Cost per pupil",
                lambda v: pounds(v["cost_per_pupil"]),
                EFFECTIVENESS,
            ),
            TileSpec(
                intervention_programmes,
                "Cost per pupil improved",
                lambda v: pounds(v["cost_per_improved_pupil"]),
                EFFECTIVENESS,
            ),
        ],
        ["intervention_programmes"],
    ),
    Section(
        "attendance",
        "Attendance",
        [
            TileSpec(semh_attendance, "SEMH register", lambda v: v[1]["rate"]),
            TileSpec(semh_attendance, "Whole school", lambda v: v[0]["rate"]),
        ],
        ["semh_attendance"],
    ),
    Section(
        "plans",
        "Plans and reviews",
        [
            TileSpec(
                plan_reviews_due, "Reviews overdue", lambda v: v["overdue"], PLANS_DUE, now=True
            ),
            TileSpec(
                plan_reviews_due, "Reviews due soon", lambda v: v["due_soon"], PLANS_DUE, now=True
            ),
            TileSpec(
                plan_reviews_on_time,
                "Reviews held on time",
                lambda v: _of(v["on_time"], v["on_time"] + v["late"]),
                PLANS_DUE,
            ),
            TileSpec(
                plan_voice_recorded,
                "Plans with the pupil's voice",
                lambda v: _of(v["pupil_voice"], v["plans"]),
            ),
            TileSpec(
                plan_voice_recorded,
                "Plans agreed with parents",
                lambda v: _of(v["agreed_with_parents"], v["plans"]),
            ),
        ],
        ["targets_by_rating"],
    ),
    Section(
        "waiting",
        "Work waiting now",
        [
            TileSpec(
                review_queue_waiting,
                "Incidents waiting for review",
                lambda v: v["waiting"],
                REVIEW_QUEUE,
                now=True,
            ),
            TileSpec(
                open_actions,
                "Open actions from meetings",
                lambda v: _waiting(v["rows"][0]),
                MEETING_ACTIONS,
                now=True,
            ),
            TileSpec(
                open_actions,
                "Open follow-up actions from incidents",
                lambda v: _waiting(v["rows"][1]),
                FOLLOW_UP_OPEN,
                now=True,
            ),
            TileSpec(
                open_actions,
                "Overdue follow-up actions from incidents",
                lambda v: v["rows"][1]["overdue"],
                FOLLOW_UP_OVERDUE,
                now=True,
            ),
            TileSpec(
                missing_pupils_now,
                "Pupils missing from the Reset Area",
                lambda v: v["pupils"],
                RESET_AREA_NOW,
                now=True,
            ),
        ],
        ["open_actions"],
        "As of now, whatever the period chosen above: nothing to set these against.",
    ),
    Section("equity", "Reach and equity", [], ["cohort_breakdown"]),
]


@dataclass(frozen=True)
class TableSpec:
    """A table of the dashboard: its figure, and which column is set against the previous
    period (matched on ``match``), if any."""

    figure: object
    compare: str | None = None
    match: str = "label"


# Every table of the dashboard, by figure key: the page shows them and each can be downloaded.
TABLES = {
    spec.figure.__name__: spec
    for spec in [
        TableSpec(incidents_by_week),
        TableSpec(incidents_by_weekday_and_period),
        TableSpec(incidents_by_category, "count"),
        TableSpec(incidents_by_location, "count"),
        TableSpec(incidents_by_trigger, "count"),
        TableSpec(incidents_by_severity, "count"),
        TableSpec(restrictive_by_kind, "count", "kind"),
        TableSpec(restrictive_repeat_pupils),
        TableSpec(restrictive_outstanding),
        TableSpec(suspensions_by_reason, "count", "label"),
        TableSpec(reset_planned_visits, "visits", "reason"),
        TableSpec(semh_attendance),
        TableSpec(intervention_programmes, "improved", "programme_id"),
        TableSpec(targets_by_rating, "targets", "rating"),
        TableSpec(open_actions),
        TableSpec(cohort_breakdown),
    ]
}


class Figures:
    """Each figure once per scope of a period, however many tiles and tables read it."""

    def __init__(self, period: "Period"):
        self.scopes = period.scopes
        self.made: dict = {}

    def get(self, figure, which: str = "this"):
        if (figure, which) not in self.made:
            self.made[figure, which] = figure(self.scopes[which])
        return self.made[figure, which]


def dashboard_table(key: str, period: "Period", figures: Figures | None = None) -> Table:
    """The dashboard's table ``key`` over ``period``, as the page shows it (KeyError if none)."""
    spec = TABLES[key]
    figures = figures or Figures(period)
    this = figures.get(spec.figure)
    previous = period.scopes.get("previous")
    if spec.figure is incidents_by_weekday_and_period:
        table = heatmap_table(this)
    elif spec.compare is None or previous is None:
        table = figure_table(this)
    else:
        table = figure_table(
            this,
            figures.get(spec.figure, "previous"),
            compare=spec.compare,
            match=spec.match,
            previous_label=previous.label,
        )
    return replace(table, key=key)  # the key its download is asked for by


@dataclass(frozen=True)
class Tile:
    title: str
    label: str
    definition: str
    this: object
    previous: object
    last_year: object
    link: str | None


def _link(school, link, scope):
    if link is None:
        return None
    name, first, last, extra = link
    url = reverse(name, args=[school.slug])
    query = dict(extra)
    if first is not None:
        query |= {first: scope.first.isoformat(), last: scope.last.isoformat()}
    return f"{url}?{urlencode(query)}" if query else url


@dataclass(frozen=True)
class Period:
    """What a dashboard is read over: a term (``?term=``, else the running one) against the
    previous term and the same term last year, or a custom range (``?date_from=&date_to=``)
    against as many days before it and the same dates a year earlier."""

    terms: list
    term: Term | None
    scopes: dict
    form: DateRangeForm
    query: dict  # the query string that asks for this period again (links, exports)

    @property
    def this(self) -> Scope:
        return self.scopes["this"]

    @property
    def query_string(self) -> str:
        return urlencode(self.query)

    @property
    def dates(self) -> str:
        """Every date the period reads, as part of a cache key."""
        return ",".join(
            f"{which}={s.first}..{s.last}" if s else f"{which}=none"
            for which, s in sorted(self.scopes.items())
        )


def requested_period(school, query, today: date) -> Period:
    terms = school_terms(school)
    span = range_so_far(running_term(terms, today), today)
    custom = bool(query.get("date_from") or query.get("date_to"))
    form = DateRangeForm(query if custom else None, default_range=span)
    if custom:
        first, last = form.range()
        return Period(
            terms,
            None,
            range_scopes(school, first, last),
            form,
            {"date_from": first.isoformat(), "date_to": last.isoformat()},
        )
    term = chosen_term(terms, query.get("term"), today)
    if term is None:  # a school with no terms entered: the default range, nothing to compare
        scopes = {"this": Scope(school, span.start, span.end, span.label)}
        return Period(terms, None, scopes, form, {})
    scopes = comparison_scopes(term, terms=terms, today=today)
    return Period(terms, term, scopes, form, {"term": str(term.pk)})


def dashboard(period: Period) -> dict:
    """Everything the SENCo dashboard shows over ``period``: counted once until the data changes,
    so the page, its downloads and the termly report agree."""
    counted = counted_once(period.this.school, f"dashboard:{period.dates}", lambda: _count(period))
    return {"scopes": period.scopes, **counted}


def _count(period: Period) -> dict:
    school, scopes = period.this.school, period.scopes
    this = scopes["this"]
    figures = Figures(period)

    def tile(spec: TileSpec) -> Tile:
        first = figures.get(spec.figure)
        shown = {"this": spec.headline(first.value), "previous": None, "last_year": None}
        if not spec.now:
            for which in ("previous", "last_year"):
                if scopes.get(which) is not None:
                    shown[which] = spec.headline(figures.get(spec.figure, which).value)
        return Tile(
            first.title, spec.label, first.definition, **shown, link=_link(school, spec.link, this)
        )

    tables = {key: dashboard_table(key, period, figures) for key in TABLES}
    sections = [
        {
            "key": section.key,
            "title": section.title,
            "note": section.note,
            "tiles": [tile(spec) for spec in section.tiles],
            "tables": [tables[key] for key in section.tables],
        }
        for section in SECTIONS
    ]
    outstanding = figures.get(restrictive_outstanding)
    ids = [row["pupil_id"] for row in outstanding.value]
    named = {str(p.pk): p for p in Pupil.objects.filter(pk__in=ids)}
    for row in outstanding.value:
        row["pupil"] = named.get(row["pupil_id"])
    return {
        "sections": sections,
        "outstanding": outstanding,
        "concern": figures.get(pupils_of_concern),
        "tables": tables,
        "charts": _charts(tables, this),
    }


def _charts(tables: dict[str, Table], this: Scope) -> dict:
    """SVG charts drawn from the tables the page shows beside them."""
    weeks = tables["incidents_by_week"].rows
    grid = tables["incidents_by_weekday_and_period"]
    periods = grid.header[1:]
    cells = {(row[0], col): n for row in grid.rows for col, n in zip(periods, row[1:], strict=True)}
    return {
        "weeks": bar_chart(
            week_bars([{"week": week, "count": count} for week, count in weeks]),
            title=f"Incidents per week, {this.label}",
            unit=" incidents",
        ),
        "heatmap": heatmap(
            [row[0] for row in grid.rows],
            periods,
            cells,
            title="Incidents by weekday and period",
        ),
        "severity": bar_chart(
            [Bar(row[0], row[1]) for row in tables["incidents_by_severity"].rows],
            title="Incidents by severity",
            unit=" incidents",
            width=320,
            height=200,
        ),
    }
