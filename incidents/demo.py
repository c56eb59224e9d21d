"""Demo incidents for ``seed_demo``: a term of synthetic incidents with patterns to spot.

- one pupil whose incidents cluster in the first lesson after lunch on Mondays;
- one pupil whose incidents rise week by week;
- a handful of other pupils with occasional incidents, some involving a classmate;
- four restrictive interventions: two with complete statutory follow-up (one through the
  "report would cause significant harm" exception), two still outstanding;
- one safeguarding concern (open) and one suspension with its DfE reason code.

Everything is written through the incident log's services, by the demo staff (the SENCo reviews,
the assistant records most incidents), so demo data obeys the same rules and leaves the same audit
trail as real use. The term is planned first (every random choice), then recorded in order.
Idempotent: a school that already has incidents is left alone. All text is synthetic.
``ensure_school_day`` gives a school the typical day of periods when it has none.
"""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from incidents.models import (
    Incident,
    Outcome,
    ParentsInformed,
    SuspensionReason,
    Vocabulary,
    VocabularyKind,
)
from incidents.services.log import record_incident
from incidents.services.restrictive import record_debrief, record_parent_report, save_statement
from incidents.services.review import review_incident
from incidents.vocabulary import ensure_school_vocabulary, ensure_suspension_reasons
from pupils.models import SenStatus
from semh.access import Role
from semh.calendar import school_days
from semh.models import Period
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
    """The last ``count`` school days before today (within the last 400 days)."""
    return school_days(school, today - timedelta(days=400), today - timedelta(days=1))[-count:]


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
    """Plans a term of incidents (``plan``, ``restrain``), then records them (``record``)."""

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
        self.planned = []  # one dict per incident: record_incident's arguments, and what follows

    def entry(self, kind, label):
        return self.words[kind].get(label) if label else None

    def entries(self, kind, labels):
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

    def plan(self, pupil, when, profile, *, severity, others=()) -> dict:
        rng, staff = self.rng, self.staff
        reporter = rng.choice(self.recorders)
        serious = severity >= 3
        informed = ParentsInformed.YES if serious or rng.random() < 0.5 else ParentsInformed.NOT_YET
        outcomes = [Outcome.RETURNED, Outcome.RESET_AREA, Outcome.INTERNAL_EXCLUSION]
        incident = {
            "actor": reporter,
            "submission_key": uuid.UUID(int=rng.getrandbits(128)),
            "primary_pupil": pupil,
            "other_pupils": list(others),
            "occurred_at": when,
            "location": self.entry(VocabularyKind.LOCATION, rng.choice(profile["location"])),
            "period": self.period_at(when),
            "category": self.entry(VocabularyKind.CATEGORY, rng.choice(profile["category"])),
            "severity": severity,
            "trigger": self.entry(VocabularyKind.TRIGGER, rng.choice(profile["trigger"])),
            "antecedent": rng.choice(BEFORE),
            "behaviour": rng.choice(BEHAVIOUR),
            "outcome": rng.choices(outcomes, weights=[2, 4, 2] if serious else [6, 3, 1])[0],
            "parents_informed": informed,
            "parents_informed_detail": (
                "Phoned parent/carer after school."
                if informed == ParentsInformed.YES
                else "Will speak to parent/carer at pick-up."
            ),
            "at": when + timedelta(minutes=rng.randint(10, 50)),
            "strategies": self.entries(
                VocabularyKind.STRATEGY, rng.sample(EVERYDAY_STRATEGIES, rng.randint(1, 3))
            ),
            "staff_involved": list({reporter, staff[Role.ASSISTANT]}),
        }
        self.planned.append(
            {"incident": incident, "reviewed": timezone.now() - when > timedelta(days=7)}
        )
        return self.planned[-1]

    def restrain(self, planned, *, follow_up, minutes):
        """Make a planned incident end in a restraint whose follow-up is ``follow_up``:
        "complete", "exception" (parents not told: significant harm; local authority told),
        "no_report" (no parent report, no pupil debrief, one statement of two) or "fresh"
        (parents told; no debriefs or statements yet)."""
        incident, when = planned["incident"], planned["incident"]["occurred_at"]
        injured = follow_up == "exception"
        incident.update(
            severity=4,
            category=self.entry(VocabularyKind.CATEGORY, "Physical aggression towards pupils"),
            behaviour=self.rng.choice(BEHAVIOUR_RPI),
            outcome=Outcome.RESET_AREA,
            parents_informed=ParentsInformed.YES,
            parents_informed_detail="Phoned parent/carer after school.",
            strategies=self.entries(VocabularyKind.STRATEGY, RPI_STRATEGIES),
        )
        incident["restrictive_intervention"] = {
            "started_at": when + timedelta(minutes=2),
            "ended_at": when + timedelta(minutes=2 + minutes),
            "location": incident["location"].label if incident["location"] else "Classroom",
            "staff_involved": [self.staff[Role.ASSISTANT], self.staff[Role.TEACHER]],
            "holds": self.entries(VocabularyKind.HOLD, ["Single elbow", "Friendly hold"]),
            "what_happened_before": incident["antecedent"],
            "deescalation_tried": DEESCALATION,
            "necessity": ["injury_others"],
            "necessity_detail": "Was hitting out at another pupil and did not stop when asked.",
            "pupil_injured": injured,
            "staff_injured": False,
            "injuries": "Small red mark on the left forearm from the hold." if injured else "",
            "body_map": ["arm_left"] if injured else [],
            "medical_attention": (
                "Checked by the first aider; no treatment needed." if injured else ""
            ),
            "support_offered": "Key adult check-in next morning.",
        }
        incident["staff_involved"] = list(
            {*incident["staff_involved"], *incident["restrictive_intervention"]["staff_involved"]}
        )
        planned["follow_up"] = follow_up

    def record(self) -> int:
        """Record every planned incident, oldest first, with its review and follow-up."""
        for planned in sorted(self.planned, key=lambda p: p["incident"]["occurred_at"]):
            incident, _ = record_incident(school=self.school, **planned["incident"])
            if planned["reviewed"]:
                review_incident(
                    actor=self.staff[Role.SENCO],
                    school=self.school,
                    incident=incident,
                    notes="Read and discussed with the key adult.",
                    actions=planned.get("actions", []),
                    mark_reviewed=True,
                    at=incident.occurred_at + timedelta(days=1),
                )
            if "follow_up" in planned:
                self.follow_up(incident.restrictive_intervention, planned["follow_up"])
        return len(self.planned)

    def follow_up(self, record, state):
        """The restraint's statutory follow-up, as far as ``state`` says it has got."""
        staff, school, when = self.staff, self.school, record.started_at
        holders = [staff[Role.ASSISTANT], staff[Role.TEACHER]]
        writers = {"complete": holders, "exception": holders, "no_report": holders[:1]}
        for author in writers.get(state, []):
            save_statement(actor=author, school=school, intervention=record, text=STATEMENT)
        if state in ("complete", "fresh"):
            record_parent_report(
                actor=staff[Role.SENCO],
                school=school,
                intervention=record,
                reported_at=when + timedelta(hours=4),
                method="Phone call",
                reported_by=staff[Role.SENCO],
                what_was_said="Explained what happened, the hold used and for how long.",
            )
        elif state == "exception":
            record_parent_report(
                actor=staff[Role.DSL],
                school=school,
                intervention=record,
                not_reported_reason="Known risk of significant harm at home if told (see DSL).",
                local_authority_reported_at=when + timedelta(hours=5),
                local_authority_contact="Children's services duty desk",
            )
        debriefs = {}
        if state in ("complete", "exception"):
            debriefs.update(
                pupil_debrief_at=min(when + timedelta(days=1), timezone.now()),
                pupil_debrief_notes="Talked it through with a comic strip.",
            )
        if state != "fresh":
            debriefs.update(
                staff_debrief_at=when + timedelta(hours=3),
                staff_debrief_notes="Hold as planned; agreed to offer the Reset Area sooner.",
            )
        if debriefs:
            record_debrief(actor=staff[Role.SENCO], school=school, intervention=record, **debriefs)


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
            seed.plan(mondays_pupil, when, AFTER_LUNCH, severity=rng.choice([2, 2, 3]))
    for day in rng.sample(days, 4):
        when = seed.moment(day, within={"P1", "P2", "P3", "P5"})
        seed.plan(mondays_pupil, when, LOW_LEVEL, severity=1)

    # 2. A rising trend: none at first, three or four a week by the end of term, more serious.
    for index, week in enumerate(weeks):
        for _ in range(min(len(week), index * 4 // len(weeks) + (rng.random() < 0.3))):
            severity = min(4, 1 + index * 3 // len(weeks) + (rng.random() < 0.2))
            seed.plan(rising_pupil, seed.moment(rng.choice(week)), ESCALATING, severity=severity)

    # 3. Everyone else: one to three incidents a week between them, some with a classmate.
    for week in weeks:
        for _ in range(rng.randint(1, 3)):
            pupil = rng.choice(others)
            classmate = rng.choice(pupils) if rng.random() < 0.25 else pupil
            seed.plan(
                pupil,
                seed.moment(rng.choice(week)),
                OCCASIONAL,
                severity=rng.choice([1, 1, 2, 2, 3]),
                others=[classmate] if classmate != pupil else [],
            )

    planned = sorted(seed.planned, key=lambda p: p["incident"]["occurred_at"])
    of = [(p["incident"]["primary_pupil"], p) for p in planned]
    rising = [p for pupil, p in of if pupil == rising_pupil]

    # 4. Four restraints on the two pupils' later incidents: two complete, two outstanding.
    serious = [p for pupil, p in of if pupil in (mondays_pupil, rising_pupil)][-12:]
    for plan, (follow_up, minutes) in zip(serious[::3], RESTRAINTS, strict=False):
        seed.restrain(plan, follow_up=follow_up, minutes=minutes)

    # 5. One suspension of the rising pupil, with its DfE reason code.
    if len(rising) >= 2:
        rising[-2]["incident"].update(
            severity=4,
            outcome=Outcome.SUSPENSION,
            suspension_days=Decimal("1.0"),
            suspension_reason=SuspensionReason.objects.filter(code="PA")
            .order_by("-valid_from")
            .first(),
            outcome_notes="One day, agreed by the headteacher; reintegration meeting booked.",
        )

    # 6. One safeguarding concern, raised by the assistant: for the DSL and its author only.
    concern = next(p for pupil, p in reversed(of) if pupil in others)
    concern["incident"].update(actor=staff[Role.ASSISTANT], concern=CONCERN)
    concern["incident"]["staff_involved"] = [staff[Role.ASSISTANT]]

    # 7. Follow-up actions from the SENCo's latest reviews.
    for plan in [p for p in planned if p["reviewed"]][-3:]:
        due = timezone.localtime(plan["incident"]["occurred_at"]).date() + timedelta(days=7)
        plan["actions"] = [
            {
                "description": "Update the pupil passport with the new trigger",
                "owner": staff[Role.ASSISTANT],
                "due_on": due,
            }
        ]
    return seed.record()
