"""Interventions: the "do" of assess-plan-do-review, and what it achieved.

- **Provision**: a school's programmes (ELSA, Thrive…), its groups (one delivery of a programme:
  staff, timetable, planned sessions, cost), the pupils enrolled in a group (with consent and a
  provision review) and the sessions held, with each enrolled pupil's attendance.
- **Measures** are data, not code: a definition (SDQ teacher / parent / self, Boxall Profile, a
  self-rating, a school's own scale) holds subscales with ranges, the direction that is better and
  bands. A result stores scores only, never questionnaire wording (the instruments are copyright).
  Built-in definitions have no school; a school's own have one. Scoring (SDQ items → subscales,
  prorating, totals) lives in ``interventions.scoring``.
- **Effectiveness** is read from these rows by ``interventions.effectiveness``.

Writes go through ``interventions.services.<feature>``; reads that take the viewer, and every
object named in a URL, through ``interventions.selectors``.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from pupils.models import AreaOfNeed
from semh.access import Role
from semh.scoping import scoped


class Wave(models.IntegerChoices):
    """The school's graduated response."""

    UNIVERSAL = 1, "Wave 1 — universal"
    TARGETED = 2, "Wave 2 — targeted"
    SPECIALIST = 3, "Wave 3 — specialist"


class Delivery(models.TextChoices):
    GROUP = "group", "Group"
    ONE_TO_ONE = "one_to_one", "1:1"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    TWICE_WEEKLY = "twice_weekly", "Twice a week"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class Informant(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    PARENT = "parent", "Parent / carer"
    SELF = "self", "Pupil (self-report)"
    STAFF = "staff", "Member of staff"


class Instrument(models.TextChoices):
    SDQ = "sdq", "Strengths and Difficulties Questionnaire (SDQ)"
    BOXALL = "boxall", "Boxall Profile"
    SELF_RATING = "self_rating", "Pupil self-rating"
    SCHOOL = "school", "School-defined scale"


class TotalRule(models.TextChoices):
    """How a definition's total is formed from its subscales."""

    NONE = "none", "No total"
    SUM_ALL_OR_MISSING = "sum_all", "Sum of the subscales that count, missing if any is missing"


class ResultPoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    REVIEW = "review", "Review"
    EXIT = "exit", "Exit"


class Consent(models.TextChoices):
    NOT_REQUESTED = "not_requested", "Not requested"
    AWAITING = "awaiting", "Awaiting reply"
    GIVEN = "given", "Given"
    DECLINED = "declined", "Declined"


class ReviewScore(models.IntegerChoices):
    """The provision-review scale, fixed across schools so figures can be compared."""

    MUCH_LESS = -2, "−2 Significantly less progress than expected"
    LESS = -1, "−1 Less progress than expected"
    EXPECTED = 0, "0 Expected progress"
    MORE = 1, "+1 More progress than expected"
    MUCH_MORE = 2, "+2 Significantly more progress than expected"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue"
    ADAPT = "adapt", "Adapt"
    STOP = "stop", "Stop"
    EXIT = "exit", "Exit (outcomes met)"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent from school"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Session cancelled"


# Attendance marks that count towards a pupil's attendance rate (cancelled sessions do not).
COUNTED_ATTENDANCE = (Attendance.ATTENDED, Attendance.ABSENT, Attendance.REFUSED)


# ---------------------------------------------------------------------------------------------
# Measures (definitions are data; built-in ones have no school)


class MeasureDefinitionQuerySet(models.QuerySet):
    def for_school(self, school):
        """Built-in definitions and the school's own, in use."""
        return self.filter(models.Q(school__isnull=True) | models.Q(school=school), is_active=True)


class MeasureDefinition(models.Model):
    """A measure: name, informant, subscales (with ranges, direction and bands), how its total is
    formed and, for instruments with editions (Boxall), the versions a result may record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(
        "semh.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.SlugField(max_length=40, help_text="Stable name, e.g. sdq-teacher")
    name = models.CharField(max_length=120)
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    informant = models.CharField(max_length=10, choices=Informant.choices)
    total_rule = models.CharField(max_length=10, choices=TotalRule.choices, default=TotalRule.NONE)
    # Editions a result must name (Boxall: primary 2017 / young people); empty when there are none.
    versions = models.JSONField(default=list, blank=True)
    # Items (by number) that a result may be entered by, e.g. the SDQ's 25 items scored 0/1/2.
    item_count = models.PositiveSmallIntegerField(default=0)
    item_max = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True, help_text="Where the scores come from; never item text.")
    is_active = models.BooleanField(default=True)

    objects = MeasureDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], name="measure_key_per_school"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(school__isnull=True), name="measure_key_builtin"
            ),
        ]

    def __str__(self):
        return self.name


class Subscale(models.Model):
    """One score of a measure (a subscale, a strand, a cluster, or the total)."""

    definition = models.ForeignKey(
        MeasureDefinition, on_delete=models.CASCADE, related_name="subscales"
    )
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    minimum = models.IntegerField(default=0)
    maximum = models.IntegerField()
    higher_is_better = models.BooleanField(default=False)
    # The items (by number) that make it up, and those scored in reverse (SDQ); empty when the
    # score is entered directly.
    items = models.JSONField(default=list, blank=True)
    reverse_items = models.JSONField(default=list, blank=True)
    # Counts towards the definition's total (SDQ: the four difficulty subscales).
    in_total = models.BooleanField(default=False)
    # The total itself: formed by the definition's total rule, never entered.
    is_total = models.BooleanField(default=False)
    # Headline score of the measure (charts and effectiveness lead with it).
    is_headline = models.BooleanField(default=False)
    # A strand (Boxall): the key of the cluster subscale it belongs to, under whose heading it is
    # entered and shown. Never summed into the cluster: the cluster score is entered as printed.
    cluster_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "key"], name="subscale_key_once"),
            models.CheckConstraint(
                condition=models.Q(maximum__gt=models.F("minimum")), name="subscale_range"
            ),
        ]

    def __str__(self):
        return self.name


class Band(models.Model):
    """A named range of one subscale's scores (per informant, through its definition).
    ``position`` orders bands from best (0) to worst."""

    subscale = models.ForeignKey(Subscale, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()
    low = models.IntegerField()
    high = models.IntegerField()

    class Meta:
        ordering = ["subscale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["subscale", "position"], name="band_position_once"),
            models.CheckConstraint(
                condition=models.Q(high__gte=models.F("low")), name="band_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.low}–{self.high})"


class MeasureResultQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class MeasureResult(models.Model):
    """One completed measure for a pupil: when, at which point (baseline / review / exit), by
    whom, and its scores (``SubscaleScore`` rows, the total among them). Withdrawn (with a
    reason), never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.PROTECT, related_name="measure_results"
    )
    definition = models.ForeignKey(MeasureDefinition, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    point = models.CharField(max_length=10, choices=ResultPoint.choices)
    taken_on = models.DateField("completed on")
    completed_by = models.CharField(
        max_length=120, help_text="Who completed the form, e.g. class teacher, Mum, the pupil."
    )
    version = models.CharField(max_length=40, blank=True)
    # The item scores as entered (item number → score), when entered by item.
    item_scores = models.JSONField(null=True, blank=True)
    # The impact supplement's score (SDQ), when completed.
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    submission_key = models.UUIDField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    objects = scoped(MeasureResultQuerySet, school="pupil__school")

    class Meta:
        ordering = ["taken_on", "recorded_at"]
        indexes = [models.Index(fields=["pupil", "definition", "taken_on"])]

    def __str__(self):
        return f"{self.definition} {self.get_point_display()} {self.taken_on}"


class SubscaleScore(models.Model):
    """A result's score on one subscale (the total included); ``score`` None when missing (too
    few items answered)."""

    result = models.ForeignKey(MeasureResult, on_delete=models.CASCADE, related_name="scores")
    subscale = models.ForeignKey(Subscale, on_delete=models.PROTECT, related_name="+")
    score = models.IntegerField(null=True, blank=True)

    objects = scoped(school="result__pupil__school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["result", "subscale"], name="score_once_per_subscale")
        ]

    def __str__(self):
        return f"{self.subscale_id}: {self.score}"


# ---------------------------------------------------------------------------------------------
# Provision


class FundingStream(models.Model):
    """Where a group's money comes from (SEN notional budget, pupil premium…), per school."""

    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    is_active = models.BooleanField("in use", default=True)

    objects = scoped(school="school")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="funding_stream_name_once")
        ]

    def __str__(self):
        return self.name


