"""Demo interventions for seed_demo: programmes and groups, a term of sessions, and baseline and
exit measures with believable change. Synthetic data only, written through the services.

Provision: the school's cost table (assistant £14.50 an hour, teacher £32, SENCo and DSL £38, SLT
£45), and five groups of the default programmes led by the demo assistant, teacher and SENCo,
started 10–12 school weeks ago with 12 weekly sessions planned, 3–6 pupils each (SEMH pupils
first), consent given for all but one (awaiting). A pupil with an active plan is referred for its
first target. Idempotent: a school that already has groups is left as it is.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from pupils.models import PlanStatus, PrimaryNeed, Target
from semh.access import Role
from semh.calendar import monday_of, school_days

from .defaults import ensure_default_provision
from .demo_measures import seed_measures
from .models import (
    Attendance,
    Consent,
    FundingStream,
    Group,
    Programme,
    ReviewDecision,
    ReviewScore,
)
from .schedule import due_days, enrolled_on
from .services.enrolments import enrol_pupil, update_enrolment
from .services.provision import create_group, set_role_costs
from .services.sessions import cancel_session, record_session

ROLE_COSTS = {
    Role.ASSISTANT: Decimal("14.50"),
    Role.TEACHER: Decimal("32.00"),
    Role.SENCO: Decimal("38.00"),
    Role.DSL: Decimal("38.00"),
    Role.SLT: Decimal("45.00"),
}
# programme, group name, lead's role, weekday, time, room, staff hours a session, funding stream
GROUPS = [
    ("Lego-based therapy", "Monday Lego club", Role.ASSISTANT, 0, time(13, 15), "Library",
     "1.5", "Pupil premium"),
    ("Zones of Regulation", "Tuesday Zones group", Role.TEACHER, 1, time(9, 15), "Room 4",
     "1.0", "SEN notional budget"),
    ("Social skills group", "Wednesday social skills", Role.ASSISTANT, 2, time(14, 0),
     "Rainbow room", "1.25", "SEN notional budget"),
    ("Anger management", "Thursday anger management", Role.TEACHER, 3, time(11, 0), "Room 12",
     "1.5", "SEN notional budget"),
    ("Time to Talk", "Friday Time to Talk", Role.SENCO, 4, time(10, 30), "SENCo's office",
     "1.0", "EHCP top-up"),
]  # fmt: skip
PLANNED_SESSIONS = 12
REASONS = [
    "Finds it hard to name and manage feelings; frequent Reset Area visits after lunch.",
    "Struggles with turn-taking and friendships at playtime.",
    "Anxious in busy spaces; withdrawn in class.",
    "Angry outbursts when work feels too hard.",
    "Low self-esteem; reluctant to join in.",
]


def seed_interventions(*, school, pupils, staff, rng):
    groups = _seed_provision(school=school, pupils=pupils, staff=staff, rng=rng)
    _seed_sessions(school=school, groups=groups, rng=rng)
    _seed_measures(school=school, groups=groups, rng=rng)
    _seed_reviews(school=school, groups=groups, rng=rng)


def _seed_provision(*, school, pupils, staff, rng):
    """Groups of the default programmes with pupils enrolled; returns the groups."""
    existing = list(Group.objects.filter(school=school))
    if existing:
        return existing
    senco = staff[Role.SENCO]
    ensure_default_provision(school)
    set_role_costs(actor=senco, school=school, costs=ROLE_COSTS)
    programmes = {p.name: p for p in Programme.objects.filter(school=school)}
    streams = {s.name: s for s in FundingStream.objects.filter(school=school)}
    first_targets = _first_targets(pupils)
    candidates = sorted(pupils, key=lambda p: p.primary_need != PrimaryNeed.SEMH)[:30]
    this_monday = monday_of(timezone.localdate())
    groups, awaiting_given = [], False
    for programme, name, role, weekday, at, room, hours, stream in GROUPS:
        starts_on = this_monday - timedelta(weeks=rng.randint(10, 12)) + timedelta(days=weekday)
        group = create_group(
            actor=senco,
            school=school,
            programme=programmes[programme],
            name=name,
            lead=staff[role],
            weekday=weekday,
            starts_at=at,
            room=room,
            starts_on=starts_on,
            planned_end_on=starts_on + timedelta(weeks=PLANNED_SESSIONS - 1),
            planned_sessions=PLANNED_SESSIONS,
            staff_hours_per_session=Decimal(hours),
            hourly_cost=None,
            funding_stream=streams.get(stream),
        )
        for pupil in rng.sample(candidates, rng.randint(3, 6)):
            target = first_targets.get(pupil.pk)
            awaiting = not awaiting_given and target is None
            awaiting_given = awaiting_given or awaiting
            enrol_pupil(
                actor=senco,
                school=school,
                group=group,
                pupil=pupil,
                starts_on=starts_on,
                reason=target.description if target else rng.choice(REASONS),
                target=target,
                consent=Consent.AWAITING if awaiting else Consent.GIVEN,
                consent_given_on=None if awaiting else starts_on - timedelta(days=3),
            )
        groups.append(group)
    return groups


def _first_targets(pupils) -> dict:
    """Each pupil's first target on an active plan, where they have one."""
    targets = {}
    for target in (
        Target.objects.filter(plan__pupil__in=pupils, plan__status=PlanStatus.ACTIVE)
        .select_related("plan")
        .order_by("plan__starts_on", "position")
    ):
        targets.setdefault(target.plan.pupil_id, target)
    return targets


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
    seed_measures(school=school, groups=groups, rng=rng)


# A believable spread of provision-review scores: most as expected or better.
REVIEW_WEIGHTS = {
    ReviewScore.MUCH_LESS: 1,
    ReviewScore.LESS: 2,
    ReviewScore.EXPECTED: 5,
    ReviewScore.MORE: 4,
    ReviewScore.MUCH_MORE: 1,
}


def _seed_reviews(*, school, groups, rng, today=None):
    """The half-termly provision review of most pupils in groups that have run six weeks or more:
    a score on the −2…+2 scale and what happens next."""
    today = today or timezone.localdate()
    for group in groups:
        if (today - group.starts_on).days < 42:
            continue
        for enrolment in group.enrolments.filter(review_score__isnull=True, ends_on__isnull=True):
            if rng.random() < 0.2:
                continue  # not reviewed yet
            score = rng.choices(list(REVIEW_WEIGHTS), list(REVIEW_WEIGHTS.values()))[0]
            decision = (
                ReviewDecision.ADAPT
                if score < 0
                else rng.choice([ReviewDecision.CONTINUE] * 3 + [ReviewDecision.EXIT])
            )
            update_enrolment(
                actor=group.lead,
                school=school,
                enrolment=enrolment,
                review_score=score,
                review_decision=decision,
                reviewed_on=today - timedelta(days=rng.randint(1, 10)),
            )
