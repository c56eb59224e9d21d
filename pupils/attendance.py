"""Attendance figures, the one home: rate, persistent and severe absence, per pupil and cohort.

As the DfE counts sessions:

- **Rate** = present ÷ possible. ``present`` is what the MIS exports as present, which we assume
  already includes approved educational activity (codes B, J, P, V, W, K); late before the
  register closes is present. Sessions where attendance is not required (X) are not possible.
- **Persistently absent**: missed 10% or more of possible sessions, i.e. absent ≥ 10% — a rate of
  90.0% IS persistent absence, 90.1% is not.
- **Severely absent**: missed 50% or more — a rate of 50.0% IS severe absence.

Absent sessions = possible − present (authorised + unauthorised, plus anything the MIS left
unclassified). A pupil over a range sums every record that overlaps it. All sums run in the DB.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce

from pupils.models import (
    AttendanceRecord,
    PrimaryNeed,
    Pupil,
    SenStatus,
    YearGroup,
    percent,
    rate_of,
)
from semh import charts
from semh.calendar import academic_year_start, term_containing

PERSISTENT_ABSENCE = Decimal("0.10")  # missed this share or more of possible sessions
SEVERE_ABSENCE = Decimal("0.50")


def is_persistent(present: int, possible: int) -> bool:
    # Integers only: absent / possible ≥ 10%  ⇔  10 × absent ≥ possible.
    return bool(possible) and (possible - present) * 10 >= possible


def is_severe(present: int, possible: int) -> bool:
    return bool(possible) and (possible - present) * 2 >= possible


# The same two rules over a pupil's summed sessions in the database (``per_pupil`` annotations):
# only pupils with possible sessions are counted, so ``possible`` is never 0 here.
_ABSENT = F("att_possible") - F("att_present")
PERSISTENT_IN_DB = Q(att_absent_x10__gte=F("att_possible"))
SEVERE_IN_DB = Q(att_absent_x2__gte=F("att_possible"))


@dataclass(frozen=True)
class Figures:
    possible: int
    present: int
    authorised: int
    unauthorised: int

    @property
    def rate(self):
        return rate_of(self.present, self.possible)

    @property
    def rate_shown(self) -> str:
        return percent(self.rate)

    @property
    def persistent(self) -> bool:
        return is_persistent(self.present, self.possible)

    @property
    def severe(self) -> bool:
        return is_severe(self.present, self.possible)


SUMS = {
    "possible": Coalesce(Sum("possible"), 0),
    "present": Coalesce(Sum("present"), 0),
    "authorised": Coalesce(Sum("authorised"), 0),
    "unauthorised": Coalesce(Sum("unauthorised"), 0),
}


def overlapping(queryset, start, end):
    return queryset.filter(starts_on__lte=end, ends_on__gte=start)


def pupil_figures(pupil, start, end) -> Figures:
    """The pupil's sessions over every record overlapping ``start``–``end`` (one query)."""
    totals = overlapping(AttendanceRecord.objects.filter(pupil=pupil), start, end).aggregate(**SUMS)
    return Figures(**totals)


def pupil_weeks(pupil, start, end):
    """The records overlapping the range, oldest first (one query)."""
    return list(overlapping(AttendanceRecord.objects.filter(pupil=pupil), start, end))


def per_pupil(pupils, start, end):
    """``pupils`` (a queryset) annotated with their sums over the range, in one query:
    ``att_possible``, ``att_present``, ``att_authorised``, ``att_unauthorised``."""
    within = Q(attendance__starts_on__lte=end, attendance__ends_on__gte=start)
    return pupils.annotate(
        **{
            f"att_{name}": Coalesce(Sum(f"attendance__{name}", filter=within), 0)
            for name in ("possible", "present", "authorised", "unauthorised")
        }
    )


@dataclass(frozen=True)
class CohortFigures:
    label: str
    pupils: int  # with any possible sessions in the range
    possible: int
    present: int
    persistent: int
    severe: int

    COUNTS = ("pupils", "possible", "present", "persistent", "severe")

    @property
    def rate_shown(self) -> str:
        return percent(rate_of(self.present, self.possible))


def _cohort(label, rows) -> CohortFigures:
    return CohortFigures(
        label=label,
        pupils=len(rows),
        possible=sum(r["att_possible"] for r in rows),
        present=sum(r["att_present"] for r in rows),
        persistent=sum(is_persistent(r["att_present"], r["att_possible"]) for r in rows),
        severe=sum(is_severe(r["att_present"], r["att_possible"]) for r in rows),
    )


def _summed_rows(pupils, start, end, *fields):
    """Each pupil's sums over the range (summed in the DB, one query), pupils with sessions."""
    summed = per_pupil(pupils, start, end).filter(att_possible__gt=0).order_by()
    return list(summed.values("pk", "att_possible", "att_present", *fields))


