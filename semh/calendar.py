"""The school calendar every figure shares: academic years, terms, school days and the one default
reporting range. A page, a CSV export and a termly PDF that count "this term" all ask here."""

import datetime
from dataclasses import dataclass
from datetime import date, timedelta

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
    term = term_containing(school, today)
    if term is not None:
        return DateRange(term.starts_on, min(term.ends_on, today), f"{term} (so far)")
    start = monday_of(today) - timedelta(weeks=DEFAULT_WEEKS - 1)
    return DateRange(start, today, f"Last {DEFAULT_WEEKS} weeks")


def school_days(school, first: date, last: date) -> list[date]:
    """Weekdays from ``first`` to ``last`` that fall in a term (every weekday when the school has
    entered no terms)."""
    terms = list(Term.objects.filter(school=school).values_list("starts_on", "ends_on"))
    day, days = first, []
    while day <= last:
        in_term = not terms or any(s <= day <= e for s, e in terms)
        if day.weekday() < 5 and in_term:
            days.append(day)
        day += timedelta(days=1)
    return days
