"""Demo interventions for seed_demo: programmes and groups, a term of sessions, and baseline and
exit measures with believable change. Synthetic data only, written through the services."""

from datetime import timedelta

from django.utils import timezone

from semh.calendar import school_days

from .models import Attendance
from .schedule import due_days, enrolled_on
from .services.sessions import cancel_session, record_session


def seed_interventions(*, school, pupils, staff, rng):
    groups = _seed_provision(school=school, pupils=pupils, staff=staff, rng=rng)
    _seed_sessions(school=school, groups=groups, rng=rng)
    _seed_measures(school=school, groups=groups, rng=rng)


def _seed_provision(*, school, pupils, staff, rng):
    """Groups of the default programmes with pupils enrolled; returns the groups."""
    return []


def _seed_sessions(*, school, groups, rng, today=None):
    """Each group's registers on every due day from its start up to yesterday: mostly attended,
    now and then absent or refused, engagement rising from about 2 to about 5 over the run; one
    session cancelled (a trip), and the latest due day of the first group left untaken, so a
    register shows as owed."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    cancelled_one = False
    for index, group in enumerate(groups):
        if group.starts_on > yesterday:
            continue
        days = due_days(group, school_days(school, group.starts_on, yesterday))
        if index == 0:
            days = days[:-1]  # owed: nobody took it
        for n, day in enumerate(days):
            progress = n / max(len(days) - 1, 1)
            if not cancelled_one and n == 2:
                cancel_session(
                    actor=group.lead,
                    school=school,
                    group=group,
                    held_on=day,
                    reason="Year group trip to the museum",
                )
                cancelled_one = True
                continue
            record_session(
                actor=group.lead,
                school=school,
                group=group,
                held_on=day,
                delivered_by=group.lead,
                marks={e.pk: _demo_mark(rng, progress) for e in enrolled_on(group, day)},
                note=rng.choice(DEMO_NOTES) if rng.random() < 0.3 else "",
            )


DEMO_NOTES = [
    "Turn-taking went well today.",
    "Short session: assembly overran.",
    "Talked about what helps when we feel cross.",
    "New pupil settled in quickly.",
]


def _demo_mark(rng, progress):
    """(attendance, reason, engagement): mostly attended, engagement 2–5 rising with ``progress``
    (0 at the first session, 1 at the last)."""
    roll = rng.random()
    if roll < 0.07:
        return (Attendance.ABSENT, rng.choice(["Ill", "Appointment", ""]), None)
    if roll < 0.12:
        return (Attendance.REFUSED, "Did not want to leave class", None)
    engagement = round(2 + 3 * progress + rng.uniform(-0.8, 0.8))
    return (Attendance.ATTENDED, "", min(5, max(2, engagement)))


def _seed_measures(*, school, groups, rng):
    """Baseline and exit (or review) measures for enrolled pupils, most improving."""
    from .demo_measures import seed_measures

    seed_measures(school=school, groups=groups, rng=rng)
