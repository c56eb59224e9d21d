"""Trust-scale synthetic data for benchmarks: ten schools over three academic years, in minutes.

``seed_demo`` writes through the services (every rule, every audit row), far too slowly for this
size; this command writes the same kinds of rows in bulk (``demo.bulk``: COPY on PostgreSQL),
filling in what a service would (derived minutes, the period running, audit rows) with the apps'
own helpers. The set-up rows (schools, staff, terms, periods, rooms) go through the ORM, so each
school gets its default vocabulary and provision from the apps' own receivers.

    DEBUG=1 DATABASE_URL=postgres://… .venv/bin/python manage.py seed_trust [--scale 0.1]

Volumes at ``--scale 1`` (per school): 1,000 pupils on roll, 300 of them on the SEMH register,
25,000 incidents and 50,000 Reset Area visits over three academic years (to yesterday), and this
year's Reset Area timetable. Needs a database without these schools (URNs 9710xx): run it on a
fresh one. All names are synthetic. Not written (yet): Reset Area seclusions, the visits of the
timetabled sessions, incident amendments and follow-up actions, parent contacts, agencies,
meetings, outreach referrals, MIS import batches.
"""

import random
import time as clock
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from demo.bulk import BulkWriter, KeyMismatch
from demo.management.commands.seed_demo import FIRST_NAMES, LAST_NAMES, NICKNAMES
from incidents.demo import BEFORE, BEHAVIOUR, BEHAVIOUR_RPI  # the demo's own wording
from incidents.models import (
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
from incidents.vocabulary import ensure_suspension_reasons
from interventions.models import (
    Attendance,
    Consent,
    Enrolment,
    FundingStream,
    Group,
    MeasureDefinition,
    MeasureResult,
    Programme,
    ResultPoint,
    ReviewDecision,
    Session,
    SessionAttendance,
    StaffCost,
    SubscaleScore,
)
from interventions.scoring import score_subscales
from pupils.models import (
    AreaOfNeed,
    AttendanceRecord,
    DailyNote,
    Gender,
    Meeting,
    MeetingAction,
    MeetingKind,
    PlanKind,
    PlanReview,
    PlanStatus,
    PrimaryNeed,
    Pupil,
    PupilProfile,
    PupilUserObjectPermission,
    SenStatus,
    SupportPlan,
    Target,
    TargetReview,
    WellbeingCheckIn,
    Zone,
)
from pupils.validators import upn_check_letter
from reset_area.demo import PURPOSES
from reset_area.models import PlannedPlacement, Reason, Room, Visit, VisitOutcome
from reset_area.services.visits import learning_minutes
from semh import data_version
from semh.access import Role
from semh.audit import AuditAction
from semh.calendar import academic_year_start, school_days
from semh.models import AcademicYear, AuditEvent, Membership, Period, School, Term, Trust, User
from semh.school_day import ensure_typical_school_day

DEMO_PASSWORD = "semh-demo-2026"  # noqa: S105 - documented demo login, refused in production
TRUST_NAME = "Northway Learning Trust"
LONDON = ZoneInfo(settings.TIME_ZONE)

# Per school at --scale 1.
PUPILS_ON_ROLL = 1000
SEMH_REGISTER = 300
INCIDENTS = 25_000
VISITS = 50_000
GROUPS_PER_TERM = 8
NOTE_RATE = 0.12  # daily notes per SEMH-register pupil per school day
CHECK_IN_RATE = 0.08
PUPIL_VIEWS_PER_DAY = 60
RESTRAINT_RATE = 0.03
SUSPENSION_RATE = 0.01
CONCERN_RATE = 0.005

SCHOOLS = [
    ("Ashby Primary School", "ashby", School.Phase.PRIMARY),
    ("Brook Lane Primary", "brook-lane", School.Phase.PRIMARY),
    ("Castleford Academy", "castleford", School.Phase.SECONDARY),
    ("Dale View Primary", "dale-view", School.Phase.PRIMARY),
    ("Elmstead High School", "elmstead", School.Phase.SECONDARY),
    ("Fernhill Primary", "fernhill", School.Phase.PRIMARY),
    ("Greenway Academy", "greenway", School.Phase.SECONDARY),
    ("Hollybank Primary", "hollybank", School.Phase.PRIMARY),
    ("Ivy Court Primary", "ivy-court", School.Phase.PRIMARY),
    ("Juniper Park Academy", "juniper-park", School.Phase.SECONDARY),
]
LA_CODES = ["330", "331", "332", "333", "334", "335", "336", "341", "342", "343"]

# Staff of each school: (role, email local part, how many). The first of each is <role>@….
STAFF = [
    (Role.SENCO, "senco", 1),
    (Role.DSL, "dsl", 1),
    (Role.SLT, "slt", 1),
    (Role.ADMIN, "admin", 1),
    (Role.ASSISTANT, "assistant", 6),
    (Role.TEACHER, "teacher", 8),
]
ROLE_COSTS = {
    Role.ASSISTANT: Decimal("14.50"),
    Role.TEACHER: Decimal("32.00"),
    Role.SENCO: Decimal("38.00"),
    Role.DSL: Decimal("38.00"),
    Role.SLT: Decimal("45.00"),
}
# Written through the ORM (and the apps' receivers); counted with the bulk-written tables.
SET_UP = [
    Trust,
    School,
    User,
    EmailAddress,
    Membership,
    StaffCost,
    AcademicYear,
    Term,
    Period,
    Room,
    Vocabulary,
    Programme,
    FundingStream,
]
ROOMS = [("The Hub", 8), ("Calm Room", 4), ("Nurture Base", 6)]

PERIOD_WEIGHT = {"P1": 3.0, "P2": 1.5, "Break": 0.6, "P3": 1.4, "Lunch": 0.8, "P4": 2.6, "P5": 2.2}
WEEKDAY_WEIGHT = [1.3, 1.0, 0.9, 1.0, 1.2]
TERM_WEIGHT = {Term.Season.AUTUMN: 1.15, Term.Season.SPRING: 1.0, Term.Season.SUMMER: 0.85}
CATEGORY_WEIGHT = {
    "Verbal aggression": 20,
    "Refusal / non-compliance": 22,
    "Disruption": 20,
    "Leaving the classroom without permission": 12,
    "Physical aggression towards pupils": 8,
    "Physical aggression towards staff": 3,
    "Damage to property": 5,
    "Absconding from site": 2,
    "Bullying": 3,
    "Discriminatory language": 2,
    "Self-harm or risk to self": 1,
}
OUTCOMES = [Outcome.RETURNED, Outcome.RESET_AREA, Outcome.INTERNAL_EXCLUSION, Outcome.SENT_HOME]
TARGETS = [
    (AreaOfNeed.SEMH, "Use a regulation strategy (time-out pass or breathing) when upset"),
    (AreaOfNeed.SEMH, "Stay in class for the whole lesson 4 days out of 5"),
    (AreaOfNeed.SEMH, "Name how they are feeling using the zones at check-in"),
    (AreaOfNeed.COMMUNICATION, "Ask an adult for help using the agreed signal"),
    (AreaOfNeed.COGNITION, "Complete a 10-minute independent writing task"),
]
NOTES = [
    ("positive", "Used the time-out pass calmly and came back ready to learn."),
    ("positive", "Stayed in maths for the whole lesson and finished the task."),
    ("positive", "Lined up calmly after lunch without a reminder."),
    ("observation", "Hood up in P3; settled after a movement break."),
    ("pastoral", "Said they were tired — late night at home. Checked in at lunch."),
    ("engagement", "Joined in the group task and took turns."),
]
SDQ_BASELINE = {"emotional": (3, 8), "conduct": (2, 6), "hyperactivity": (4, 9), "peer": (2, 6)}


def local(day: date, minute: int) -> datetime:
    """The aware moment ``minute`` minutes after midnight (London) on ``day``."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=LONDON)


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class SchoolSet:
    """What one school's rows refer to, once its set-up rows are written."""

    school: School
    index: int
    staff: dict = field(default_factory=dict)  # role → [user ids]
    periods: dict = field(default_factory=dict)  # weekday → [Period]
    vocab: dict = field(default_factory=dict)  # kind → {label: id}
    rooms: list = field(default_factory=list)
    terms: list = field(default_factory=list)
    pupils: list = field(default_factory=list)  # (id, upn, sen_status) of pupils on roll
    semh: list = field(default_factory=list)  # ids of SEMH-register pupils
    weights: tuple = ()  # (pupils, cumulative weights): who has incidents and visits

    def one(self, role):
        return self.staff[role][0]

    @property
    def recorders(self):
        return self.staff[Role.ASSISTANT] * 2 + self.staff[Role.TEACHER]


class Command(BaseCommand):
    help = "Fill the database with a trust's worth of synthetic data for benchmarks, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=10, help="How many schools (1-10).")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply the volumes.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, schools=10, scale=1.0, seed=2026, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_trust loads demo accounts with a published password: refusing with DEBUG "
                "off. Use --force only on a throwaway database."
            )
        if not 1 <= schools <= len(SCHOOLS):
            raise CommandError(f"--schools must be from 1 to {len(SCHOOLS)}.")
        if scale <= 0:
            raise CommandError("--scale must be more than 0.")
        started = clock.monotonic()
        with scopes_disabled():
            if School.objects.filter(urn__startswith="9710").exists():
                raise CommandError(
                    "This database already has the trust's schools: use a fresh one."
                )
            seeder = TrustSeeder(scale=scale, seed=seed, out=self.stdout)
            with transaction.atomic():
                seeder.writer.start()
                seeder.seed(schools)
                for model in SET_UP:
                    seeder.writer.tables.setdefault(model._meta.db_table, model)
                tick = clock.monotonic()
                try:
                    seeder.writer.check_keys()
                except KeyMismatch as error:
                    raise CommandError(f"Nothing was written: {error}") from error
                self.stdout.write(f"  Foreign keys checked: {clock.monotonic() - tick:.1f} s")
                counts = seeder.writer.counts()
            tick = clock.monotonic()
            seeder.writer.vacuum_analyze()
            data_version.changed()  # COPY passes by the write watch
            self.stdout.write(f"  Tables vacuumed and analysed: {clock.monotonic() - tick:.1f} s")
        elapsed = clock.monotonic() - started
        self.stdout.write(f"{'table':<52}{'rows':>12}")
        for table, rows in counts:
            self.stdout.write(f"{table:<52}{rows:>12,}")
        self.stdout.write(f"{'total':<52}{sum(r for _, r in counts):>12,}")
        self.stdout.write(self.style.SUCCESS(f"Seeded {schools} schools in {elapsed:.1f} s."))
        self.stdout.write(
            f"Logins (password {DEMO_PASSWORD}): senco@<school>.trust.example (dsl, slt, "
            f"assistant…), trust-slt@trust.example; schools: "
            + ", ".join(slug for _, slug, _ in SCHOOLS[:schools])
        )


