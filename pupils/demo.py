"""Demo records for the pupils in ``seed_demo``: synthetic, varied, and created once per pupil.

Written through the pupils services, as the demo SENCo (the seed actor) unless a record names
someone else, so the demo data keeps every rule and leaves the audit trail a real school would.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from pupils.attendance_csv import TEMPLATE_HEADINGS
from pupils.models import (
    AgencyInvolvement,
    AreaOfNeed,
    AttendanceRecord,
    DailyNote,
    ExitStrategy,
    Meeting,
    ParentContact,
    PlanKind,
    PlanStatus,
    PupilProfile,
    Rating,
    Referral,
    SenStatus,
    SupportPlan,
    Target,
    Zone,
)
from pupils.services.attendance_import import apply_attendance_import, start_attendance_import
from pupils.services.contacts import (
    complete_meeting_action,
    record_agency_involvement,
    record_meeting,
    record_parent_contact,
)
from pupils.services.daily_log import record_check_in, record_note
from pupils.services.plans import add_target, create_plan, record_review, start_next_cycle
from pupils.services.profile import save_profile
from pupils.services.referrals import end_referral, refer
from semh.access import Role
from semh.calendar import academic_year_start, monday_of
from semh.spreadsheet import csv_lines

STRENGTHS = [
    "Loves drawing comics and Lego; brilliant with younger children.",
    "Football, gaming and animals — talk to them about their dog, Biscuit.",
    "Kind, funny, great memory for facts about space.",
]
TRIGGERS = [
    "Unexpected changes to the timetable\nLoud, crowded corridors\n"
    "Being told off in front of others",
    "Feeling rushed during writing tasks\nSupply teachers who don't know them\nLunchtime conflicts",
]
SIGNS = [
    "Hood up, head down, tapping the desk\nGoes quiet, then starts to refuse",
    "Pacing, clenched fists, raised voice\nLeaves their seat without asking",
]
STRATEGIES = [
    "Give a quiet 2-minute warning before changes\nOffer the time-out pass without discussion\n"
    "Use their name calmly and give two choices\nMovement break: take a message to the office",
    "Meet and greet at the door each morning\nSit near the front, away from the window\n"
    "Chunk tasks with a visual checklist\nAllow use of the fidget tool",
]
NOT_HELPFUL = [
    "Raised voices, sarcasm, public consequences",
    "Lots of talking when they are upset",
]
VOICES = [
    "I like it when adults notice when I'm trying.",
    "When I'm angry I need space, not questions.",
]
TARGETS = [
    (AreaOfNeed.SEMH, "Use a regulation strategy (time-out pass or breathing) when upset"),
    (AreaOfNeed.SEMH, "Stay in class for the whole lesson 4 days out of 5"),
    (AreaOfNeed.COMMUNICATION, "Ask an adult for help using the agreed signal"),
    (AreaOfNeed.COGNITION, "Complete a 10-minute independent writing task"),
]


def seed_pupil_records(*, pupils, staff, rng):
    """Profiles, plans over two review cycles, contacts, agencies and meetings for SEN pupils."""
    senco = staff[Role.SENCO]
    for index, pupil in enumerate(p for p in pupils if p.sen_status != SenStatus.NONE):
        seed = {"actor": senco, "school": pupil.school}
        if not PupilProfile.objects.filter(pupil=pupil).exists():
            _seed_profile(pupil, seed, rng)
        if index % 2 == 0 and not SupportPlan.objects.filter(pupil=pupil).exists():
            kind = PlanKind.EHCP if pupil.sen_status == SenStatus.EHCP else PlanKind.IBP
            _seed_plan_cycles(pupil, kind, seed, rng, overdue=index % 6 == 0)
        if (
            index % 5 == 0
            and not SupportPlan.objects.filter(
                pupil=pupil, kind=PlanKind.POSITIVE_HANDLING
            ).exists()
        ):
            _seed_positive_handling(pupil, seed)
        if not ParentContact.objects.filter(pupil=pupil).exists():
            _seed_contacts(pupil, staff, rng)
        if index % 3 == 0 and not AgencyInvolvement.objects.filter(pupil=pupil).exists():
            _seed_agency(pupil, seed, rng)
        if index % 4 == 0 and not Meeting.objects.filter(pupil=pupil).exists():
            _seed_meeting(pupil, staff, seed, rng)
        if index < 8 and not DailyNote.objects.filter(pupil=pupil).exists():
            _seed_daily_log(pupil, staff, rng)
    seed_attendance(pupils=pupils, staff=staff, rng=rng)


def _attendance_target(index: int) -> float:
    """Most pupils attend 93–99%; a few are persistently absent and one severely."""
    if index == 5:
        return 0.45
    if index in (3, 11, 19):
        return 0.84
    return 0.93 + (index * 3 % 7) / 100


def seed_attendance(*, pupils, staff, rng, today=None):
    """A week of attendance per pupil from the start of the year to last week, written through
    the attendance import (once per school)."""
    pupils = [p for p in pupils if p.upn]
    if not pupils or AttendanceRecord.objects.filter(pupil__in=pupils).exists():
        return
    school = pupils[0].school
    today = today or timezone.localdate()
    first, last = monday_of(academic_year_start(school, today)), monday_of(today)
    rows = []
    week = first
    while week < last:
        for index, pupil in enumerate(pupils):
            miss = 1 - _attendance_target(index)
            absent = sum(rng.random() < miss for _ in range(10))
            unauthorised = sum(rng.random() < 0.4 for _ in range(absent))
            rows.append(
                [
                    pupil.upn,
                    pupil.legal_last_name,
                    pupil.legal_first_name,
                    f"{week:%d/%m/%Y}",
                    f"{week + timedelta(days=4):%d/%m/%Y}",
                    10,
                    10 - absent,
                    absent - unauthorised,
                    unauthorised,
                    int(rng.random() < 0.1),
                    0,
                ]
            )
        week += timedelta(weeks=1)
    senco = staff[Role.SENCO]
    batch = start_attendance_import(
        actor=senco,
        school=school,
        filename="demo-attendance.csv",
        text="".join(csv_lines(TEMPLATE_HEADINGS, rows)).removeprefix("\ufeff"),  # as if decoded
    )
    apply_attendance_import(actor=senco, school=school, batch=batch)


def _seed_profile(pupil, seed, rng):
    save_profile(
        **seed,
        pupil=pupil,
        strengths_and_interests=rng.choice(STRENGTHS),
        triggers=rng.choice(TRIGGERS),
        early_warning_signs=rng.choice(SIGNS),
        strategies_that_help=rng.choice(STRATEGIES),
        what_does_not_help=rng.choice(NOT_HELPFUL),
        communication_preferences="Short, clear instructions; check understanding.",
        pupil_voice=rng.choice(VOICES),
        parent_carer_view="Mornings are hard at home; a calm start helps.",
    )


def _seed_contacts(pupil, staff, rng):
    today = timezone.localdate()
    for days_ago in sorted(rng.sample(range(2, 60), 2), reverse=True):
        record_parent_contact(
            actor=rng.choice([staff[Role.SENCO], staff[Role.ASSISTANT]]),
            school=pupil.school,
            pupil=pupil,
            contacted_at=timezone.now() - timedelta(days=days_ago, hours=rng.randint(0, 5)),
            method=rng.choice(["phone", "in_person", "email"]),
            with_whom=rng.choice(["Mum", "Dad", "Grandma (carer)", "Foster carer"]),
            summary=rng.choice(
                [
                    "Shared a positive week; pupil earned their reward.",
                    "Discussed an incident at lunchtime and the plan for tomorrow.",
                    "Parent worried about sleep; signposted to school nurse.",
                ]
            ),
            follow_up_needed=days_ago < 14,
            follow_up_due=today + timedelta(days=7) if days_ago < 14 else None,
        )


def _seed_agency(pupil, seed, rng):
    record_agency_involvement(
        **seed,
        pupil=pupil,
        agency=rng.choice(["camhs", "ep", "early_help", "mhst", "school_nurse"]),
        status=rng.choice(["referred", "accepted", "active"]),
        referred_on=timezone.localdate() - timedelta(days=rng.randint(20, 150)),
        contact_name=rng.choice(["Dr A. Rao", "J. Whitfield", "S. Nwosu"]),
        notes="Synthetic demo record.",
    )


def _seed_meeting(pupil, staff, seed, rng):
    today = timezone.localdate()
    senco, assistant = staff[Role.SENCO], staff[Role.ASSISTANT]
    meeting = record_meeting(
        **seed,
        pupil=pupil,
        kind=rng.choice(["plan_review", "pastoral", "multi_agency", "taf"]),
        held_on=today - timedelta(days=rng.randint(3, 40)),
        staff_attendees=[senco, assistant],
        external_attendees="Parent/carer\nEarly Help worker",
        notes="Reviewed progress and agreed next steps.",
        actions=[
            {
                "description": "Share the updated profile with all staff",
                "owner": senco,
                "due_on": today + timedelta(days=rng.randint(-5, 14)),
            },
            {
                "description": "Daily check-in with key adult for two weeks",
                "owner": assistant,
                "due_on": today - timedelta(days=2),
            },
        ],
    )
    done = meeting.actions.get(owner=assistant)
    complete_meeting_action(actor=assistant, school=pupil.school, action=done)


def _seed_plan_cycles(pupil, kind, seed, rng, *, overdue):
    today = timezone.localdate()
    first_start = today - timedelta(weeks=26)
    first = create_plan(
        **seed,
        pupil=pupil,
        kind=kind,
        status=PlanStatus.ACTIVE,
        starts_on=first_start,
        next_review_on=first_start + timedelta(weeks=12),
        owner=seed["actor"],
        agreed_with_parents_on=first_start + timedelta(days=3),
        pupil_voice=rng.choice(VOICES),
    )
    targets = [
        add_target(
            **seed,
            plan=first,
            position=i,
            area_of_need=area,
            description=text,
            success_criteria="Seen on 4 of 5 days over two weeks, logged by key adult.",
            baseline="Currently seen about once a week.",
            provision="Daily check-in with key adult; ELSA weekly.",
        )
        for i, (area, text) in enumerate(rng.sample(TARGETS, 3))
    ]
    # The second target is achieved by the end of cycle 1, so it is not carried over.
    for weeks, ratings in ((6, (1, 1, 0)), (12, (2, 4, 1))):
        record_review(
            **seed,
            plan=first,
            held_on=first_start + timedelta(weeks=weeks),
            attendees="SENCo\nParent/carer\nKey adult\nPupil",
            next_steps="Keep strategies consistent across lessons.",
            ratings=[
                (target, rating, "Key adult log and class teacher feedback.")
                for target, rating in zip(targets, ratings, strict=True)
            ],
        )
    second_start = first_start + timedelta(weeks=13)
    second = start_next_cycle(
        **seed,
        plan=first,
        starts_on=second_start,
        next_review_on=today - timedelta(days=5) if overdue else today + timedelta(weeks=4),
    )
    record_review(
        **seed,
        plan=second,
        held_on=second_start + timedelta(weeks=6),
        attendees="SENCo\nParent/carer\nKey adult",
        next_steps="Introduce a Reset Area time-out pass.",
        ratings=[
            (
                target,
                rng.choice([Rating.DEVELOPING, Rating.SECURE]),
                "Observation and incident log.",
            )
            for target in second.targets.all()
        ],
    )


def _seed_positive_handling(pupil, seed):
    today = timezone.localdate()
    plan = {
        "status": PlanStatus.ACTIVE,
        "starts_on": today - timedelta(weeks=8),
        "next_review_on": today + timedelta(weeks=4),
        "owner": seed["actor"],
    }
    create_plan(
        **seed,
        pupil=pupil,
        kind=PlanKind.POSITIVE_HANDLING,
        agreed_with_parents_on=today - timedelta(weeks=8),
        positive_handling={
            "known_triggers": "Physical contact from peers; being blocked from leaving a room.",
            "preferred_deescalation": "Calm voice, offer the Reset Area, give space and time.",
            "agreed_holds": "Team Teach single-elbow escort only, as a last resort.",
            "people_consulted": "Parent/carer, SENCo, class teacher, pupil",
        },
        **plan,
    )
    create_plan(
        **seed,
        pupil=pupil,
        kind=PlanKind.RISK,
        risks=[
            {
                "risk": "Leaves the classroom and the building when dysregulated",
                "likelihood": 3,
                "severity": 4,
                "control_measures": "Time-out pass to the Reset Area; staff radio; "
                "gates locked at break.",
            }
        ],
        **plan,
    )


POSITIVES = [
    "Used the time-out pass calmly and came back ready to learn.",
    "Helped a younger pupil find their classroom.",
    "Stayed in maths for the whole lesson and finished the task.",
    "Asked for help using the agreed signal.",
    "Great contribution in the class discussion about space.",
    "Lined up calmly after lunch without a reminder.",
]
OTHER_NOTES = [
    ("observation", "Hood up in P3; settled after a movement break."),
    ("pastoral", "Said they were tired — late night at home. Checked in at lunch."),
    ("home_school", "Mum texted: good evening, reward chart sticker earned."),
    ("observation", "Found the supply teacher hard; stayed with the assistant."),
]


def _seed_daily_log(pupil, staff, rng):
    """Three weeks of notes (mostly positive, some evidence for a target) and check-ins, written
    as the assistant and the SENCo through the daily log services."""
    today = timezone.localdate()
    targets = list(Target.objects.filter(plan__pupil=pupil, plan__status=PlanStatus.ACTIVE))
    zones = [Zone.GREEN] * 5 + [Zone.YELLOW] * 3 + [Zone.BLUE, Zone.RED]
    for days_ago in range(21, -1, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() >= 5:
            continue
        who = {
            "actor": rng.choice([staff[Role.ASSISTANT], staff[Role.SENCO]]),
            "school": pupil.school,
        }
        if rng.random() < 0.7:
            record_note(
                **who,
                pupil=pupil,
                kind="positive",
                on_day=day,
                text=rng.choice(POSITIVES),
                engagement=rng.choice([None, 4, 5]),
                target=rng.choice(targets) if targets and rng.random() < 0.4 else None,
            )
        if rng.random() < 0.35:
            kind, text = rng.choice(OTHER_NOTES)
            record_note(**who, pupil=pupil, kind=kind, on_day=day, text=text)
        at = timezone.make_aware(datetime.combine(day, time(8, 50 + rng.randint(0, 5))))
        if at <= timezone.now():
            record_check_in(
                **who,
                pupil=pupil,
                at=at,
                zone=rng.choice(zones),
                by=rng.choice(["pupil", "pupil", "staff"]),
                words=rng.choice(["", "", "Tired", "Happy it's PE today", "Worried about lunch"]),
            )


OUTREACH_NOTES = [
    ("positive", "Worked through the reading task with me and asked to carry on."),
    ("observation", "Settled after a calm start in the small room; rejoined class after break."),
    ("positive", "Used the time-out card instead of leaving the room."),
    ("pastoral", "Talked about worries at home; passed on to the school's DSL as agreed."),
]


def seed_referrals(*, school, service, pupils, staff, outreach_worker, rng):
    """Pupils the school refers to the outreach service: two open (with the outreach assistant's
    daily log since), and one that ended. Once per pupil and service."""
    today = timezone.localdate()
    senco = staff[Role.SENCO]
    with_targets = SupportPlan.objects.filter(status=PlanStatus.ACTIVE, targets__isnull=False)
    planned = [p for p in pupils if with_targets.filter(pupil=p).exists()][-3:]
    for index, pupil in enumerate(planned):
        if Referral.objects.filter(pupil=pupil, service=service).exists():
            continue
        referral = refer(
            actor=senco,
            school=school,
            pupil=pupil,
            service=service,
            starts_on=today - timedelta(weeks=4 + index),
            planned_end_on=today + timedelta(weeks=2 + 3 * index),
            exit_strategy=[ExitStrategy.REINTEGRATION, ExitStrategy.TRANSITION][index % 2],
            plan=with_targets.filter(pupil=pupil).first(),
            reason="Struggling to stay in lessons; agreed outreach support two days a week.",
        )
        if index == 2:
            end_referral(
                actor=senco,
                school=school,
                referral=referral,
                end_note="Reintegrated into class full time; outreach no longer needed.",
            )
            continue
        targets = list(Target.objects.filter(plan=referral.plan))
        day = referral.starts_on
        while day <= today:
            if day.weekday() in (1, 3):  # the outreach assistant visits on Tuesdays and Thursdays
                kind, text = rng.choice(OUTREACH_NOTES)
                record_note(
                    actor=outreach_worker,
                    school=school,
                    pupil=pupil,
                    kind=kind,
                    on_day=day,
                    text=text,
                    engagement=rng.choice([3, 4, 4, 5]),
                    target=rng.choice(targets) if targets and rng.random() < 0.5 else None,
                )
            day += timedelta(days=1)
