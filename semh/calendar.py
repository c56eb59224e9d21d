"""The school calendar every figure shares: academic years, terms, school days and the one default
reporting range. A page, a CSV export and a termly PDF that count "this term" all ask here."""

import datetime
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from semh.models import AcademicYear, Term

# Outside every term (holidays, or a school that has not entered its terms) figures cover this many
# weeks up to today.
DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    label: str

    @property
    def weeks(self) -> list[date]:
        """The Monday of every week the range touches."""
        first = monday_of(self.start)
        count = (monday_of(self.end) - first).days // 7 + 1
        return [first + timedelta(weeks=i) for i in range(count)]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def academic_year_start(school, day: date | None = None) -> date:
    """First day of the academic year containing ``day`` (the school's own, else 1 September)."""
    day = day or timezone.localdate()
    year = (
        AcademicYear.objects.filter(school=school, starts_on__lte=day, ends_on__gte=day)
        .values_list("starts_on", flat=True)
        .first()
    )
    if year:
        return year
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def term_containing(school, day: date):
    return (
        Term.objects.filter(school=school).containing(day).select_related("academic_year").first()
    )


def default_range(school, today: date | None = None) -> DateRange:
    """The current term so far; outside every term, the last ``DEFAULT_WEEKS`` weeks."""
    today = today or timezone.localdate()
    return range_so_far(term_containing(school, today), today)


def range_so_far(term, today: date) -> DateRange:
    """``term`` (the one running today) so far; with none running, the last ``DEFAULT_WEEKS``
    weeks."""
    if term is not None:
        return DateRange(term.starts_on, min(term.ends_on, today), f"{term} (so far)")
    start = monday_of(today) - timedelta(weeks=DEFAULT_WEEKS - 1)
    return DateRange(start, today, f"Last {DEFAULT_WEEKS} weeks")


def term_dates(school) -> list[tuple[date, date]]:
    """The school's terms as (first day, last day), earliest first."""
    return list(
        Term.objects.filter(school=school).order_by("starts_on").values_list("starts_on", "ends_on")
    )


def school_days(school, first: date, last: date, *, terms=None) -> list[date]:
    """Weekdays from ``first`` to ``last`` that fall in a term (every weekday when the school has
    entered no terms). ``terms``: the school's ``term_dates``, when the caller has them."""
    terms = term_dates(school) if terms is None else terms
    day, days = first, []
    while day <= last:
        in_term = not terms or any(s <= day <= e for s, e in terms)
        if day.weekday() < 5 and in_term:
            days.append(day)
        day += timedelta(days=1)
    return days


# --- Plausible dates --------------------------------------------------------------------------
# One rule per kind of date, shared by every form and the MIS import, relative to today (the one
# clock). A date outside its rule is a typo (0001-01-01, 9999-12-31), refused on its field.


def years_from(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes the 28th in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DateRule:
    """Dates (or the day of a date and time) from ``years_back`` years before today to
    ``years_ahead`` years after it. Forms use it through ``PlausibleDates``; the import directly."""

    what: str
    years_back: int
    years_ahead: int

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        today = today or timezone.localdate()
        return years_from(today, -self.years_back), years_from(today, self.years_ahead)

    def message(self, today: date | None = None) -> str:
        first, last = self.bounds(today)
        return f"Enter {self.what} between {first:%d/%m/%Y} and {last:%d/%m/%Y}."

    def allows(self, value, today: date | None = None) -> bool:
        if isinstance(value, datetime.datetime):
            # A form's datetime is already in local time; converting one near year 1 or 9999
            # again could overflow.
            value = value.date()
        first, last = self.bounds(today)
        return first <= value <= last


# A pupil's date of birth: of school age up to 25 (an EHCP can run to 25), never in the future.
DATE_OF_BIRTH = DateRule("a date of birth", years_back=30, years_ahead=0)
# Something that happened: an incident, a parent contact, a meeting, a visit, a debrief.
EVENT_DATE = DateRule("a date", years_back=20, years_ahead=0)
# A support plan's start, review and agreement dates; due dates of actions and follow-ups.
PLAN_DATE = DateRule("a plan or review date", years_back=20, years_ahead=5)
# A pupil's time on roll (joining and leaving dates).
ROLL_DATE = DateRule("a date on roll", years_back=20, years_ahead=1)
# A planned Reset Area placement.
PLACEMENT_DATE = DateRule("a placement date", years_back=2, years_ahead=2)


class PlausibleDates:
    """Form mixin: ``date_rules`` holds each named date (or date and time) field to its rule.

    Checked after the fields' own checks (a more precise "that is in the future" wins) and before
    the form's ``clean``, so rules comparing two dates never see an implausible one."""

    date_rules: dict[str, DateRule] = {}

    def clean(self):
        for name, rule in self.date_rules.items():
            value = self.cleaned_data.get(name)
            if value is not None and not rule.allows(value):
                self.add_error(name, ValidationError(rule.message(), code="implausible"))
        return super().clean()


# The days a page may be asked about in its address or a date-range filter: wide enough for any
# school record, far from the calendar's own ends (the week before 1 January of year 1 does not
# exist, and 9999-12-31 plus a day overflows).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def any_day(value) -> None:
    """A form validator for a day to search by: refused outside ``EARLIEST_DAY``–``LATEST_DAY``."""
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            f"Enter a date between {EARLIEST_DAY:%d/%m/%Y} and {LATEST_DAY:%d/%m/%Y}.",
            code="out_of_range",
        )