class StaffCost(models.Model):
    """An hourly staff cost: for a role in the school, or for one person (which wins)."""

    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hourly_cost = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    objects = scoped(school="school")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="") & models.Q(staff__isnull=False))
                | (~models.Q(role="") & models.Q(staff__isnull=True)),
                name="staff_cost_role_or_person",
            ),
            models.UniqueConstraint(
                fields=["school", "role"], condition=~models.Q(role=""), name="staff_cost_role_once"
            ),
            models.UniqueConstraint(
                fields=["school", "staff"],
                condition=models.Q(staff__isnull=False),
                name="staff_cost_person_once",
            ),
            models.CheckConstraint(
                condition=models.Q(hourly_cost__gte=0), name="staff_cost_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.role or self.staff_id}: £{self.hourly_cost}/h"


class ProgrammeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Programme(models.Model):
    """An intervention the school offers. Retired, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    wave = models.PositiveSmallIntegerField(choices=Wave.choices, default=Wave.TARGETED)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.GROUP)
    usual_sessions = models.PositiveSmallIntegerField(
        "usual length (sessions)", validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    frequency = models.CharField(max_length=15, choices=Frequency.choices, default=Frequency.WEEKLY)
    session_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(300)]
    )
    area_of_need = models.CharField(
        max_length=20, choices=AreaOfNeed.choices, default=AreaOfNeed.SEMH
    )
    measures = models.ManyToManyField(MeasureDefinition, blank=True, related_name="+")
    evidence_note = models.TextField(blank=True)
    is_active = models.BooleanField("offered", default=True)

    objects = scoped(ProgrammeQuerySet, school="school")

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="programme_name_once")
        ]

    def __str__(self):
        return self.name


class GroupQuerySet(models.QuerySet):
    def running_on(self, day):
        return self.filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day), starts_on__lte=day
        )


class Group(models.Model):
    """One delivery of a programme: who runs it, when and where, for how long, at what cost.

    ``hourly_cost`` is taken from the school's cost table when the group is set up (the lead's
    own rate, else their role's) and kept, so later pay changes do not rewrite past costs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=80, help_text="e.g. Year 4 ELSA, Tuesday Lego")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    other_staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField("time")
    room = models.CharField(max_length=80, blank=True)
    starts_on = models.DateField()
    planned_end_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    staff_hours_per_session = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
        help_text="All staff together, preparation included.",
    )
    hourly_cost = models.DecimalField(
        "hourly staff cost (£)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    funding_stream = models.ForeignKey(
        FundingStream, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = scoped(GroupQuerySet, school="school")

    class Meta:
        ordering = ["weekday", "starts_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gte=models.F("starts_on")),
                name="group_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class EnrolmentQuerySet(models.QuerySet):
    def current_on(self, day):
        return self.filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day), starts_on__lte=day
        )


