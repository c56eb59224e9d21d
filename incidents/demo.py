"""Demo incidents for ``seed_demo``: a term of synthetic incidents with patterns to spot.

- one pupil whose incidents cluster in the first lesson after lunch on Mondays;
- one pupil whose incidents rise week by week;
- a handful of other pupils with occasional incidents, some involving a classmate;
- four restrictive interventions: two with complete statutory follow-up (one through the
  "report would cause significant harm" exception), two still outstanding;
- one safeguarding concern (open) and one suspension with its DfE reason code.

Idempotent: a school that already has incidents is left alone. All text is synthetic.
``ensure_school_day`` gives a school the typical day of periods when it has none.
"""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from incidents.models import (
    FollowUpAction,
    Incident,
    IncidentPupil,
    Outcome,
    ParentReport,
    ParentsInformed,
    RestrictiveIntervention,
    SafeguardingConcern,
    StaffStatement,
    SuspensionReason,
    Vocabulary,
    VocabularyKind,
)
from incidents.vocabulary import ensure_school_vocabulary, ensure_suspension_reasons
from pupils.models import PlanKind, SenStatus, SupportPlan
from semh.access import Role
from semh.models import Period, Term
from semh.school_day import ensure_typical_school_day

SCHOOL_DAYS_IN_A_TERM = 60

BEFORE = [
    "Asked to put phone away at the start of the lesson.",
    "Seating plan changed without warning.",
    "Another pupil made a comment about their family.",
    "Found the writing task hard and was asked to start again.",
    "Lost a game at lunch and came in upset.",
    "Supply teacher covering; routine different.",
]
BEHAVIOUR = [
    "Pushed chair back, shouted 'I'm not doing it' and walked to the door.",
    "Swore at a classmate and threw a pencil case across the room.",
    "Refused to follow instructions, put hood up and head on the desk.",
    "Left the classroom without permission and walked the corridors.",
    "Kicked the door and shouted at the member of staff to leave them alone.",
    "Pushed another pupil in the line; both pupils were separated.",
]
BEHAVIOUR_RPI = [
    "Punched a classmate twice and continued to lash out when staff asked them to stop.",
    "Ran towards the road at the gate; staff held them to stop them leaving site.",
    "Threw chairs in the classroom; other pupils moved out; kept throwing towards a pupil.",
    "Kicked and hit out at a member of staff while trying to reach another pupil.",
]


def ensure_school_day(school) -> list[Period]:
    """The school's periods; a typical Monday-to-Friday day is created when it has none."""
    ensure_typical_school_day(school)
    return list(Period.objects.filter(school=school))


def recent_school_days(school, today: date, count=SCHOOL_DAYS_IN_A_TERM) -> list[date]:
    """The last ``count`` weekdays before today inside the school's terms (any weekday if none)."""
    terms = list(Term.objects.filter(school=school, starts_on__lt=today))
    days, day = [], today - timedelta(days=1)
    while len(days) < count and day > today - timedelta(days=400):
        in_term = not terms or any(t.starts_on <= day <= t.ends_on for t in terms)
        if day.weekday() < 5 and in_term:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


# What each kind of demo pupil's incidents look like: categories, triggers, places.
AFTER_LUNCH = {
    "category": [
        "Refusal / non-compliance",
        "Verbal aggression",
        "Leaving the classroom without permission",
    ],
    "trigger": ["Unstructured time", "Transition between lessons", "Peer conflict"],
    "location": ["Classroom", "Corridor"],
}
LOW_LEVEL = {
    "category": ["Disruption", "Refusal / non-compliance"],
    "trigger": ["Demand / task difficulty"],
    "location": ["Classroom"],
}
ESCALATING = {
    "category": ["Physical aggression towards pupils", "Verbal aggression", "Damage to property"],
    "trigger": ["Peer conflict", "Adult instruction or correction", "Something at home"],
    "location": ["Classroom", "Playground", "Corridor", "Dining hall"],
}
OCCASIONAL = {
    "category": [
        "Verbal aggression",
        "Disruption",
        "Refusal / non-compliance",
        "Bullying",
        "Absconding from site",
    ],
    "trigger": [
        "Change of routine",
        "Peer conflict",
        "Sensory overload (noise, crowds)",
        "Hunger or tiredness",
        None,
    ],
    "location": ["Classroom", "Corridor", "Playground", "Toilets", "PE / sports hall"],
}
EVERYDAY_STRATEGIES = [
    "Calm voice, few words",
    "Offered choices",
    "Gave space and time",
    "Time-out pass",
    "Movement break",
    "Offered the Reset Area",
    "Distraction / humour",
    "Reassurance",
]
# Tried before the restraints: the gap (no choices, no Reset Area) is the pattern to notice.
RPI_STRATEGIES = ["Calm voice, few words", "Planned ignoring"]
# Follow-up of the four restraints: (state, minutes held).
RESTRAINTS = [("complete", 4), ("exception", 7), ("no_report", 3), ("fresh", 5)]
STATEMENT = "I saw the pupil hitting out and used the hold from their positive handling plan."
DEESCALATION = "Calm voice and choices; moved the other pupils out; offered the Reset Area."
CONCERN = (
    "While calming down the pupil said they had not eaten since yesterday and were scared to go "
    "home tonight. (Synthetic demo text.)"
)


