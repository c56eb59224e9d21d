"""The termly provision-effectiveness report, and its governors' anonymised version.

Every number is the SENCo dashboard's for the term (``requested_period`` + ``dashboard``: the same
tiles, tables, charts and definitions), plus the few figures the dashboard does not show, each a
figure function over the same scopes (so their shared aggregates are read once). The governors'
version is the same report with: no pupil named (no initials either), no free text, no table of
pupils, no chart (a chart prints its small counts), and every count from 1 to 4 shown as "fewer
than 5" (``tables.anonymised`` for tables, ``anonymised_value`` for the headline figures).
"""

import re
from dataclasses import dataclass, field

from django.utils import timezone

from ..dashboard import dashboard, requested_period
from ..figures import school_terms
from ..figures.cohorts import COHORTS, FEWER_THAN, SMALL_NUMBER, shown_count
from ..figures.interventions import intervention_reviews
from ..figures.restrictive import restrictive_follow_up, restrictive_injuries
from ..tables import Table, anonymised, figure_table
from . import KINDS, DocumentError
from .layout import file_name, make_pdf

TEMPLATE = "reports/print/termly.html"
# Tables of the dashboard that list pupils by name: never in the governors' version.
PUPIL_TABLES = {"restrictive_repeat_pupils", "restrictive_outstanding"}


@dataclass
class Chapter:
    key: str
    title: str
    tiles: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    note: str = ""


_OF = re.compile(r"^(\d+) of (\d+)(?: \((\d+%)\))?$")