class Enrolment(models.Model):
    """A pupil in a group: why (a plan target where there is one), consent, and how it went.

    Sessions held before parents' or carers' consent was given do not count towards the pupil's
    attendance or the figures (``consent_given_on``): the register still lists the pupil.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="enrolments")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="enrolments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = models.TextField("reason for referral")
    target = models.ForeignKey(
        "pupils.Target", null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments"
    )
    consent = models.CharField(
        "parents' / carers' consent",
        max_length=15,
        choices=Consent.choices,
        default=Consent.NOT_REQUESTED,
    )
    consent_given_on = models.DateField(null=True, blank=True)
    review_score = models.SmallIntegerField(
        "provision review", choices=ReviewScore.choices, null=True, blank=True
    )
    review_decision = models.CharField(max_length=10, choices=ReviewDecision.choices, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    exit_outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = scoped(EnrolmentQuerySet, school="group__school")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="enrolment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(consent="given") | models.Q(consent_given_on__isnull=False),
                name="enrolment_consent_given_has_date",
            ),
            models.UniqueConstraint(
                fields=["group", "pupil"],
                condition=models.Q(ends_on__isnull=True),
                name="enrolment_open_once",
            ),
        ]

    def __str__(self):
        return f"{self.pupil_id} in {self.group_id}"


class SessionQuerySet(models.QuerySet):
    pass


class Session(models.Model):
    """A session of a group on a day, with its register. One per group per day (a second tap of
    the register saves onto the same row); a cancelled session has every pupil marked
    "session cancelled"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField()
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = scoped(SessionQuerySet, school="group__school")

    class Meta:
        ordering = ["held_on"]
        constraints = [
            models.UniqueConstraint(fields=["group", "held_on"], name="session_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(cancelled=False) | ~models.Q(cancel_reason=""),
                name="session_cancelled_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.group_id} {self.held_on}"


class SessionAttendanceQuerySet(models.QuerySet):
    def counted(self):
        """Marks that count towards attendance and the figures: the session was not cancelled
        (for the pupil), and parents' or carers' consent had been given by the session's day.
        Sessions held before consent was given (or with consent declined or never asked for)
        stay on the register but do not count."""
        return self.filter(
            attendance__in=COUNTED_ATTENDANCE,
            enrolment__consent=Consent.GIVEN,
            session__held_on__gte=models.F("enrolment__consent_given_on"),
        )


class SessionAttendance(models.Model):
    """One enrolled pupil's mark in a session: attended / absent / refused / cancelled, with an
    engagement rating (1–5) when they attended."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="marks")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="marks")
    attendance = models.CharField(max_length=10, choices=Attendance.choices)
    reason = models.CharField(max_length=200, blank=True)
    engagement = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    objects = scoped(SessionAttendanceQuerySet, school="session__group__school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="mark_once"),
            models.CheckConstraint(
                condition=models.Q(engagement__isnull=True)
                | models.Q(engagement__gte=1, engagement__lte=5, attendance="attended"),
                name="mark_engagement_only_when_attended",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id}: {self.attendance}"
