"""The headline figures of the termly report: what SLT see side by side for their schools, what
governors will read in the PDF, and what the SENCo dashboard's tiles show.

Each ``Headline`` names a figure function of ``reports.figures`` and says how to read from its
value a whole-number ``count`` and, for a share, the ``of`` it is a share of. Adding schools
together is then always the same: the counts are summed, the denominators are summed, and a
share is worked out again from the sums (never an average of the schools' percentages). A rate
such as attendance is summed the same way, from its sessions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django_scopes import scope

from pupils.models import percent, rate_of
from semh.data_version import counted_once

from .figures import (
    Figure,
    Scope,
    chosen_term,
    comparison_scopes,
    school_terms,
)
from .figures.attendance import semh_attendance
from .figures.cohorts import SEMH_REGISTER, shown_share
from .figures.incidents import incident_totals
from .figures.plans import plan_reviews_due, plan_reviews_on_time
from .figures.reset_area import (
    reset_minutes_out_of_learning,
    reset_returned_to_lesson,
    reset_visits,
)
from .figures.restrictive import (
    restrictive_by_kind,
    restrictive_follow_up,
    restrictive_repeat_pupils,
    suspensions_by_reason,
)


def attendance_rate(present: int, possible: int) -> str:
    """Sessions attended of possible sessions, as ``pupils.attendance`` shows a rate ("93.4%")."""
    return percent(rate_of(present, possible))


def _semh_register(value) -> dict:
    return next(row for row in value if row["label"] == SEMH_REGISTER.label)


@dataclass(frozen=True)
class Headline:
    """One headline: its label, the figure it comes from, and how to read the figure's value.

    ``count`` reads the number (a count of records or pupils, minutes, sessions attended); ``of``,
    for a share, the number it is a share of; ``share`` turns the two into what is shown (by
    default a share of pupils or records, none under five: ``cohorts.shown_share``)."""

    key: str
    label: str
    figure: Callable[[Scope], Figure]
    count: Callable[[Any], int]
    of: Callable[[Any], int] | None = None
    share: Callable[[int, int], str | None] = shown_share
    # What the share is of, in words: "7 of 12 interventions" when the share is not shown.
    of_what: str = ""


@dataclass(frozen=True)
class HeadlineValue:
    headline: Headline
    count: int
    of: int | None
    definition: str

    @property
    def is_share(self) -> bool:
        return self.headline.of is not None

    @property
    def share(self) -> str | None:
        return self.headline.share(self.count, self.of) if self.is_share else None

    @property
    def shown(self) -> str:
        """What a page prints: the count, or the share (else "n of m" where it is hidden)."""
        if not self.is_share:
            return f"{self.count}"
        share = self.share
        if share:
            return share
        return " ".join(filter(None, [f"{self.count} of {self.of}", self.headline.of_what]))


def _reviews_dated(value) -> int:
    return value["reviews"] - value["no_review_date"]


HEADLINES = [
    Headline("incidents", "Incidents", incident_totals, lambda v: v["total"]),
    Headline(
        "restrictive",
        "Restraints and seclusions",
        restrictive_by_kind,
        lambda v: sum(row["count"] for row in v),
    ),
    Headline(
        "repeat_restrictive",
        "Pupils with 2 or more restrictive interventions",
        restrictive_repeat_pupils,
        lambda v: v["count"],
    ),
    Headline(
        "parents_same_day",
        "Parents told the same day",
        restrictive_follow_up,
        lambda v: v["parent_report_same_day"],
        of=lambda v: v["interventions"],
        of_what="interventions",
    ),
    Headline("suspensions", "Suspensions", suspensions_by_reason, lambda v: v["count"]),
    Headline("reset_visits", "Reset Area visits", reset_visits, lambda v: v["visits"]),
    Headline(
        "minutes_out",
        "Minutes out of learning",
        reset_minutes_out_of_learning,
        lambda v: v["minutes"] or 0,
    ),
    Headline(
        "returned",
        "Returned to lesson",
        reset_returned_to_lesson,
        lambda v: v["returned"],
        of=lambda v: v["closed_visits"],
        of_what="closed visits",
    ),
    Headline(
        "attendance",
        "SEMH register attendance",
        semh_attendance,
        lambda v: _semh_register(v)["present"],
        of=lambda v: _semh_register(v)["possible"],
        share=attendance_rate,
        of_what="sessions",
    ),
    Headline(
        "reviews_on_time",
        "Reviews held on time",
        plan_reviews_on_time,
        lambda v: v["on_time"],
        of=_reviews_dated,
        of_what="reviews",
    ),
    Headline("reviews_overdue", "Reviews overdue", plan_reviews_due, lambda v: v["overdue"]),
]


def read(headline: Headline, figure: Figure) -> HeadlineValue:
    value = figure.value
    return HeadlineValue(
        headline,
        headline.count(value),
        headline.of(value) if headline.of is not None else None,
        figure.definition,
    )


def school_headlines(scope: Scope) -> list[HeadlineValue]:
    """Every headline of one school over ``scope`` (run inside the school's scope)."""

    def count():
        return {h.figure.__name__: h.figure(scope) for h in HEADLINES}

    whole_school = scope.pupils is None  # a cohort's figures are not kept under the school's
    figures = (
        counted_once(scope.school, f"headlines:{scope.first}..{scope.last}", count)
        if whole_school
        else count()
    )
    return [read(headline, figures[headline.figure.__name__]) for headline in HEADLINES]


def trust_total(columns: list[list[HeadlineValue]]) -> list[HeadlineValue]:
    """The schools' headlines added together: counts summed, denominators summed, each share
    worked out again from the sums. ``columns``: each school's ``school_headlines``."""
    totals = []
    for i, headline in enumerate(HEADLINES):
        values = [column[i] for column in columns]
        totals.append(
            HeadlineValue(
                headline,
                sum(v.count for v in values),
                sum(v.of for v in values) if headline.of is not None else None,
                values[0].definition if values else "",
            )
        )
    return totals


@dataclass(frozen=True)
class SchoolColumn:
    """One school's headlines for its term (``term`` None: no term of the school has begun),
    with the previous term to the same point beside them (None where there is none)."""

    school: Any
    term: Any
    this: Scope | None
    previous: Scope | None
    values: list[HeadlineValue]
    previous_values: list[HeadlineValue] | None

    @property
    def rows(self):
        previous = self.previous_values or [None] * len(self.values)
        return list(zip(self.values, previous, strict=True))


def school_column(school, terms, today: date) -> SchoolColumn:
    """The school's term running on ``today``, else its latest begun term, against the term
    before it (run inside the school's scope). ``terms``: the school's terms, latest first."""
    term = chosen_term(terms, None, today)
    if term is None:
        return SchoolColumn(school, None, None, None, [], None)
    scopes = comparison_scopes(term, terms=terms, today=today)
    previous = scopes["previous"]
    return SchoolColumn(
        school,
        term,
        scopes["this"],
        previous,
        school_headlines(scopes["this"]),
        school_headlines(previous) if previous is not None else None,
    )


def columns_on(schools, on: date) -> list[SchoolColumn]:
    """Each school's column over its term running on ``on``, each read inside its own scope:
    what the SLT page shows and the trust summary prints."""
    columns = []
    for school in schools:
        with scope(school=school):
            columns.append(school_column(school, school_terms(school), on))
    return columns


@dataclass(frozen=True)
class Cell:
    value: HeadlineValue | None  # None: the school has no term begun
    previous: HeadlineValue | None  # None: no previous term


@dataclass(frozen=True)
class Row:
    headline: Headline
    definition: str
    cells: list[Cell]  # one a school, in the order of the columns
    total: Cell | None  # the trust total, with two or more schools


@dataclass(frozen=True)
class SchoolsTable:
    columns: list[SchoolColumn]
    rows: list[Row]
    # The previous term's total leaves out a school with no previous term.
    total_previous_partial: bool

    @property
    def header(self) -> list[str]:
        """The table as a spreadsheet: a figure a row, each school's term and previous term."""
        header = ["Figure"]
        for c in self.columns:
            name = f"{c.school.name}, {c.term}" if c.term else c.school.name
            header += [name, f"{c.school.name}, previous term"]
        if self.rows and self.rows[0].total:
            header += ["Trust total", "Trust total, previous term"]
        return header

    @property
    def lines(self) -> list[list]:
        def shown(value):
            return value.shown if value else None

        lines = []
        for row in self.rows:
            cells = [*row.cells, *([row.total] if row.total else [])]
            values = [shown(v) for cell in cells for v in (cell.value, cell.previous)]
            lines.append([row.headline.label, *values])
        return lines


def schools_table(columns: list[SchoolColumn]) -> SchoolsTable:
    """The headlines as rows, the schools as columns and, with two or more schools with a term,
    the trust total of each (this term and the previous, from the schools that have one)."""
    with_terms = [c for c in columns if c.term is not None]
    previous = [c.previous_values for c in with_terms if c.previous_values is not None]
    total = trust_total([c.values for c in with_terms]) if len(with_terms) >= 2 else None
    total_previous = trust_total(previous) if total and previous else None
    rows = []
    for i, headline in enumerate(HEADLINES):
        cells = [
            Cell(
                c.values[i] if c.term is not None else None,
                c.previous_values[i] if c.previous_values is not None else None,
            )
            for c in columns
        ]
        definition = next((c.values[i].definition for c in with_terms), "")
        rows.append(
            Row(
                headline,
                definition,
                cells,
                Cell(total[i], total_previous[i] if total_previous else None) if total else None,
            )
        )
    return SchoolsTable(columns, rows, bool(total_previous) and len(previous) < len(with_terms))