class TrustSeeder:
    def __init__(self, *, scale, seed, out):
        self.scale, self.rng, self.out = scale, random.Random(seed), out  # noqa: S311 - synthetic
        self.writer = BulkWriter()
        self.now = datetime.now(tz=LONDON)
        self.today = self.now.date()
        self.password = make_password(DEMO_PASSWORD)  # hashed once: every login shares it
        self.audit = []
        self.serial = self.rng.getrandbits(20) << 8

    def n(self, volume, least=1):
        return max(least, round(volume * self.scale))

    def uuid(self):
        """A random id whose first 32 bits follow the order rows are made in (96 bits stay
        random, so ids are no easier to guess): each table's indexes then grow at one end
        instead of at random pages, which on a server's default 128 MB of shared buffers keeps
        the load from slowing down as the tables grow."""
        self.serial += 1
        return uuid.UUID(int=(self.serial >> 8) << 96 | self.rng.getrandbits(96), version=4)

    def log(self, message):
        self.out.write(message)

    def event(self, at, actor, school_id, action, target_type="", target_id="", detail=None):
        self.audit.append(
            (
                self.uuid(),
                at,
                actor,
                school_id,
                action,
                target_type,
                str(target_id) if target_id else "",
                f"192.0.2.{1 + int(actor or 0) % 250}" if actor else None,
                detail or {},
            )
        )

    def flush_audit(self):
        columns = ["id", "at", "actor_id", "school_id", "action", "object_type", "object_id"]
        self.writer.write(AuditEvent, [*columns, "ip_address", "detail"], self.audit)
        self.audit = []

    # --- The trust, its schools and their set-up ---------------------------------------------

    def seed(self, count):
        if not SuspensionReason.objects.filter(code="PA").exists():
            ensure_suspension_reasons()
        self.reasons = list(SuspensionReason.objects.values_list("pk", flat=True))
        self.sdq = MeasureDefinition.objects.filter(key="sdq-teacher", school__isnull=True).first()
        self.sdq_subscales = list(self.sdq.subscales.all()) if self.sdq else []
        self.view_pupil = Permission.objects.get(
            codename="view_pupil", content_type__app_label="pupils"
        )
        trust, _ = Trust.objects.get_or_create(name=TRUST_NAME)
        leader = self.users([("trust-slt@trust.example", "Morgan", "Ellis")])[0]
        first_year = academic_year_start(None, self.today).year - 2
        for index, (name, slug, phase) in enumerate(SCHOOLS[:count]):
            tick = clock.monotonic()
            s = self.set_up(trust, index, name, slug, phase, first_year)
            Membership.objects.create(user_id=leader, school=s.school, role=Role.SLT)
            days = school_days(s.school, date(first_year, 9, 1), self.today - timedelta(days=1))
            self.pupils(s, first_year)
            plans = self.plans(s, first_year)
            self.incidents(s, days)
            self.visits(s, days)
            self.placements(s)
            self.interventions(s)
            self.daily_log(s, days, plans)
            self.attendance(s, days)
            self.reads(s, days)
            self.flush_audit()
            self.log(f"  {name}: {clock.monotonic() - tick:.1f} s")

    def users(self, people):
        """Users (email, first, last) with the shared demo password; their ids."""
        made = User.objects.bulk_create(
            [
                User(email=email, first_name=first, last_name=last, password=self.password)
                for email, first, last in people
            ],
            batch_size=1000,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made]
        )
        return [u.pk for u in made]

    def set_up(self, trust, index, name, slug, phase, first_year):
        rng = self.rng
        # One at a time: the apps' receivers give a new school its vocabulary and provision.
        school = School.objects.create(
            urn=f"9710{index:02d}", name=name, slug=slug, phase=phase, trust=trust
        )
        s = SchoolSet(school=school, index=index)
        people, roles = [], []
        for role, local_part, count in STAFF:
            for i in range(1, count + 1):
                email = f"{local_part}{'' if i == 1 else i}@{slug}.trust.example"
                people.append((email, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)))
                roles.append(role)
        ids = self.users(people)
        Membership.objects.bulk_create(
            [Membership(user_id=u, school=school, role=r) for u, r in zip(ids, roles, strict=True)]
        )
        for user_id, role in zip(ids, roles, strict=True):
            s.staff.setdefault(role, []).append(user_id)
        StaffCost.objects.bulk_create(
            [StaffCost(school=school, role=r, hourly_cost=c) for r, c in ROLE_COSTS.items()]
        )
        # Three academic years of terms, as seed_demo's calendar has them.
        for start in range(first_year, first_year + 3):
            year = AcademicYear.objects.create(
                school=school,
                name=f"{start}/{str(start + 1)[-2:]}",
                starts_on=date(start, 9, 1),
                ends_on=date(start + 1, 7, 31),
            )
            for season, first, last in (
                (Term.Season.AUTUMN, date(start, 9, 3), date(start, 12, 18)),
                (Term.Season.SPRING, date(start + 1, 1, 5), date(start + 1, 3, 26)),
                (Term.Season.SUMMER, date(start + 1, 4, 13), date(start + 1, 7, 21)),
            ):
                s.terms.append(
                    Term.objects.create(
                        school=school,
                        academic_year=year,
                        season=season,
                        starts_on=first,
                        ends_on=last,
                    )
                )
        ensure_typical_school_day(school)
        for period in Period.objects.filter(school=school):
            s.periods.setdefault(period.weekday, []).append(period)
        for kind, label, pk in Vocabulary.objects.filter(school=school).values_list(
            "kind", "label", "pk"
        ):
            s.vocab.setdefault(kind, {})[label] = pk
        s.rooms = Room.objects.bulk_create(
            [
                Room(school=school, name=room, capacity=capacity)
                for room, capacity in ROOMS[: 2 + (phase == School.Phase.SECONDARY)]
            ]
        )
        for room in s.rooms:
            self.event(
                local(date(first_year, 9, 1), 9 * 60),
                s.one(Role.SENCO),
                school.pk,
                AuditAction.RESET_ROOM_CREATE,
                "reset_area.room",
                room.pk,
            )
        return s

    def term_of(self, s, day):
        for term in s.terms:
            if term.starts_on <= day <= term.ends_on:
                return term
        return None

    # --- Pupils, caseloads, profiles -----------------------------------------------------------

    def pupils(self, s, first_year):
        rng, school = self.rng, s.school
        years = list(range(7, 12)) if school.phase == School.Phase.SECONDARY else list(range(0, 7))
        forms = ["A", "B", "C", "D"]
        on_roll, register = self.n(PUPILS_ON_ROLL, 10), self.n(SEMH_REGISTER, 3)
        rows, this_year = [], academic_year_start(school, self.today).year
        senco = s.one(Role.SENCO)
        for serial in range(on_roll):
            body = f"{LA_CODES[s.index]}{2000 + s.index:04d}{serial // 1000:02d}{serial % 1000:03d}"
            upn = upn_check_letter(body) + body
            semh = serial < register
            sen = (
                rng.choices([SenStatus.SEN_SUPPORT, SenStatus.EHCP], [4, 1])[0]
                if semh
                else SenStatus.NONE
            )
            need = (
                rng.choice([PrimaryNeed.SEMH] * 7 + [PrimaryNeed.ASD, PrimaryNeed.SLCN])
                if semh
                else ""
            )
            year = rng.choice(years)
            first = rng.choice(FIRST_NAMES)
            born = date(this_year - year - 5, rng.randint(9, 12), rng.randint(1, 28))
            if rng.random() < 0.66:
                born = date(this_year - year - 4, rng.randint(1, 8), rng.randint(1, 28))
            created = local(date(first_year, 9, 1), 8 * 60)
            pupil_id = self.uuid()
            rows.append(
                (
                    pupil_id,
                    school.pk,
                    upn,
                    first,
                    rng.choice(LAST_NAMES),
                    NICKNAMES.get(first, "") if rng.random() < 0.5 else "",
                    "",
                    born,
                    rng.choice([Gender.FEMALE, Gender.MALE]),
                    year,
                    f"{year}{rng.choice(forms)}" if year else rng.choice(forms),
                    sen,
                    need,
                    rng.random() < 0.3,
                    rng.random() < 0.04,
                    rng.choices(["", "CIN", "CP"], [90, 7, 3])[0],
                    date(first_year, 9, 1),
                    None,
                    created,
                    created,
                )
            )
            s.pupils.append((pupil_id, upn, sen))
            if semh:
                s.semh.append(pupil_id)
            self.event(
                created, senco, school.pk, AuditAction.PUPIL_CREATE, "pupils.pupil", pupil_id
            )
        self.writer.write(
            Pupil,
            [
                "id",
                "school_id",
                "upn",
                "legal_first_name",
                "legal_last_name",
                "preferred_first_name",
                "preferred_last_name",
                "date_of_birth",
                "gender",
                "year_group",
                "form",
                "sen_status",
                "primary_need",
                "pupil_premium",
                "looked_after",
                "safeguarding_status",
                "on_roll_from",
                "left_on",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        # Each assistant's caseload and key pupils: the register shared out between them.
        assistants = s.staff[Role.ASSISTANT]
        grants, keys = [], []
        for i, pupil_id in enumerate(s.semh):
            assistant = assistants[i % len(assistants)]
            grants.append((self.view_pupil.pk, assistant, pupil_id))
            keys.append((pupil_id, assistant))
        self.writer.write(
            PupilUserObjectPermission, ["permission_id", "user_id", "content_object_id"], grants
        )
        self.writer.write(Pupil.key_adults.through, ["pupil_id", "user_id"], keys)
        profile = (
            "Football, drawing and Lego.",
            "Unexpected changes\nLoud, crowded corridors",
            "Hood up, head down\nGoes quiet, then refuses",
            "Give a quiet warning before changes\nOffer the time-out pass",
            "Raised voices, public consequences",
            "Short, clear instructions.",
            "When I'm angry I need space, not questions.",
            "A calm start helps.",
        )
        self.writer.write(
            PupilProfile,
            [
                "pupil_id",
                "strengths_and_interests",
                "triggers",
                "early_warning_signs",
                "strategies_that_help",
                "what_does_not_help",
                "communication_preferences",
                "pupil_voice",
                "parent_carer_view",
                "last_reviewed_on",
                "last_reviewed_by_id",
                "updated_at",
            ],
            [
                (p, *profile, date(first_year, 10, 1), senco, local(date(first_year, 10, 1), 900))
                for p in s.semh
            ],
        )

    # --- Support plans: one cycle a year, targets carried, reviews rated -----------------------

    def plans(self, s, first_year):
        """Three yearly cycles per SEMH-register pupil; returns {(pupil, year start): [target
        ids]} for the daily log's evidence."""
        rng, senco, school_id = self.rng, s.one(Role.SENCO), s.school.pk
        plans, targets, reviews, ratings, by_year = [], [], [], [], {}
        meetings, attendees, actions = [], [], []
        sen = {p: status for p, _, status in s.pupils}
        for pupil_id in s.semh:
            kind = PlanKind.EHCP if sen[pupil_id] == SenStatus.EHCP else PlanKind.IBP
            previous, carried = None, []
            for cycle, year in enumerate(range(first_year, first_year + 3), start=1):
                starts = date(year, 9, 15) + timedelta(days=rng.randint(0, 20))
                if starts >= self.today:
                    break
                last = cycle == 3 or date(year + 1, 9, 15) >= self.today
                plan_id = self.uuid()
                closed_on = None if last else date(year + 1, 7, 15)
                review_on = starts + timedelta(weeks=12)
                at = local(starts, 15 * 60)
                plans.append(
                    (
                        plan_id,
                        pupil_id,
                        kind,
                        PlanStatus.ACTIVE if last else PlanStatus.CLOSED,
                        cycle,
                        previous,
                        starts,
                        review_on if last else None,
                        closed_on,
                        senco,
                        starts + timedelta(days=3),
                        "I like it when adults notice when I'm trying.",
                        senco,
                        at,
                        at,
                    )
                )
                self.event(
                    at,
                    senco,
                    school_id,
                    AuditAction.PLAN_CREATE if cycle == 1 else AuditAction.PLAN_NEXT_CYCLE,
                    "pupils.supportplan",
                    plan_id,
                    {"pupil": str(pupil_id)},
                )
                chosen = carried or [(t, None) for t in rng.sample(TARGETS, 3)]
                these = []
                for position, ((area, text), carried_from) in enumerate(chosen):
                    target_id = self.uuid()
                    targets.append(
                        (
                            target_id,
                            plan_id,
                            position,
                            area,
                            text,
                            "Seen on 4 of 5 days over two weeks, logged by key adult.",
                            "Currently seen about once a week.",
                            "Daily check-in with key adult; ELSA weekly.",
                            carried_from,
                        )
                    )
                    these.append(((area, text), target_id))
                by_year[(pupil_id, year)] = [t for _, t in these]
                # Reviews at 6 and 12 weeks (and at the end of a closed cycle).
                final = {}
                for weeks in (6, 12, 40):
                    held = starts + timedelta(weeks=weeks)
                    if held >= self.today or (weeks == 40 and last):
                        continue
                    review_id = self.uuid()
                    at = local(held, 15 * 60 + 30)
                    reviews.append(
                        (
                            review_id,
                            plan_id,
                            held,
                            "SENCo\nParent/carer\nKey adult",
                            "Keep strategies consistent across lessons.",
                            senco,
                            at,
                        )
                    )
                    self.event(
                        at,
                        senco,
                        school_id,
                        AuditAction.PLAN_REVIEW,
                        "pupils.supportplan",
                        plan_id,
                        {"pupil": str(pupil_id)},
                    )
                    # The review meeting, with parents, and the action it agreed.
                    meeting_id, due = self.uuid(), held + timedelta(weeks=2)
                    meetings.append(
                        (
                            meeting_id,
                            pupil_id,
                            MeetingKind.PLAN_REVIEW,
                            held,
                            "Parent/carer",
                            "Reviewed the plan's targets.",
                            senco,
                            at,
                        )
                    )
                    attendees.append((meeting_id, senco))
                    done = due < self.today - timedelta(days=rng.randint(0, 28))
                    actions.append(
                        (
                            self.uuid(),
                            meeting_id,
                            "Share the agreed strategies with the class team.",
                            senco,
                            due,
                            due if done else None,
                            senco if done else None,
                        )
                    )
                    self.event(
                        at,
                        senco,
                        school_id,
                        AuditAction.MEETING_CREATE,
                        "pupils.meeting",
                        meeting_id,
                        {"pupil": str(pupil_id)},
                    )
                    for _, target_id in these:
                        rating = min(4, max(0, weeks // 12 + rng.randint(0, 2)))
                        final[target_id] = rating
                        ratings.append((review_id, target_id, rating, "Key adult log."))
                carried = [(t, tid) for t, tid in these if final.get(tid, 0) < 4]
                previous = plan_id
        columns = [
            "id",
            "pupil_id",
            "kind",
            "status",
            "cycle",
            "previous_cycle_id",
            "starts_on",
            "next_review_on",
            "closed_on",
            "owner_id",
            "agreed_with_parents_on",
            "pupil_voice",
            "created_by_id",
            "created_at",
            "updated_at",
        ]
        self.writer.write(SupportPlan, columns, plans)
        self.writer.write(
            Target,
            [
                "id",
                "plan_id",
                "position",
                "area_of_need",
                "description",
                "success_criteria",
                "baseline",
                "provision",
                "carried_from_id",
            ],
            targets,
        )
        self.writer.write(
            PlanReview,
            ["id", "plan_id", "held_on", "attendees", "next_steps", "recorded_by_id", "created_at"],
            reviews,
        )
        self.writer.write(TargetReview, ["review_id", "target_id", "rating", "evidence"], ratings)
        self.writer.write(
            Meeting,
            [
                "id",
                "pupil_id",
                "kind",
                "held_on",
                "external_attendees",
                "notes",
                "recorded_by_id",
                "created_at",
            ],
            meetings,
        )
        self.writer.write(Meeting.staff_attendees.through, ["meeting_id", "user_id"], attendees)
        self.writer.write(
            MeetingAction,
            ["id", "meeting_id", "description", "owner_id", "due_on", "done_on", "done_by_id"],
            actions,
        )
        return by_year

    # --- Incidents, restrictive interventions, concerns ---------------------------------------

    def period_at(self, s, moment):
        clock_time = moment.time()
        for period in s.periods.get(moment.weekday(), ()):
            if period.starts_at <= clock_time < period.ends_at:
                return period
        return None

    def moment(self, s, day):
        """A moment in the school day of ``day``, busier in some periods; (moment, period)."""
        periods = s.periods[day.weekday()]
        period = self.rng.choices(periods, [PERIOD_WEIGHT.get(p.name, 1.0) for p in periods])[0]
        first, last = minutes(period.starts_at), minutes(period.ends_at) - 1
        return local(day, self.rng.randint(first, last)), period

    def day_counts(self, s, days, total):
        """How many of ``total`` fall on each day: busier Mondays, Fridays and autumn terms."""
        weights = []
        for day in days:
            term = self.term_of(s, day)
            weights.append(WEEKDAY_WEIGHT[day.weekday()] * TERM_WEIGHT[term.season])
        scale = total / sum(weights) if weights else 0
        counts = []
        for weight in weights:
            expected = weight * scale
            counts.append(int(expected) + (self.rng.random() < expected - int(expected)))
        return counts

    def pupil_weights(self, s):
        """Cumulative weights over every pupil on roll: a few SEMH pupils account for many
        incidents and visits; pupils off the register for about one in six."""
        rng = self.rng
        semh = {p: min(40.0, rng.paretovariate(1.3)) for p in s.semh}
        others = [p for p, _, _ in s.pupils if p not in semh]
        share = sum(semh.values()) / 5 / max(1, len(others))
        population = list(semh) + others
        weights = list(semh.values()) + [share] * len(others)
        total, cumulative = 0.0, []
        for w in weights:
            total += w
            cumulative.append(total)
        return population, cumulative

    def incidents(self, s, days):
        rng, school_id = self.rng, s.school.pk
        population, cumulative = s.weights = self.pupil_weights(s)
        on_roll = [p for p, _, _ in s.pupils]
        categories = list(CATEGORY_WEIGHT)
        category_ids = [s.vocab[VocabularyKind.CATEGORY][c] for c in categories]
        category_weights = list(CATEGORY_WEIGHT.values())
        triggers = list(s.vocab[VocabularyKind.TRIGGER].values())
        strategies = list(s.vocab[VocabularyKind.STRATEGY].values())
        holds = [
            pk for label, pk in s.vocab[VocabularyKind.HOLD].items() if "(describe)" not in label
        ]
        places = s.vocab[VocabularyKind.LOCATION]
        where = {pk: label for label, pk in places.items()}
        indoors = [places[p] for p in ("Classroom", "Corridor", "Library", "PE / sports hall")]
        outdoors = [places[p] for p in ("Playground", "Dining hall", "Toilets")]
        aggression = s.vocab[VocabularyKind.CATEGORY]["Physical aggression towards pupils"]
        senco, dsl = s.one(Role.SENCO), s.one(Role.DSL)
        self.to_reset = []  # (incident id, pupil id, occurred_at, reporter)
        rows, pupils, strategy_rows, staff_rows = [], [], [], []
        restraints, ri_staff, ri_holds, statements, reports, concerns = [], [], [], [], [], []
        week_ago = self.now - timedelta(days=7)
        for day, count in zip(days, self.day_counts(s, days, self.n(INCIDENTS)), strict=True):
            for pupil_id in rng.choices(population, cum_weights=cumulative, k=count):
                incident_id = self.uuid()
                occurred, period = self.moment(s, day)
                reporter = rng.choice(s.recorders)
                submitted = occurred + timedelta(minutes=rng.randint(10, 50))
                severity = rng.choices([1, 2, 3, 4], [40, 35, 20, 5])[0]
                category = rng.choices(category_ids, category_weights)[0]
                behaviour = rng.choice(BEHAVIOUR)
                outcome = rng.choices(OUTCOMES, [50, 35, 12, 3])[0]
                suspension_days = reason = None
                restrained = rng.random() < RESTRAINT_RATE
                concerned = rng.random() < CONCERN_RATE
                if restrained:
                    severity, category, outcome = 4, aggression, Outcome.RESET_AREA
                    behaviour = rng.choice(BEHAVIOUR_RPI)
                elif severity >= 3 and rng.random() < SUSPENSION_RATE * 4:
                    outcome = Outcome.SUSPENSION
                    suspension_days = Decimal(rng.choice(["0.5", "1.0", "2.0", "3.0"]))
                    reason = rng.choice(self.reasons)
                informed = (
                    ParentsInformed.YES
                    if severity >= 3 or rng.random() < 0.5
                    else ParentsInformed.NOT_YET
                )
                reviewed = submitted < week_ago and rng.random() < 0.97
                reviewed_at = submitted + timedelta(days=rng.randint(1, 3)) if reviewed else None
                location = rng.choice(indoors if period.is_learning else outdoors)
                rows.append(
                    (
                        incident_id,
                        school_id,
                        self.uuid(),
                        "reviewed" if reviewed else "submitted",
                        occurred,
                        location,
                        period.pk,
                        category,
                        severity,
                        rng.choice(triggers) if rng.random() < 0.85 else None,
                        rng.choice(BEFORE),
                        behaviour,
                        outcome,
                        "",
                        suspension_days,
                        reason,
                        "",
                        informed,
                        "Phoned parent/carer after school."
                        if informed == ParentsInformed.YES
                        else "Will speak to parent/carer at pick-up.",
                        reporter,
                        submitted,
                        reviewed_at,
                        senco if reviewed else None,
                        "Read and discussed with the key adult." if reviewed else "",
                    )
                )
                pupils.append((incident_id, pupil_id, True))
                other = None
                if rng.random() < 0.2:
                    other = rng.choice(on_roll)
                    if other != pupil_id:
                        pupils.append((incident_id, other, False))
                    else:
                        other = None
                for strategy in rng.sample(strategies, rng.randint(1, 3)):
                    strategy_rows.append((incident_id, strategy))
                helper = rng.choice(s.staff[Role.ASSISTANT])
                involved = {reporter, helper}
                for user in involved:
                    staff_rows.append((incident_id, user))
                self.event(
                    submitted, reporter, school_id, AuditAction.INCIDENT_CREATE,
                    "incidents.incident", incident_id,
                    {"pupil": str(pupil_id), "other_pupils": [str(other)] if other else [],
                     "restraint": restrained, "safeguarding": concerned},
                )  # fmt: skip
                if other:
                    self.event(
                        submitted, reporter, school_id, AuditAction.INCIDENT_INVOLVE,
                        "incidents.incident", incident_id, {"pupil": str(other)},
                    )  # fmt: skip
                if reviewed:
                    self.event(
                        reviewed_at, senco, school_id, AuditAction.INCIDENT_REVIEW,
                        "incidents.incident", incident_id, {"pupil": str(pupil_id)},
                    )  # fmt: skip
                if outcome == Outcome.RESET_AREA:
                    self.to_reset.append((incident_id, pupil_id, occurred, reporter))
                if restrained:
                    self.restraint(
                        s, incident_id, pupil_id, occurred, submitted, reporter, involved, holds,
                        where[location],
                        restraints, ri_staff, ri_holds, statements, reports,
                    )  # fmt: skip
                if concerned:
                    closed = submitted < self.now - timedelta(days=30)
                    concern_id = self.uuid()
                    concerns.append(
                        (
                            concern_id,
                            pupil_id,
                            incident_id,
                            reporter,
                            submitted,
                            occurred,
                            "Said something worrying about home while calming down. (Synthetic.)",
                            "Passed to the DSL straight away.",
                            "closed" if closed else "open",
                            submitted + timedelta(days=14) if closed else None,
                            dsl if closed else None,
                        )
                    )
                    self.event(
                        submitted, reporter, school_id, AuditAction.CONCERN_CREATE,
                        "incidents.safeguardingconcern", concern_id, {"pupil": str(pupil_id)},
                    )  # fmt: skip
        self.writer.write(
            Incident,
            [
                "id",
                "school_id",
                "submission_key",
                "status",
                "occurred_at",
                "location_id",
                "period_id",
                "category_id",
                "severity",
                "trigger_id",
                "antecedent",
                "behaviour",
                "outcome",
                "outcome_notes",
                "suspension_days",
                "suspension_reason_id",
                "witnesses",
                "parents_informed",
                "parents_informed_detail",
                "reported_by_id",
                "submitted_at",
                "reviewed_at",
                "reviewed_by_id",
                "review_notes",
            ],
            rows,
        )
        self.writer.write(IncidentPupil, ["incident_id", "pupil_id", "is_primary"], pupils)
        self.writer.write(
            Incident.strategies.through, ["incident_id", "vocabulary_id"], strategy_rows
        )
        self.writer.write(Incident.staff_involved.through, ["incident_id", "user_id"], staff_rows)
        self.writer.write(
            RestrictiveIntervention,
            [
                "id",
                "pupil_id",
                "kind",
                "incident_id",
                "started_at",
                "ended_at",
                "location",
                "other_hold",
                "what_happened_before",
                "deescalation_tried",
                "necessity",
                "necessity_detail",
                "pupil_injured",
                "staff_injured",
                "injuries",
                "body_map",
                "medical_attention",
                "pupil_debrief_at",
                "pupil_debrief_notes",
                "staff_debrief_at",
                "staff_debrief_notes",
                "support_offered",
                "positive_handling_plan_id",
                "recorded_by_id",
                "created_at",
            ],
            restraints,
        )
        self.writer.write(
            RestrictiveIntervention.staff_involved.through,
            ["restrictiveintervention_id", "user_id"],
            ri_staff,
        )
        self.writer.write(
            RestrictiveIntervention.holds.through,
            ["restrictiveintervention_id", "vocabulary_id"],
            ri_holds,
        )
        self.writer.write(
            StaffStatement,
            ["intervention_id", "author_id", "text", "created_at", "updated_at"],
            statements,
        )
        self.writer.write(
            ParentReport,
            [
                "intervention_id",
                "reported_at",
                "method",
                "reported_by_id",
                "what_was_said",
                "not_reported_reason",
                "local_authority_reported_at",
                "local_authority_contact",
                "recorded_by_id",
                "recorded_at",
            ],
            reports,
        )
        self.writer.write(
            SafeguardingConcern,
            [
                "id",
                "pupil_id",
                "incident_id",
                "raised_by_id",
                "raised_at",
                "noticed_at",
                "concern",
                "immediate_action",
                "status",
                "closed_at",
                "closed_by_id",
            ],
            concerns,
        )

    def restraint(
        self, s, incident_id, pupil_id, occurred, submitted, reporter, involved, holds, place,
        restraints, ri_staff, ri_holds, statements, reports,
    ):  # fmt: skip
        """The statutory record of a restraint in an incident, with its follow-up: complete for
        all but the most recent few weeks, where some statements and reports are still owed."""
        rng, senco, school_id = self.rng, s.one(Role.SENCO), s.school.pk
        record_id = self.uuid()
        started = occurred + timedelta(minutes=2)
        ended = started + timedelta(minutes=rng.randint(2, 10))
        injured = rng.random() < 0.1
        recent = submitted > self.now - timedelta(days=21)
        debriefed = not recent or rng.random() < 0.5
        restraints.append(
            (
                record_id,
                pupil_id,
                "restraint",
                incident_id,
                started,
                ended,
                place,
                "",
                "Was asked to stop and moved away from other pupils.",
                "Calm voice and choices; moved the other pupils out; offered the Reset Area.",
                ["injury_others"],
                "Was hitting out at another pupil and did not stop when asked.",
                injured,
                rng.random() < 0.05,
                "Small red mark on the left forearm from the hold." if injured else "",
                ["arm_left"] if injured else [],
                "Checked by the first aider; no treatment needed." if injured else "",
                min(started + timedelta(days=1), self.now) if debriefed else None,
                "Talked it through with a comic strip." if debriefed else "",
                started + timedelta(hours=3),
                "Hold as planned; agreed to offer the Reset Area sooner.",
                "Key adult check-in next morning.",
                None,
                reporter,
                submitted,
            )
        )
        self.event(
            submitted, reporter, school_id, AuditAction.RESTRICTIVE_CREATE,
            "incidents.restrictiveintervention", record_id, {"pupil": str(pupil_id)},
        )  # fmt: skip
        for user in involved:
            ri_staff.append((record_id, user))
            if not recent or rng.random() < 0.6:
                at = submitted + timedelta(hours=rng.randint(1, 30))
                statements.append((record_id, user, "I used the hold from the plan.", at, at))
                self.event(
                    at, user, school_id, AuditAction.RESTRICTIVE_STATEMENT_CREATE,
                    "incidents.restrictiveintervention", record_id, {"pupil": str(pupil_id)},
                )  # fmt: skip
        for hold in rng.sample(holds, rng.randint(1, 2)):
            ri_holds.append((record_id, hold))
        if not recent or rng.random() < 0.7:
            at = started + timedelta(hours=4)
            reports.append(
                (
                    record_id,
                    at,
                    "Phone call",
                    senco,
                    "Explained what happened, the hold used and for how long.",
                    "",
                    None,
                    "",
                    senco,
                    at,
                )
            )
            self.event(
                at, senco, school_id, AuditAction.RESTRICTIVE_PARENT_REPORT,
                "incidents.restrictiveintervention", record_id, {"pupil": str(pupil_id)},
            )  # fmt: skip

    # --- Reset Area visits ---------------------------------------------------------------------

    def visits(self, s, days):
        rng, school_id = self.rng, s.school.pk
        population, cumulative = s.weights
        periods = [p for ps in s.periods.values() for p in ps]
        strategies = list(s.vocab[VocabularyKind.STRATEGY].values())
        room_weights = [6, 3, 2][: len(s.rooms)]
        referrers = s.staff[Role.TEACHER] + [s.one(Role.SENCO)]
        day_end = max(minutes(p.ends_at) for p in periods)

        @cache
        def derived(weekday, arrive, leave):
            """(stay, minutes out of learning) of a same-day stay: learning_minutes, once."""
            day = date(2024, 1, 1) + timedelta(days=weekday)  # a Monday, shifted to the weekday
            return leave - arrive, learning_minutes(local(day, arrive), local(day, leave), periods)

        by_day = defaultdict(list)
        for incident_id, pupil_id, occurred, reporter in self.to_reset:
            by_day[occurred.date()].append((incident_id, pupil_id, occurred, reporter))
        rows, strategy_rows = [], []
        total = max(0, self.n(VISITS) - len(self.to_reset))
        for day, count in zip(days, self.day_counts(s, days, total), strict=True):
            busy = defaultdict(list)  # pupil → [(arrive, leave)] that day, in minutes
            # A few more than wanted: a pupil already in the Reset Area then is passed over.
            wanted = [
                (None, p, None, None)
                for p in rng.choices(population, cum_weights=cumulative, k=count + count // 8 + 1)
            ]
            for incident_id, pupil_id, occurred, reporter in by_day.get(day, []) + wanted:
                if occurred is None:
                    if count <= 0:
                        break
                    moment, period = self.moment(s, day)
                    arrive = minutes(moment.time())
                    reason = rng.choices([Reason.REFERRED, Reason.SELF_REFERRAL], [6, 4])[0]
                    referred_by = rng.choice(referrers) if reason == Reason.REFERRED else None
                else:
                    arrive = minutes(occurred.time()) + rng.randint(3, 12)
                    reason, referred_by = Reason.INCIDENT, reporter
                stay = int(min(75, max(4, rng.lognormvariate(2.95, 0.55))))
                leave = min(arrive + stay, day_end)
                if arrive >= leave or any(a < leave and arrive < b for a, b in busy[pupil_id]):
                    continue  # already in the Reset Area then
                busy[pupil_id].append((arrive, leave))
                count -= occurred is None
                arrived_at, left_at = local(day, arrive), local(day, leave)
                period = self.period_at(s, arrived_at)
                stay_minutes, out_of_learning = derived(day.weekday(), arrive, leave)
                if reason == Reason.SELF_REFERRAL:
                    zone_in = rng.choices([Zone.YELLOW, Zone.BLUE, Zone.RED], [5, 3, 2])[0]
                else:
                    zone_in = rng.choices([Zone.RED, Zone.YELLOW, Zone.BLUE], [4, 5, 1])[0]
                outcome = rng.choices(
                    [VisitOutcome.RETURNED, VisitOutcome.STAYED, VisitOutcome.WENT_HOME, "other"],
                    [75, 9, 3, 13],
                )[0]
                visit_id = self.uuid()
                recorder = rng.choice(s.staff[Role.ASSISTANT][:3])
                rows.append(
                    (
                        visit_id,
                        school_id,
                        rng.choices(s.rooms, room_weights)[0].pk,
                        pupil_id,
                        None,
                        period.pk if period else None,
                        arrived_at,
                        left_at,
                        reason,
                        referred_by,
                        incident_id,
                        zone_in,
                        rng.choices([Zone.GREEN, Zone.YELLOW, Zone.BLUE], [7, 2, 1])[0],
                        outcome,
                        "Met with the SENCo" if outcome == "other" else "",
                        "",
                        True,
                        None,
                        "",
                        out_of_learning,
                        stay_minutes,
                        recorder,
                        recorder,
                        None,
                        None,
                        arrived_at,
                    )
                )
                for strategy in rng.sample(strategies, rng.randint(1, 2)):
                    strategy_rows.append((visit_id, strategy))
                detail = {"pupil": str(pupil_id)}
                self.event(
                    arrived_at, recorder, school_id, AuditAction.RESET_CHECK_IN,
                    "reset_area.visit", visit_id, detail,
                )  # fmt: skip
                self.event(
                    left_at, recorder, school_id, AuditAction.RESET_CHECK_OUT,
                    "reset_area.visit", visit_id, {**detail, "seclusion": ""},
                )  # fmt: skip
        self.writer.write(
            Visit,
            [
                "id",
                "school_id",
                "room_id",
                "pupil_id",
                "placement_id",
                "period_id",
                "arrived_at",
                "left_at",
                "reason",
                "referred_by_id",
                "incident_id",
                "zone_on_arrival",
                "zone_on_leaving",
                "outcome",
                "outcome_note",
                "notes",
                "free_to_leave",
                "restrictive_intervention_id",
                "over_capacity_reason",
                "minutes_out_of_learning",
                "stay_minutes",
                "checked_in_by_id",
                "checked_out_by_id",
                "corrected_at",
                "corrected_by_id",
                "created_at",
            ],
            rows,
        )
        self.writer.write(Visit.strategies.through, ["visit_id", "vocabulary_id"], strategy_rows)

    # --- Interventions: groups each term, registers, SDQ baseline and exit --------------------

    def placements(self, s):
        """This academic year's timetabled Reset Area sessions: two pupils in each room on
        every weekday, so each day's register has planned sessions to check attendance against."""
        rng, senco = self.rng, s.one(Role.SENCO)
        starts = academic_year_start(s.school, self.today)
        ends = date(starts.year + 1, 7, 31)
        PlannedPlacement.objects.bulk_create(
            PlannedPlacement(
                room=room,
                pupil_id=rng.choice(s.semh),
                period=period,
                starts_on=starts,
                ends_on=ends,
                purpose=rng.choice(PURPOSES),
                created_by_id=senco,
            )
            for room in s.rooms
            for periods in s.periods.values()
            for period in rng.sample([p for p in periods if p.is_learning], 2)
        )

    def interventions(self, s):
        rng, school, school_id = self.rng, s.school, s.school.pk
        programmes = list(Programme.objects.filter(school=school, delivery="group"))
        senco = s.one(Role.SENCO)
        leads = s.staff[Role.ASSISTANT][:4] + s.staff[Role.TEACHER][:2] + [senco]
        costs = dict.fromkeys(s.staff[Role.ASSISTANT], ROLE_COSTS[Role.ASSISTANT])
        costs.update(dict.fromkeys(s.staff[Role.TEACHER], ROLE_COSTS[Role.TEACHER]))
        costs[senco] = ROLE_COSTS[Role.SENCO]
        yesterday = self.today - timedelta(days=1)
        groups, enrolments, sessions, marks, results, scores = [], [], [], [], [], []
        all_days = set(school_days(school, s.terms[0].starts_on, s.terms[-1].ends_on))
        for term in s.terms:
            first_monday = term.starts_on + timedelta(days=7 - term.starts_on.weekday())
            if first_monday > yesterday:
                continue
            for g in range(self.n(GROUPS_PER_TERM)):
                programme = rng.choice(programmes)
                weekday = g % 5
                starts_on = first_monday + timedelta(days=weekday)
                planned_end = starts_on + timedelta(weeks=programme.usual_sessions - 1)
                planned_end = min(planned_end, term.ends_on)
                ended = planned_end <= yesterday
                group_id, lead = self.uuid(), rng.choice(leads)
                created = local(starts_on - timedelta(days=7), 16 * 60)
                groups.append(
                    (
                        group_id,
                        school_id,
                        programme.pk,
                        f"{term.get_season_display()} {programme.name} {g + 1}",
                        lead,
                        weekday,
                        time(13, 15) if g % 2 else time(10, 0),
                        "Library",
                        starts_on,
                        planned_end,
                        planned_end if ended else None,
                        programme.usual_sessions,
                        Decimal("1.25"),
                        costs[lead],
                        None,
                        senco,
                        created,
                    )
                )
                self.event(
                    created, senco, school_id, AuditAction.GROUP_SAVE, "interventions.group",
                    group_id, {"change": "created"},
                )  # fmt: skip
                members = []
                for pupil_id in rng.sample(s.semh, min(len(s.semh), rng.randint(3, 6))):
                    enrolment_id = self.uuid()
                    given = rng.random() < 0.92
                    reviewed = ended and rng.random() < 0.85
                    score = rng.choices([-2, -1, 0, 1, 2], [1, 2, 5, 4, 1])[0]
                    enrolments.append(
                        (
                            enrolment_id,
                            group_id,
                            pupil_id,
                            starts_on,
                            planned_end if ended else None,
                            "Finds it hard to name and manage feelings.",
                            None,
                            Consent.GIVEN if given else Consent.AWAITING,
                            starts_on - timedelta(days=3) if given else None,
                            score if reviewed else None,
                            (ReviewDecision.ADAPT if score < 0 else ReviewDecision.EXIT)
                            if reviewed
                            else "",
                            planned_end if reviewed else None,
                            "",
                            senco,
                            created,
                        )
                    )
                    members.append((enrolment_id, pupil_id))
                    self.event(
                        created, senco, school_id, AuditAction.ENROL, "interventions.enrolment",
                        enrolment_id, {"pupil": str(pupil_id)},
                    )  # fmt: skip
                    if self.sdq and given:
                        self.measures(
                            s, lead, pupil_id, enrolment_id, starts_on, planned_end, ended,
                            results, scores,
                        )  # fmt: skip
                day = starts_on
                n = 0
                while day <= min(planned_end, yesterday):
                    if day in all_days:
                        session_id, cancelled = self.uuid(), rng.random() < 0.03
                        at = local(day, 16 * 60)
                        sessions.append(
                            (
                                session_id,
                                group_id,
                                day,
                                lead,
                                cancelled,
                                "Year group trip" if cancelled else "",
                                "",
                                lead,
                                at,
                            )
                        )
                        progress = n / max(1, programme.usual_sessions - 1)
                        for enrolment_id, _ in members:
                            if cancelled:
                                marks.append(
                                    (session_id, enrolment_id, Attendance.CANCELLED, "", None)
                                )
                                continue
                            roll = rng.random()
                            if roll < 0.07:
                                marks.append(
                                    (session_id, enrolment_id, Attendance.ABSENT, "Ill", None)
                                )
                            elif roll < 0.11:
                                marks.append(
                                    (session_id, enrolment_id, Attendance.REFUSED, "", None)
                                )
                            else:
                                engagement = round(2 + 3 * progress + rng.uniform(-0.8, 0.8))
                                marks.append(
                                    (
                                        session_id,
                                        enrolment_id,
                                        Attendance.ATTENDED,
                                        "",
                                        min(5, max(1, engagement)),
                                    )
                                )
                        self.event(
                            at, lead, school_id, AuditAction.SESSION_RECORD,
                            "interventions.session", session_id,
                        )  # fmt: skip
                        n += 1
                    day += timedelta(weeks=1)
        self.writer.write(
            Group,
            [
                "id",
                "school_id",
                "programme_id",
                "name",
                "lead_id",
                "weekday",
                "starts_at",
                "room",
                "starts_on",
                "planned_end_on",
                "ended_on",
                "planned_sessions",
                "staff_hours_per_session",
                "hourly_cost",
                "funding_stream_id",
                "created_by_id",
                "created_at",
            ],
            groups,
        )
        self.writer.write(
            Enrolment,
            [
                "id",
                "group_id",
                "pupil_id",
                "starts_on",
                "ends_on",
                "reason",
                "target_id",
                "consent",
                "consent_given_on",
                "review_score",
                "review_decision",
                "reviewed_on",
                "exit_outcome",
                "created_by_id",
                "created_at",
            ],
            enrolments,
        )
        self.writer.write(
            Session,
            [
                "id",
                "group_id",
                "held_on",
                "delivered_by_id",
                "cancelled",
                "cancel_reason",
                "note",
                "recorded_by_id",
                "recorded_at",
            ],
            sessions,
        )
        self.writer.write(
            SessionAttendance,
            ["session_id", "enrolment_id", "attendance", "reason", "engagement"],
            marks,
        )
        self.writer.write(
            MeasureResult,
            [
                "id",
                "pupil_id",
                "definition_id",
                "enrolment_id",
                "point",
                "taken_on",
                "completed_by",
                "version",
                "item_scores",
                "impact",
                "recorded_by_id",
                "recorded_at",
                "submission_key",
                "withdrawn_at",
                "withdrawn_reason",
            ],
            results,
        )
        self.writer.write(SubscaleScore, ["result_id", "subscale_id", "score"], scores)

    def measures(self, s, lead, pupil_id, enrolment_id, starts, ends, ended, results, scores):
        """A teacher SDQ at the start and, once the group has ended, at exit: most improve."""
        rng = self.rng
        before = {k: rng.randint(*SDQ_BASELINE[k]) for k in SDQ_BASELINE}
        before["prosocial"] = rng.randint(3, 7)
        points = [(ResultPoint.BASELINE, starts + timedelta(days=rng.randint(0, 4)), before)]
        if ended:
            after = dict(before)
            for _ in range(rng.choice([0, 2, 3, 4, 5, 6, -1])):
                key = rng.choice(list(SDQ_BASELINE))
                after[key] = max(0, after[key] - 1)
            points.append((ResultPoint.EXIT, ends - timedelta(days=rng.randint(0, 3)), after))
        for point, taken_on, entered in points:
            if taken_on >= self.today:
                continue
            values = score_subscales(self.sdq_subscales, entered, total_rule=self.sdq.total_rule)
            result_id, at = self.uuid(), local(taken_on, 16 * 60)
            results.append(
                (
                    result_id,
                    pupil_id,
                    self.sdq.pk,
                    enrolment_id,
                    point,
                    taken_on,
                    "Class teacher",
                    "",
                    None,
                    None,
                    lead,
                    at,
                    None,
                    None,
                    "",
                )
            )
            for subscale in self.sdq_subscales:
                scores.append((result_id, subscale.pk, values.get(subscale.key)))
            self.event(
                at, lead, s.school.pk, AuditAction.MEASURE_RECORD, "interventions.measureresult",
                result_id, {"pupil": str(pupil_id), "definition": self.sdq.key, "point": point},
            )  # fmt: skip

    # --- Daily log, attendance, reads ----------------------------------------------------------

    def daily_log(self, s, days, plans):
        rng, school_id = self.rng, s.school.pk
        writers = s.staff[Role.ASSISTANT] + [s.one(Role.SENCO)]
        learning = {d: [p for p in ps if p.is_learning] for d, ps in s.periods.items()}
        zones = [Zone.GREEN] * 5 + [Zone.YELLOW] * 3 + [Zone.BLUE, Zone.RED]
        notes, check_ins = [], []
        register = len(s.semh)
        for day in days:
            year = day.year if day.month >= 9 else day.year - 1
            for pupil_id in rng.sample(s.semh, min(register, self.poisson(register * NOTE_RATE))):
                kind, text = rng.choice(NOTES)
                targets = plans.get((pupil_id, year))
                period = rng.choice(learning[day.weekday()])
                note_id, who = self.uuid(), rng.choice(writers)
                at = local(day, minutes(period.ends_at) + rng.randint(0, 30))
                notes.append(
                    (
                        note_id,
                        pupil_id,
                        kind,
                        day,
                        period.pk,
                        rng.choice([None, 3, 4, 5]),
                        "",
                        rng.choice(targets) if targets and rng.random() < 0.3 else None,
                        text,
                        who,
                        at,
                    )
                )
                self.event(
                    at, who, school_id, AuditAction.DAILY_NOTE_CREATE, "pupils.dailynote",
                    note_id, {"pupil": str(pupil_id)},
                )  # fmt: skip
            for pupil_id in rng.sample(
                s.semh, min(register, self.poisson(register * CHECK_IN_RATE))
            ):
                check_id, who = self.uuid(), rng.choice(writers)
                at = local(day, 8 * 60 + 50 + rng.randint(0, 10))
                check_ins.append(
                    (check_id, pupil_id, at, rng.choice(zones), None, "", "pupil", who)
                )
                self.event(
                    at, who, school_id, AuditAction.CHECK_IN_CREATE, "pupils.wellbeingcheckin",
                    check_id, {"pupil": str(pupil_id)},
                )  # fmt: skip
        self.writer.write(
            DailyNote,
            [
                "id",
                "pupil_id",
                "kind",
                "on_day",
                "period_id",
                "engagement",
                "zone",
                "target_id",
                "text",
                "recorded_by_id",
                "recorded_at",
            ],
            notes,
        )
        self.writer.write(
            WellbeingCheckIn,
            ["id", "pupil_id", "at", "zone", "feeling", "words", "by", "recorded_by_id"],
            check_ins,
        )

    def poisson(self, mean):
        """A whole number near ``mean`` (its fractional part by chance)."""
        return int(mean) + (self.rng.random() < mean - int(mean))

    def attendance(self, s, days):
        """A week of sessions (two a school day) per pupil on roll, for each finished week, as
        the MIS export would give them; each week's import audited once."""
        rng, senco, school_id = self.rng, s.one(Role.SENCO), s.school.pk
        weeks = defaultdict(int)
        for day in days:
            weeks[day - timedelta(days=day.weekday())] += 1
        this_monday = self.today - timedelta(days=self.today.weekday())
        # Each pupil's chance of missing a session: most attend 93-99%, a few far less.
        miss = {
            p: rng.choice([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.12, 0.2, 0.45])
            for p, _, _ in s.pupils
        }
        rows = []
        for monday, school_day_count in sorted(weeks.items()):
            if monday >= this_monday:
                continue
            possible = 2 * school_day_count
            updated = local(monday + timedelta(days=4), 17 * 60)
            for pupil_id, _, _ in s.pupils:
                absent = sum(rng.random() < miss[pupil_id] for _ in range(possible))
                unauthorised = sum(rng.random() < 0.4 for _ in range(absent))
                rows.append(
                    (
                        self.uuid(),
                        pupil_id,
                        monday,
                        monday + timedelta(days=4),
                        possible,
                        possible - absent,
                        absent - unauthorised,
                        unauthorised,
                        int(rng.random() < 0.1),
                        0,
                        None,
                        updated,
                    )
                )
            self.event(
                updated,
                senco,
                school_id,
                AuditAction.ATTENDANCE_IMPORT,
                detail={"rows": len(s.pupils)},
            )
        self.writer.write(
            AttendanceRecord,
            [
                "id",
                "pupil_id",
                "starts_on",
                "ends_on",
                "possible",
                "present",
                "authorised",
                "unauthorised",
                "late",
                "not_required",
                "source_id",
                "updated_at",
            ],
            rows,
        )

    def reads(self, s, days):
        """The audited reads of a school's working day: staff signing in and opening pupils'
        records."""
        rng, school_id = self.rng, s.school.pk
        staff = [u for users in s.staff.values() for u in users]
        readers = s.staff[Role.ASSISTANT] + [s.one(Role.SENCO), s.one(Role.DSL)]
        pupils = [p for p, _, _ in s.pupils]
        for day in days:
            for user in staff:
                if rng.random() < 0.8 * min(1.0, self.scale):
                    at = local(day, 8 * 60 + rng.randint(0, 40))
                    self.event(at, user, None, AuditAction.LOGIN)
            for _ in range(self.poisson(PUPIL_VIEWS_PER_DAY * self.scale)):
                pupil_id = rng.choice(s.semh) if rng.random() < 0.8 else rng.choice(pupils)
                at = local(day, rng.randint(8 * 60 + 45, 16 * 60))
                self.event(
                    at, rng.choice(readers), school_id, AuditAction.PUPIL_VIEW, "pupils.pupil",
                    pupil_id,
                )  # fmt: skip
