"""Before vs after an intervention: each enrolled pupil's incidents and Reset Area time in equal
school-day windows. It lives in the reporting layer because it reads incidents and the Reset Area
alongside interventions (interventions itself reads neither).

- **Windows**: the ``WINDOW_DAYS`` school days (``semh.calendar.school_days``; 30 = six school
  weeks) before the enrolment's start, against the last ``WINDOW_DAYS`` school days of the
  enrolment up to its end or the range's end, whichever is first. When the enrolment has had
  fewer school days than that (or the calendar has fewer before it), both windows take the
  shorter, equal length, and the row says it was shortened.
- **Incidents**: incidents the pupil was in (as the primary pupil or another pupil involved),
  by the London day they happened.
- **Reset Area**: the visits' minutes out of learning (learning periods only) and their stay
  minutes, by the London day the pupil arrived; a visit still open counts as a visit with no
  minutes yet.

Four queries whatever the number of enrolments, incidents or visits: the enrolments, the terms
(school days), and incidents and visits counted per pupil per day in the database.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from incidents.models import IncidentPupil
from interventions.effectiveness import date_range, enrolments_in_range
from reset_area.models import Visit, local_day_bounds
from semh.calendar import school_days

WINDOW_DAYS = 30
# Calendar days searched back for the school days before a start (holidays included).
LOOK_BACK = timedelta(days=220)


@dataclass(frozen=True)
class Counts:
    incidents: int = 0
    visits: int = 0
    minutes_out: int = 0
    stay_minutes: int = 0

    def __add__(self, other):
        return Counts(
            self.incidents + other.incidents,
            self.visits + other.visits,
            self.minutes_out + other.minutes_out,
            self.stay_minutes + other.stay_minutes,
        )


@dataclass(frozen=True)
class EnrolmentImpact:
    enrolment: object
    days: int  # school days in each window (0: nothing to compare)
    shortened: bool
    before_from: date | None
    before_to: date | None
    after_from: date | None
    after_to: date | None
    before: Counts
    after: Counts


@dataclass(frozen=True)
class ProgrammeImpact:
    programme_id: object
    enrolments: int  # compared (a window of at least one school day)
    shortened: int
    before: Counts
    after: Counts


def windows(days: list, start: date, end: date, length: int = WINDOW_DAYS):
    """(before days, after days) for an enrolment from ``start`` to ``end``: equal lengths,
    at most ``length``, from the sorted school ``days``."""
    first_in = bisect_left(days, start)
    during = days[first_in : bisect_right(days, end)]
    size = min(length, len(during), first_in)
    if size == 0:
        return [], []
    return days[first_in - size : first_in], during[len(during) - size :]


def _per_pupil_day(rows, pupil_key, **fields) -> dict:
    found = {}
    for row in rows:
        found[(row[pupil_key], row["day"])] = {f: row[f] or 0 for f in fields}
    return found


def enrolment_impact(
    school, *, first=None, last=None, programme=None, group=None, pupil=None, length=WINDOW_DAYS
) -> list:
    """Each enrolment in the range with its before and after windows (see the module)."""
    first, last = date_range(school, first, last)
    enrolments = list(
        enrolments_in_range(school, first, last, programme=programme, group=group, pupil=pupil)
        .select_related("pupil", "group")
        .order_by("group__programme__name", "pupil__legal_last_name", "starts_on")
    )
    if not enrolments:
        return []
    span_from = min(e.starts_on for e in enrolments) - LOOK_BACK
    days = school_days(school, span_from, last)
    start, _ = local_day_bounds(span_from)
    _, stop = local_day_bounds(last)
    pupils = {e.pupil_id for e in enrolments}
    incidents = _per_pupil_day(
        IncidentPupil.objects.filter(
            incident__school=school,
            pupil_id__in=pupils,
            incident__occurred_at__gte=start,
            incident__occurred_at__lt=stop,
        )
        .annotate(day=TruncDate("incident__occurred_at"))
        .values("pupil_id", "day")
        .annotate(incidents=Count("incident_id", distinct=True))
        .order_by(),
        "pupil_id",
        incidents=0,
    )
    visits = _per_pupil_day(
        Visit.objects.filter(
            school=school, pupil_id__in=pupils, arrived_at__gte=start, arrived_at__lt=stop
        )
        .annotate(day=TruncDate("arrived_at"))
        .values("pupil_id", "day")
        .annotate(
            visits=Count("pk"),
            minutes_out=Sum("minutes_out_of_learning"),
            stay_minutes=Sum("stay_minutes"),
        )
        .order_by(),
        "pupil_id",
        visits=0,
        minutes_out=0,
        stay_minutes=0,
    )

    def counts(pupil_id, window):
        total = Counts()
        for day in window:
            i = incidents.get((pupil_id, day), {})
            v = visits.get((pupil_id, day), {})
            total += Counts(
                i.get("incidents", 0),
                v.get("visits", 0),
                v.get("minutes_out", 0),
                v.get("stay_minutes", 0),
            )
        return total

    rows = []
    for enrolment in enrolments:
        end = min(enrolment.ends_on or last, last)
        before, after = windows(days, enrolment.starts_on, end, length)
        rows.append(
            EnrolmentImpact(
                enrolment=enrolment,
                days=len(before),
                shortened=0 < len(before) < length,
                before_from=before[0] if before else None,
                before_to=before[-1] if before else None,
                after_from=after[0] if after else None,
                after_to=after[-1] if after else None,
                before=counts(enrolment.pupil_id, before),
                after=counts(enrolment.pupil_id, after),
            )
        )
    return rows


def programme_impact(rows: list) -> dict:
    """{programme id: ProgrammeImpact} summed over the enrolments with a comparison."""
    found = {}
    for row in rows:
        if not row.days:
            continue
        key = row.enrolment.group.programme_id
        now = found.get(key) or ProgrammeImpact(key, 0, 0, Counts(), Counts())
        found[key] = ProgrammeImpact(
            key,
            now.enrolments + 1,
            now.shortened + row.shortened,
            now.before + row.before,
            now.after + row.after,
        )
    return found