class _Seeder:
    def __init__(self, school, pupils, staff, rng):
        self.school, self.pupils, self.staff, self.rng = school, pupils, staff, rng
        self.words = {
            kind: {v.label: v for v in Vocabulary.objects.filter(school=school, kind=kind)}
            for kind in VocabularyKind
        }
        self.periods = {}
        for period in ensure_school_day(school):
            self.periods.setdefault(period.weekday, []).append(period)
        self.recorders = [staff[Role.ASSISTANT]] * 3 + [staff[Role.TEACHER]]
        self.made = []  # (pupil, incident)

    def term(self, kind, label):
        return self.words[kind].get(label) if label else None

    def terms(self, kind, labels):
        return [self.words[kind][label] for label in labels if label in self.words[kind]]

    def period_at(self, moment):
        local = timezone.localtime(moment)
        for period in self.periods.get(local.weekday(), []):
            if period.starts_at <= local.time() < period.ends_at:
                return period
        return None

    def moment(self, day, *, within=None, start=time(8, 50), end=time(15, 0)):
        """A local time on ``day``: in one of the periods named ``within``, or start to end."""
        choices = [p for p in self.periods.get(day.weekday(), []) if p.name in (within or ())]
        if choices:
            period = self.rng.choice(choices)
            start, end = period.starts_at, period.ends_at
        first = start.hour * 60 + start.minute
        minute = self.rng.randint(first, max(first, end.hour * 60 + end.minute - 5))
        return timezone.make_aware(datetime.combine(day, time(minute // 60, minute % 60)))

    def add(self, pupil, when, profile, *, severity, others=()):
        rng, staff = self.rng, self.staff
        reporter = rng.choice(self.recorders)
        reviewed = timezone.now() - when > timedelta(days=7)
        serious = severity >= 3
        informed = ParentsInformed.YES if serious or rng.random() < 0.5 else ParentsInformed.NOT_YET
        outcomes = [Outcome.RETURNED, Outcome.RESET_AREA, Outcome.INTERNAL_EXCLUSION]
        incident = Incident.objects.create(
            school=self.school,
            submission_key=uuid.UUID(int=rng.getrandbits(128)),
            status="reviewed" if reviewed else "submitted",
            occurred_at=when,
            location=self.term(VocabularyKind.LOCATION, rng.choice(profile["location"])),
            period=self.period_at(when),
            category=self.term(VocabularyKind.CATEGORY, rng.choice(profile["category"])),
            severity=severity,
            trigger=self.term(VocabularyKind.TRIGGER, rng.choice(profile["trigger"])),
            antecedent=rng.choice(BEFORE),
            behaviour=rng.choice(BEHAVIOUR),
            outcome=rng.choices(outcomes, weights=[2, 4, 2] if serious else [6, 3, 1])[0],
            parents_informed=informed,
            parents_informed_detail=(
                "Phoned parent/carer after school."
                if informed == ParentsInformed.YES
                else "Will speak to parent/carer at pick-up."
            ),
            reported_by=reporter,
            submitted_at=when + timedelta(minutes=rng.randint(10, 50)),
            reviewed_at=when + timedelta(days=1) if reviewed else None,
            reviewed_by=staff[Role.SENCO] if reviewed else None,
            review_notes="Read and discussed with the key adult." if reviewed else "",
        )
        IncidentPupil.objects.create(incident=incident, pupil=pupil, is_primary=True)
        for other in others:
            IncidentPupil.objects.create(incident=incident, pupil=other)
        chosen = rng.sample(EVERYDAY_STRATEGIES, rng.randint(1, 3))
        incident.strategies.set(self.terms(VocabularyKind.STRATEGY, chosen))
        incident.staff_involved.set({reporter, staff[Role.ASSISTANT]})
        self.made.append((pupil, incident))
        return incident

    def restrain(self, pupil, incident, *, follow_up, minutes):
        """Make ``incident`` end in a restraint whose follow-up is ``follow_up``:
        "complete", "exception" (parents not told: significant harm; local authority told),
        "no_report" (no parent report, no pupil debrief, one statement of two) or "fresh"
        (parents told; no debriefs or statements yet)."""
        staff, when = self.staff, incident.occurred_at
        Incident.objects.filter(pk=incident.pk).update(
            severity=4,
            category=self.term(VocabularyKind.CATEGORY, "Physical aggression towards pupils"),
            behaviour=self.rng.choice(BEHAVIOUR_RPI),
            outcome=Outcome.RESET_AREA,
            parents_informed=ParentsInformed.YES,
        )
        incident.strategies.set(self.terms(VocabularyKind.STRATEGY, RPI_STRATEGIES))
        incident.refresh_from_db()
        holders = [staff[Role.ASSISTANT], staff[Role.TEACHER]]
        debriefed = follow_up in ("complete", "exception")
        injured = follow_up == "exception"
        record = RestrictiveIntervention.objects.create(
            pupil=pupil,
            kind="restraint",
            incident=incident,
            started_at=when + timedelta(minutes=2),
            ended_at=when + timedelta(minutes=2 + minutes),
            location=incident.location.label if incident.location else "Classroom",
            what_happened_before=incident.antecedent,
            deescalation_tried=DEESCALATION,
            necessity=["injury_others"],
            necessity_detail="Was hitting out at another pupil and did not stop when asked.",
            pupil_injured=injured,
            staff_injured=False,
            injuries="Small red mark on the left forearm from the hold." if injured else "",
            body_map=["arm_left"] if injured else [],
            medical_attention="Checked by the first aider; no treatment needed." if injured else "",
            pupil_debrief_at=when + timedelta(days=1) if debriefed else None,
            pupil_debrief_notes="Talked it through with a comic strip." if debriefed else "",
            staff_debrief_at=when + timedelta(hours=3) if follow_up != "fresh" else None,
            staff_debrief_notes="Hold as planned; agreed to offer the Reset Area sooner."
            if follow_up != "fresh"
            else "",
            support_offered="Key adult check-in next morning.",
            positive_handling_plan=SupportPlan.objects.filter(
                pupil=pupil, kind=PlanKind.POSITIVE_HANDLING
            ).first(),
            recorded_by=staff[Role.ASSISTANT],
        )
        record.staff_involved.set(holders)
        record.holds.set(self.terms(VocabularyKind.HOLD, ["Single elbow", "Friendly hold"]))
        writers = {"complete": holders, "exception": holders, "no_report": holders[:1]}
        for author in writers.get(follow_up, []):
            StaffStatement.objects.create(intervention=record, author=author, text=STATEMENT)
        if follow_up in ("complete", "fresh"):
            ParentReport.objects.create(
                intervention=record,
                reported_at=when + timedelta(hours=4),
                method="Phone call",
                reported_by=staff[Role.SENCO],
                what_was_said="Explained what happened, the hold used and for how long.",
                recorded_by=staff[Role.SENCO],
            )
        elif follow_up == "exception":
            ParentReport.objects.create(
                intervention=record,
                not_reported_reason="Known risk of significant harm at home if told (see DSL).",
                local_authority_reported_at=when + timedelta(hours=5),
                local_authority_contact="Children's services duty desk",
                recorded_by=staff[Role.DSL],
            )
        return record


def _weeks(days):
    """School days grouped by week (Monday first), in order."""
    weeks = {}
    for day in days:
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
    return list(weeks.values())


def seed_incidents(*, school, pupils, staff, rng, today=None) -> int:
    """A term of demo incidents for ``school``; returns how many were created (0 if it had some).

    ``staff`` maps each role to the demo user holding it, as ``seed_demo`` builds it.
    """
    if Incident.objects.filter(school=school).exists():
        return 0
    ensure_school_vocabulary(school)
    if not SuspensionReason.objects.filter(code="PA").exists():
        ensure_suspension_reasons()
    days = recent_school_days(school, today or timezone.localdate())
    semh = [p for p in pupils if p.sen_status != SenStatus.NONE] or list(pupils)
    if len(semh) < 3 or not days:
        return 0
    seed = _Seeder(school, pupils, staff, rng)
    mondays_pupil, rising_pupil, others = semh[0], semh[1], semh[2:10]
    weeks = _weeks(days)

    # 1. After lunch on Mondays: most Mondays in P4, and only a few incidents at other times.
    for day in days:
        if day.weekday() == 0 and rng.random() < 0.8:
            when = seed.moment(day, start=time(13, 0), end=time(13, 50))
            seed.add(mondays_pupil, when, AFTER_LUNCH, severity=rng.choice([2, 2, 3]))
    for day in rng.sample(days, 4):
        when = seed.moment(day, within={"P1", "P2", "P3", "P5"})
        seed.add(mondays_pupil, when, LOW_LEVEL, severity=1)

    # 2. A rising trend: none at first, three or four a week by the end of term, more serious.
    for index, week in enumerate(weeks):
        for _ in range(min(len(week), index * 4 // len(weeks) + (rng.random() < 0.3))):
            severity = min(4, 1 + index * 3 // len(weeks) + (rng.random() < 0.2))
            seed.add(rising_pupil, seed.moment(rng.choice(week)), ESCALATING, severity=severity)

    # 3. Everyone else: one to three incidents a week between them, some with a classmate.
    for week in weeks:
        for _ in range(rng.randint(1, 3)):
            pupil = rng.choice(others)
            classmate = rng.choice(pupils) if rng.random() < 0.25 else pupil
            seed.add(
                pupil,
                seed.moment(rng.choice(week)),
                OCCASIONAL,
                severity=rng.choice([1, 1, 2, 2, 3]),
                others=[classmate] if classmate != pupil else [],
            )

    made = sorted(seed.made, key=lambda pair: pair[1].occurred_at)
    rising = [pair for pair in made if pair[0] == rising_pupil]

    # 4. Four restraints on the two pupils' later incidents: two complete, two outstanding.
    serious = [pair for pair in made if pair[0] in (mondays_pupil, rising_pupil)][-12:]
    for (pupil, incident), (follow_up, minutes) in zip(serious[::3], RESTRAINTS, strict=False):
        seed.restrain(pupil, incident, follow_up=follow_up, minutes=minutes)

    # 5. One suspension of the rising pupil, with its DfE reason code.
    if len(rising) >= 2:
        _, incident = rising[-2]
        Incident.objects.filter(pk=incident.pk).update(
            severity=4,
            outcome=Outcome.SUSPENSION,
            suspension_days=Decimal("1.0"),
            suspension_reason=SuspensionReason.objects.filter(code="PA")
            .order_by("-valid_from")
            .first(),
            outcome_notes="One day, agreed by the headteacher; reintegration meeting booked.",
        )

    # 6. One safeguarding concern, raised by the assistant: for the DSL and its author only.
    pupil, incident = next(pair for pair in reversed(made) if pair[0] in others)
    SafeguardingConcern.objects.create(
        incident=incident,
        raised_by=staff[Role.ASSISTANT],
        raised_at=incident.submitted_at,
        concern=CONCERN,
    )

    # 7. Follow-up actions from the SENCo's latest reviews.
    for _, incident in [pair for pair in made if pair[1].status == "reviewed"][-3:]:
        FollowUpAction.objects.create(
            incident=incident,
            description="Update the pupil passport with the new trigger",
            owner=staff[Role.ASSISTANT],
            due_on=timezone.localtime(incident.occurred_at).date() + timedelta(days=7),
            created_by=staff[Role.SENCO],
        )
    return len(made)
