"""The one source of the provision's figures: what the dashboards, the termly PDFs and every CSV
export show, computed once, in the database.

A figure function takes a ``Scope`` (a school, an inclusive date range, optionally a cohort of
pupils) and returns a ``Figure``: its key, title, one-line definition ("how this is counted", shown
beside it on the page and on the report's method page) and plain data (numbers, or rows of plain
dicts). Figure functions aggregate in PostgreSQL (annotate / aggregate, a fixed number of queries
whatever the data) and run inside the school's scope.

The app modules keep the arithmetic that belongs to their records (``incidents.analysis``,
``reset_area.metrics``, ``interventions.effectiveness``, ``pupils.attendance``); a figure here is
the reporting contract over them, so a page and a PDF cannot count the same thing two ways.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from semh.calendar import years_from
from semh.models import Term


@dataclass(frozen=True)
class Scope:
    """What a figure counts over: ``school``'s records from ``first`` to ``last`` (inclusive
    days), of ``pupils`` only when given (a cohort: a queryset of the school's pupils)."""

    school: Any
    first: date
    last: date
    label: str = ""
    pupils: QuerySet | None = None
    # Aggregates that several figures read (one query for all of them), kept for the life of
    # this scope object: a page or a report builds its scopes, reads them, and drops them.
    # ``dataclasses.replace(scope)`` is the same scope with nothing read yet.
    shared: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def once(self, key: str, compute):
        """``compute()`` the first time ``key`` is asked of this scope; the same answer after."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    @property
    def starts_at(self) -> datetime:
        """Local midnight at the start of ``first`` (for moments: incidents, visits)."""
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def ends_before(self) -> datetime:
        """Local midnight after ``last``: a moment counts when ``starts_at <= t < ends_before``."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def of_cohort(self, pupils: QuerySet, label: str) -> "Scope":
        return Scope(self.school, self.first, self.last, f"{self.label} · {label}", pupils)


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    definition: str
    value: Any
    # For a table: the columns of each row, in order, with their headings. The rows are
    # ``value`` itself (a list) or ``value["rows"]`` (beside totals).
    columns: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[dict]:
        return self.value if isinstance(self.value, list) else self.value["rows"]


# --- Terms: the dashboard's and the report's periods ------------------------------------------


def school_terms(school):
    """The school's terms, latest first (through ``school``, so each term knows its school)."""
    return list(school.terms.select_related("academic_year").order_by("-starts_on"))


def running_term(terms, today: date):
    """The term of ``terms`` running on ``today`` (the earlier begun, should two overlap)."""
    return next((t for t in reversed(terms) if t.starts_on <= today <= t.ends_on), None)


def chosen_term(terms, term_id, today: date):
    """The term asked for (``?term=``), else the one running today, else the latest begun.
    ``terms``: the school's terms, latest first (``school_terms``)."""
    by_id = {str(t.pk): t for t in terms}
    if term_id in by_id:
        return by_id[term_id]
    running = running_term(terms, today)
    if running is not None:
        return running
    return next((t for t in terms if t.starts_on <= today), None)


def term_scope(term: Term, *, today: date | None = None) -> Scope:
    """A term, up to today while it is running."""
    today = today or timezone.localdate()
    return Scope(term.school, term.starts_on, min(term.ends_on, today), str(term))


def previous_term(term: Term, terms) -> Term | None:
    """The latest of ``terms`` (latest first) to end before ``term`` begins."""
    return next((t for t in terms if t.ends_on < term.starts_on), None)


def same_term_last_year(term: Term, terms) -> Term | None:
    """The same season of the academic year before (None if the school did not enter it)."""
    begun = term.academic_year.starts_on
    return next(
        (t for t in terms if t.season == term.season and t.academic_year.starts_on < begun), None
    )


def comparison_scopes(
    term: Term, *, terms=None, today: date | None = None
) -> dict[str, Scope | None]:
    """The term and what each figure is set against: the previous term and the same term last
    year (None where the school has not entered that term). A running term is compared with the
    same number of days of the others, so "so far" is set against "by the same point".
    ``terms``: the school's terms, latest first, when the caller has them (else one query)."""
    today = today or timezone.localdate()
    terms = school_terms(term.school) if terms is None else terms
    now = term_scope(term, today=today)
    days_in = (now.last - now.first).days

    def same_point(other):
        if other is None:
            return None
        last = min(other.ends_on, other.starts_on + timedelta(days=days_in))
        return Scope(now.school, other.starts_on, last, str(other))  # the same school

    return {
        "this": now,
        "previous": same_point(previous_term(term, terms)),
        "last_year": same_point(same_term_last_year(term, terms)),
    }


def range_scopes(school, first: date, last: date) -> dict[str, Scope]:
    """A custom range and what it is set against: as many days just before it, and the same
    dates a year earlier."""
    days = (last - first).days + 1
    before_last = first - timedelta(days=1)
    return {
        "this": Scope(school, first, last, f"{first:%d/%m/%Y} to {last:%d/%m/%Y}"),
        "previous": Scope(
            school,
            before_last - timedelta(days=days - 1),
            before_last,
            f"the {days} day{'s' if days != 1 else ''} before",
        ),
        "last_year": Scope(
            school, years_from(first, -1), years_from(last, -1), "the same dates last year"
        ),
    }
