"""When a group's sessions are due: the one home of the rule, used by the register, the home page
and the demo.

A group is due on each school day (``semh.calendar.school_days``: weekdays in a term) that falls on
its weekday, from its ``starts_on`` to its last day (``ended_on`` when it ended, else
``planned_end_on``). A register is **owed** for a due day in the past (today is "Sessions today",
not owed) that has no ``Session`` row, taken or cancelled; owed registers are looked for back to
the start of the current term, and never more than ``OWED_LOOKBACK`` before today.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.db.models.functions import Coalesce

from semh.calendar import school_days, term_dates

from .models import Consent, Enrolment, Group, Session

OWED_LOOKBACK = timedelta(weeks=8)


def _runs_between(first: date, last: date) -> Q:
    """Groups whose run (start to last day) touches ``first``–``last``; needs ``last_day``."""
    return Q(starts_on__lte=last, last_day__gte=first)


def groups_of(school, *, staff=None):
    """The school's groups with ``last_day`` annotated; ``staff``: only those they lead or
    help to run."""
    groups = Group.objects.filter(school=school).annotate(
        last_day=Coalesce("ended_on", "planned_end_on")
    )
    if staff is not None:
        groups = groups.filter(Q(lead=staff) | Q(other_staff=staff)).distinct()
    return groups


def is_due(group, day: date, *, days=None) -> bool:
    """Whether ``group`` meets on ``day``. ``days``: the school days around it, when the caller
    has them already (else one query)."""
    last_day = group.ended_on or group.planned_end_on
    if day.weekday() != group.weekday or not group.starts_on <= day <= last_day:
        return False
    if days is None:
        days = school_days(group.school_id, day, day)  # the school's id is enough
    return day in days


def due_days(group, days) -> list[date]:
    """The days of ``days`` (school days, in order) on which ``group`` meets."""
    last_day = group.ended_on or group.planned_end_on
    return [d for d in days if d.weekday() == group.weekday and group.starts_on <= d <= last_day]


def due_on(school, day: date, *, staff=None, terms=None) -> list:
    """The groups due on ``day`` (none outside term time), in timetable order. ``terms``: the
    school's ``term_dates``, when the caller has them."""
    if not school_days(school, day, day, terms=terms):
        return []
    return list(
        groups_of(school, staff=staff)
        .filter(_runs_between(day, day), weekday=day.weekday())
        .select_related("programme")
        .order_by("starts_at", "name")
    )


def owed_since(today: date, terms) -> date:
    """The first day owed registers are looked for: the current term's start, at most
    ``OWED_LOOKBACK`` ago. ``terms``: the school's ``term_dates``."""
    running = next((first for first, last in terms if first <= today <= last), None)
    earliest = today - OWED_LOOKBACK
    return max(running, earliest) if running else earliest


def owed_registers(school, *, today: date, staff=None, terms=None) -> list[tuple]:
    """(group, day) for each past due day with no session (neither taken nor cancelled), oldest
    first. Three queries whatever the number of groups and days: the terms (none when the caller
    passes the school's ``term_dates``), the groups, and the sessions held."""
    terms = term_dates(school) if terms is None else terms
    first, last = owed_since(today, terms), today - timedelta(days=1)
    if last < first:
        return []
    days = school_days(school, first, last, terms=terms)
    groups = list(
        groups_of(school, staff=staff)
        .filter(_runs_between(first, last))
        .select_related("programme")
    )
    if not groups:
        return []
    held = set(
        Session.objects.filter(
            group__in=[g.pk for g in groups], held_on__range=(first, last)
        ).values_list("group_id", "held_on")
    )
    owed = [(g, d) for g in groups for d in due_days(g, days) if (g.pk, d) not in held]
    return sorted(owed, key=lambda pair: (pair[1], pair[0].starts_at, pair[0].name))


def enrolled_on(group, day: date):
    """The group's enrolments current on ``day``: the pupils on that day's register."""
    return (
        Enrolment.objects.filter(group=group)
        .current_on(day)
        .select_related("pupil")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name")
    )


def counts_for(enrolment, day: date) -> bool:
    """Whether a session on ``day`` counts for the pupil: consent given by then. The register's
    note for one pupil; figures use ``SessionAttendance.objects.counted()``, the same rule."""
    given_on = enrolment.consent_given_on
    return enrolment.consent == Consent.GIVEN and given_on is not None and given_on <= day


def due_days_around(group, day: date, *, today: date, weeks: int = 6) -> tuple:
    """(the group's due day before ``day``, its due day after, up to ``today``), each None when
    there is none within ``weeks``: the register's previous and next links. One query."""
    window = timedelta(weeks=weeks)
    days = due_days(group, school_days(group.school_id, day - window, min(day + window, today)))
    before = [d for d in days if d < day]
    after = [d for d in days if d > day]
    return (before[-1] if before else None, after[0] if after else None)