def cohort_figures(pupils, start, end, label="All pupils") -> CohortFigures:
    """A cohort's rate over all its sessions and how many of its pupils are persistently /
    severely absent (one query)."""
    return cohorts_figures([(label, pupils)], start, end)[0]


def cohorts_figures(cohorts, start, end) -> list[CohortFigures]:
    """``cohort_figures`` of each ``(label, pupils)`` of ``cohorts``, side by side, in one query:
    each pupil's sessions summed once, then summed and counted per cohort in the database."""
    member = {f"in_{i}": Q(pk__in=pupils.values("pk")) for i, (_, pupils) in enumerate(cohorts)}
    anyone = Q()
    for condition in member.values():
        anyone |= condition
    summed = (
        per_pupil(Pupil.objects.filter(anyone), start, end)
        .filter(att_possible__gt=0)
        .annotate(
            att_absent_x10=_ABSENT * 10,
            att_absent_x2=_ABSENT * 2,
            **{key: ExpressionWrapper(q, output_field=BooleanField()) for key, q in member.items()},
        )
        .order_by()
    )
    sums = {}
    for key in member:
        of = Q(**{key: True})
        sums |= {
            f"{key}_pupils": Count("pk", filter=of),
            f"{key}_possible": Coalesce(Sum("att_possible", filter=of), 0),
            f"{key}_present": Coalesce(Sum("att_present", filter=of), 0),
            f"{key}_persistent": Count("pk", filter=of & PERSISTENT_IN_DB),
            f"{key}_severe": Count("pk", filter=of & SEVERE_IN_DB),
        }
    row = summed.aggregate(**sums)
    return [
        CohortFigures(
            label=label,
            **{name: row[f"{key}_{name}"] for name in CohortFigures.COUNTS},
        )
        for key, (label, _) in zip(member, cohorts, strict=True)
    ]


def cohorts_by(pupils, start, end, by: str) -> list[CohortFigures]:
    """``by``: "year_group", "sen_status" or "semh" (primary need SEMH or not); one query."""
    field_name = {"year_group": "year_group", "sen_status": "sen_status", "semh": "primary_need"}[
        by
    ]
    groups: dict = {}
    for row in _summed_rows(pupils, start, end, field_name):
        key = row[field_name]
        if by == "semh":
            key = key == PrimaryNeed.SEMH
        groups.setdefault(key, []).append(row)
    if by == "year_group":
        labels = {k: YearGroup(k).label for k in groups}
    elif by == "sen_status":
        labels = {k: SenStatus(k).label for k in groups}
    else:
        labels = {True: "SEMH need", False: "No SEMH need"}
    return [_cohort(labels[k], groups[k]) for k in sorted(groups, reverse=by == "semh")]


WEEKS_SHOWN = 12


@dataclass(frozen=True)
class PupilSummary:
    term: Figures
    term_label: str
    year: Figures
    year_start: object
    recent: list  # the latest records (up to WEEKS_SHOWN), newest first

    @property
    def has_data(self) -> bool:
        return bool(self.year.possible or self.recent)

    @property
    def chart(self):
        """The latest periods' rates as a line chart, oldest first (from ``recent``, so no query);
        None for fewer than two periods."""
        return rate_chart(list(reversed(self.recent)))


CHART_TITLE = "Attendance rate per period"
PERSISTENT_LINE = charts.Point("90%: persistent absence", 90)


def rate_chart(records) -> str | None:
    """Each record's rate as a percentage, in the order given, with the persistent-absence line."""
    if len(records) < 2:
        return None
    points = [
        charts.Point(f"{r.starts_on:%d/%m}", _percentage(rate_of(r.present, r.possible)))
        for r in records
    ]
    return charts.line_chart(
        points,
        title=CHART_TITLE,
        minimum=0,
        maximum=100,
        reference=PERSISTENT_LINE,
        unit="%",
        width=max(300, 40 + 44 * len(points)),
    )


def _percentage(rate) -> float | None:
    # Rounded as ``percent`` shows it, so the chart and the table agree.
    return None if rate is None else float((rate * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))


def pupil_summary(pupil, today) -> PupilSummary:
    """The pupil page's attendance: this term so far, the year to date and the latest periods.
    A fixed number of queries however many records there are."""
    school = pupil.school
    year_start = academic_year_start(school, today)
    term = term_containing(school, today)
    term_start, term_label = (term.starts_on, str(term)) if term else (year_start, "This year")
    recent = list(
        AttendanceRecord.objects.filter(pupil=pupil, starts_on__lte=today).order_by("-starts_on")[
            :WEEKS_SHOWN
        ]
    )
    return PupilSummary(
        term=pupil_figures(pupil, term_start, today),
        term_label=term_label,
        year=pupil_figures(pupil, year_start, today),
        year_start=year_start,
        recent=recent,
    )