def anonymised_value(value):
    """A headline as governors see it: a count from 1 to 4 is "fewer than 5"; in "3 of 12
    (25%)" the part is hidden the same way, and then so is the share (it would give it away)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return shown_count(value, anonymised=True)
    if isinstance(value, str) and (found := _OF.match(value)):
        part, whole, share = int(found[1]), int(found[2]), found[3]
        shown_part = shown_count(part, anonymised=True)
        shown_whole = shown_count(whole, anonymised=True)
        hidden = shown_part != part or shown_whole != whole
        return f"{shown_part} of {shown_whole}" + (f" ({share})" if share and not hidden else "")
    return value


def _tile_row(tile, governors: bool):
    values = [tile.this, tile.previous, tile.last_year]
    if governors:
        values = [anonymised_value(v) for v in values]
    return {"tile": tile, "values": values}


def _dict_table(key, title, definition, rows: list[tuple[str, object]]) -> Table:
    return Table(key, title, definition, ["", "Number"], [[label, n] for label, n in rows])


def _term_of(school, params):
    terms = school_terms(school)
    wanted = str(params.get("term") or "")
    term = next((t for t in terms if str(t.pk) == wanted), None)
    if term is None:
        raise DocumentError("That term is not one of this school's terms.")
    return term


def termly_context(school, params: dict, *, governors: bool, today=None, progress=None) -> dict:
    progress = progress or (lambda percent, stage: None)
    today = today or timezone.localdate()
    term = _term_of(school, params)
    period = requested_period(school, {"term": str(term.pk)}, today)
    this = period.this
    progress(10, "Working out the figures")
    board = dashboard(period)
    sections = {s["key"]: s for s in board["sections"]}
    tables = board["tables"]
    progress(50, "Adding the figures the dashboard does not show")
    injuries = restrictive_injuries(this).value  # the scope's shared aggregate, read already
    follow_up = restrictive_follow_up(this)
    reviews = intervention_reviews(this)

    def shown(table: Table) -> Table | None:
        if not governors:
            return table
        if table.key in PUPIL_TABLES:
            return None
        return anonymised(table)

    def chapter(key, title, section=None, *, tiles=None, table_keys=None, extra=(), note=""):
        section = sections.get(section or key)
        chosen = tiles if tiles is not None else (section["tiles"] if section else [])
        keys = table_keys if table_keys is not None else []
        found = [shown(tables[k]) for k in keys] + [shown(t) for t in extra]
        return Chapter(
            key,
            title,
            [_tile_row(t, governors) for t in chosen],
            [t for t in found if t is not None],
            note=note or (section["note"] if section else ""),
        )

    restrictive_tiles = sections["restrictive"]["tiles"]
    charts = board["charts"]
    incidents = chapter(
        "incidents",
        "Incidents and patterns",
        table_keys=[
            "incidents_by_category",
            "incidents_by_location",
            "incidents_by_trigger",
            "incidents_by_severity",
        ],
    )
    if governors:
        incidents.tables.insert(0, shown(tables["incidents_by_week"]))
    else:
        incidents.charts = [charts["weeks"], charts["heatmap"], charts["severity"]]
    injury_table = _dict_table(
        "restrictive_injuries",
        "Injuries",
        restrictive_injuries(this).definition,
        [
            ("Restrictive interventions", injuries["interventions"]),
            ("The pupil was injured", injuries["with_pupil_injured"]),
            ("A member of staff was injured", injuries["with_staff_injured"]),
            ("Either was injured", injuries["with_either_injured"]),
        ],
    )
    fv = follow_up.value
    follow_table = _dict_table(
        "restrictive_follow_up",
        "Reports to parents and debriefs",
        follow_up.definition,
        [
            ("Report to parents made the same day", fv["parent_report_same_day"]),
            ("Report made on a later day", fv["parent_report_later"]),
            ("Not made (reason and local authority recorded)", fv["parent_report_not_made"]),
            ("Not yet recorded", fv["parent_report_missing"]),
            ("Debrief with the pupil recorded", fv["pupil_debrief"]),
        ],
    )
    outstanding = board["outstanding"]
    restrictive = chapter(
        "restrictive",
        "Restrictive interventions and seclusion",
        tiles=[t for t in restrictive_tiles if t.label != "Suspensions"],
        table_keys=["restrictive_by_kind"],
        extra=[injury_table, follow_table, tables["restrictive_repeat_pupils"]],
    )
    outstanding_table = shown(tables["restrictive_outstanding"])
    chapters = [
        incidents,
        restrictive,
        chapter(
            "suspensions",
            "Suspensions by DfE reason",
            "restrictive",
            tiles=[t for t in restrictive_tiles if t.label == "Suspensions"],
            table_keys=["suspensions_by_reason"],
        ),
        chapter(
            "reset_area", "Reset Area use and reintegration", table_keys=["reset_planned_visits"]
        ),
        chapter(
            "interventions",
            "Interventions",
            table_keys=["intervention_programmes"],
            extra=[figure_table(reviews)],
        ),
        chapter("plans", "Plan and review health", table_keys=["targets_by_rating"]),
        chapter("attendance", "Attendance of the SEMH register", table_keys=["semh_attendance"]),
        chapter("equity", "Reach and equity", table_keys=["cohort_breakdown"]),
    ]
    concern = board["concern"]
    waiting = chapter("waiting", "Work waiting now", table_keys=["open_actions"])
    progress(60, "Laying out the report")

    method = _method(board, [injury_table, follow_table, figure_table(reviews)], concern)
    summary = [
        {"section": s["title"], "rows": [_tile_row(t, governors) for t in s["tiles"]]}
        for s in board["sections"]
        if s["tiles"]
    ]
    kind = "termly_governors" if governors else "termly"
    return {
        "kind": kind,
        "kind_label": KINDS[kind],
        "governors": governors,
        "school": school,
        "term": term,
        "period": period,
        "this": this,
        "previous": period.scopes.get("previous"),
        "last_year": period.scopes.get("last_year"),
        "summary": summary,
        "chapters": chapters,
        "outstanding": outstanding,
        "outstanding_table": outstanding_table,
        "outstanding_count": shown_count(len(outstanding.value), anonymised=governors),
        "concern": concern,
        "concern_count": shown_count(len(concern.value), anonymised=governors),
        "waiting": waiting,
        "cohorts": COHORTS,
        "method": method,
        "fewer_than": FEWER_THAN,
        "small_number": SMALL_NUMBER,
    }


def _method(board, extra_tables, concern) -> list[tuple[str, str]]:
    """Each figure the report prints, once, with its definition (the dashboard's words)."""
    seen, found = set(), []

    def add(title, definition):
        if title not in seen and definition:
            seen.add(title)
            found.append((title, definition))

    for section in board["sections"]:
        for tile in section["tiles"]:
            add(tile.title, tile.definition)
        for table in section["tables"]:
            add(table.title, table.definition)
    for table in extra_tables:
        add(table.title, table.definition)
    add(board["tables"]["incidents_by_week"].title, board["tables"]["incidents_by_week"].definition)
    heat = board["tables"]["incidents_by_weekday_and_period"]
    add(heat.title, heat.definition)
    add(board["outstanding"].title, board["outstanding"].definition)
    add(concern.title, concern.definition)
    return found


def _title(term, governors: bool) -> str:
    return f"{KINDS['termly_governors' if governors else 'termly']}, {term}"


def _render(school, params, progress, governors: bool):
    context = termly_context(school, params, governors=governors, progress=progress)
    term = context["term"]
    progress(70, "Making the PDF")
    rendered = make_pdf(
        TEMPLATE,
        context,
        title=_title(term, governors),
        author=school.name,
        filename=file_name(
            school.slug,
            "termly-governors" if governors else "termly",
            term.get_season_display(),
            term.academic_year.name.replace("/", "-"),
        ),
    )
    progress(100, "Done")
    return rendered


def render_termly(school, params, progress):
    return _render(school, params, progress, governors=False)


def render_governors(school, params, progress):
    return _render(school, params, progress, governors=True)
