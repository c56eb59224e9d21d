"""Demo records for the pupils in ``seed_demo``: synthetic, varied, and created once per pupil."""

from datetime import timedelta

from django.utils import timezone

from pupils.models import (
    AgencyInvolvement,
    AreaOfNeed,
    Meeting,
    MeetingAction,
    ParentContact,
    PlanKind,
    PlanReview,
    PlanStatus,
    PositiveHandlingDetails,
    PupilProfile,
    Rating,
    RiskItem,
    SenStatus,
    SupportPlan,
    Target,
    TargetReview,
)
from semh.access import Role

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
    today = timezone.localdate()
    senco = staff[Role.SENCO]
    for index, pupil in enumerate(p for p in pupils if p.sen_status != SenStatus.NONE):
        PupilProfile.objects.get_or_create(
            pupil=pupil,
            defaults={
                "strengths_and_interests": rng.choice(STRENGTHS),
                "triggers": rng.choice(TRIGGERS),
                "early_warning_signs": rng.choice(SIGNS),
                "strategies_that_help": rng.choice(STRATEGIES),
                "what_does_not_help": rng.choice(NOT_HELPFUL),
                "communication_preferences": "Short, clear instructions; check understanding.",
                "pupil_voice": rng.choice(VOICES),
                "parent_carer_view": "Mornings are hard at home; a calm start helps.",
                "last_reviewed_on": today - timedelta(days=rng.randint(10, 200)),
                "last_reviewed_by": senco,
            },
        )
        if index % 2 == 0 and not SupportPlan.objects.filter(pupil=pupil).exists():
            kind = PlanKind.EHCP if pupil.sen_status == SenStatus.EHCP else PlanKind.IBP
            _seed_plan_cycles(pupil, kind, senco, rng, overdue=index % 6 == 0)
        if (
            index % 5 == 0
            and not SupportPlan.objects.filter(
                pupil=pupil, kind=PlanKind.POSITIVE_HANDLING
            ).exists()
        ):
            _seed_positive_handling(pupil, senco)
        if not ParentContact.objects.filter(pupil=pupil).exists():
            for days_ago in sorted(rng.sample(range(2, 60), 2), reverse=True):
                ParentContact.objects.create(
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
                    recorded_by=rng.choice([senco, staff[Role.ASSISTANT]]),
                )
        if index % 3 == 0 and not AgencyInvolvement.objects.filter(pupil=pupil).exists():
            AgencyInvolvement.objects.create(
                pupil=pupil,
                agency=rng.choice(["camhs", "ep", "early_help", "mhst", "school_nurse"]),
                status=rng.choice(["referred", "accepted", "active"]),
                referred_on=today - timedelta(days=rng.randint(20, 150)),
                contact_name=rng.choice(["Dr A. Rao", "J. Whitfield", "S. Nwosu"]),
                notes="Synthetic demo record.",
                recorded_by=senco,
            )
        if index % 4 == 0 and not Meeting.objects.filter(pupil=pupil).exists():
            meeting = Meeting.objects.create(
                pupil=pupil,
                kind=rng.choice(["plan_review", "pastoral", "multi_agency", "taf"]),
                held_on=today - timedelta(days=rng.randint(3, 40)),
                external_attendees="Parent/carer\nEarly Help worker",
                notes="Reviewed progress and agreed next steps.",
                recorded_by=senco,
            )
            meeting.staff_attendees.add(senco, staff[Role.ASSISTANT])
            MeetingAction.objects.create(
                meeting=meeting,
                description="Share the updated profile with all staff",
                owner=senco,
                due_on=today + timedelta(days=rng.randint(-5, 14)),
            )
            MeetingAction.objects.create(
                meeting=meeting,
                description="Daily check-in with key adult for two weeks",
                owner=staff[Role.ASSISTANT],
                due_on=today - timedelta(days=2),
                done_on=today - timedelta(days=1),
            )


def _seed_plan_cycles(pupil, kind, senco, rng, *, overdue):
    today = timezone.localdate()
    first_start = today - timedelta(weeks=26)
    first = SupportPlan.objects.create(
        pupil=pupil,
        kind=kind,
        status=PlanStatus.CLOSED,
        cycle=1,
        starts_on=first_start,
        next_review_on=first_start + timedelta(weeks=12),
        closed_on=first_start + timedelta(weeks=13),
        owner=senco,
        agreed_with_parents_on=first_start + timedelta(days=3),
        pupil_voice=rng.choice(VOICES),
        created_by=senco,
    )
    targets = [
        Target.objects.create(
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
    for weeks, ratings in ((6, (1, 1, 0)), (12, (2, 4, 1))):
        review = PlanReview.objects.create(
            plan=first,
            held_on=first_start + timedelta(weeks=weeks),
            attendees="SENCo\nParent/carer\nKey adult\nPupil",
            next_steps="Keep strategies consistent across lessons.",
            recorded_by=senco,
        )
        for target, rating in zip(targets, ratings, strict=True):
            TargetReview.objects.create(
                review=review,
                target=target,
                rating=rating,
                evidence="Key adult log and class teacher feedback.",
            )
    second_start = first.closed_on
    second = SupportPlan.objects.create(
        pupil=pupil,
        kind=kind,
        status=PlanStatus.ACTIVE,
        cycle=2,
        previous_cycle=first,
        starts_on=second_start,
        next_review_on=today - timedelta(days=5) if overdue else today + timedelta(weeks=4),
        owner=senco,
        agreed_with_parents_on=second_start + timedelta(days=2),
        pupil_voice=first.pupil_voice,
        created_by=senco,
    )
    carried = Target.objects.bulk_create(
        t.carried_into(second)
        for t in targets
        if t is not targets[1]  # the second target was achieved in cycle 1
    )
    review = PlanReview.objects.create(
        plan=second,
        held_on=second_start + timedelta(weeks=6),
        attendees="SENCo\nParent/carer\nKey adult",
        next_steps="Introduce a Reset Area time-out pass.",
        recorded_by=senco,
    )
    for target in carried:
        TargetReview.objects.create(
            review=review,
            target=target,
            rating=rng.choice([Rating.DEVELOPING, Rating.SECURE]),
            evidence="Observation and incident log.",
        )


def _seed_positive_handling(pupil, senco):
    today = timezone.localdate()
    plan = SupportPlan.objects.create(
        pupil=pupil,
        kind=PlanKind.POSITIVE_HANDLING,
        status=PlanStatus.ACTIVE,
        starts_on=today - timedelta(weeks=8),
        next_review_on=today + timedelta(weeks=4),
        owner=senco,
        agreed_with_parents_on=today - timedelta(weeks=8),
        created_by=senco,
    )
    PositiveHandlingDetails.objects.create(
        plan=plan,
        known_triggers="Physical contact from peers; being blocked from leaving a room.",
        preferred_deescalation="Calm voice, offer the Reset Area, give space and time.",
        agreed_holds="Team Teach single-elbow escort only, as a last resort.",
        people_consulted="Parent/carer, SENCo, class teacher, pupil",
    )
    risk = SupportPlan.objects.create(
        pupil=pupil,
        kind=PlanKind.RISK,
        status=PlanStatus.ACTIVE,
        starts_on=today - timedelta(weeks=8),
        next_review_on=today + timedelta(weeks=4),
        owner=senco,
        created_by=senco,
    )
    RiskItem.objects.create(
        plan=risk,
        risk="Leaves the classroom and the building when dysregulated",
        likelihood=3,
        severity=4,
        control_measures="Time-out pass to the Reset Area; staff radio; gates locked at break.",
    )
