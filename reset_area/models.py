"""The Reset Area: rooms, planned placements, visits (check-in / check-out) and missing pupils.

The school day itself (``semh.models.Period``) belongs to the school; the Reset Area reads it to
know which period is running and how many minutes of learning a visit cost. Minutes out of
learning and the length of stay are derived from the times and the school day when a visit closes
(``reset_area.services.visits``), never typed. A visit where the pupil was not free to leave
carries the statutory restrictive-intervention record of the incident log
(``incidents.RestrictiveIntervention``, kind "seclusion"), enforced by a check constraint.

Writes go through ``reset_area.services.<feature>``; reads that take the viewer, and every object
named in a URL, through ``reset_area.selectors``.
"""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from pupils.models import Zone  # its one home is pupils (wellbeing check-ins use it too)
from semh.scoping import scoped


class Reason(models.TextChoices):
    PLANNED = "planned", "Planned session"
    REFERRED = "referred", "Referred by staff"
    SELF_REFERRAL = "self", "Self-referral (time-out pass)"
    INCIDENT = "incident", "Following an incident"


# The check-in fields that apply only to some reasons (the form hides them for the others, and
# drops whatever they hold).
REFERRED_BY_REASONS = (Reason.REFERRED, Reason.INCIDENT)
INCIDENT_REASONS = (Reason.INCIDENT,)


class VisitOutcome(models.TextChoices):
    RETURNED = "returned", "Returned to lesson"
    STAYED = "stayed", "Stayed for the next period"
    WENT_HOME = "home", "Went home"
    OTHER = "other", "Other"


class Resolution(models.TextChoices):
    ARRIVED = "arrived", "Arrived"
    ABSENT = "absent", "Absent from school"
    CANCELLED = "cancelled", "Session cancelled"


# A planned pupil arriving up to this long before their period counts for it.
EARLY_ARRIVAL = timedelta(minutes=15)


def local_day_bounds(day):
    """The aware datetimes at which a local (Europe/London) day starts and the next one starts."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


def wall_clock(moment) -> datetime:
    """A local (Europe/London) wall-clock datetime without tzinfo, for school-day arithmetic."""
    return timezone.localtime(moment).replace(tzinfo=None)


def aware(day, at: time) -> datetime:
    """The aware moment of a local wall-clock time on a day."""
    return timezone.make_aware(datetime.combine(day, at))


def overlaps_period(arrived, left, day, period) -> bool:
    """Was a stay (local wall-clock times, ``left`` None while still in) in at some point of this
    period on that day?"""
    if arrived.date() != day:
        return False
    start, end = datetime.combine(day, period.starts_at), datetime.combine(day, period.ends_at)
    return arrived < end and (left or datetime.combine(day, time.max)) > start


def attended_period(spans, day, period) -> bool:
    """Was the pupil in (any room) at some point of this period on that day? ``spans``: their
    stays as (arrived, left) wall-clock pairs."""
    return any(overlaps_period(arrived, left, day, period) for arrived, left in spans)


class RoomQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Room(models.Model):
    """A Reset Area room ("the base", a nurture room…). Retired, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    capacity = models.PositiveSmallIntegerField(
        help_text="How many pupils it can safely hold.", validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField("in use", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(RoomQuerySet, school="school")

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="reset_room_unique_name"),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="reset_room_capacity_positive"
            ),
        ]

    def __str__(self):
        return self.name


class RoomDuty(models.Model):
    """A member of staff on duty in a room on one day."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="duties")
    day = models.DateField()
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = scoped(school="room__school")

    class Meta:
        ordering = ["staff__first_name", "staff__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "day", "staff"], name="reset_duty_once")
        ]

    def __str__(self):
        return f"{self.staff_id} on duty {self.day}"


class PlacementQuerySet(models.QuerySet):
    def active_on(self, day):
        """Placements that run on ``day``: within their dates, not removed, on its weekday."""
        return self.filter(
            models.Q(removed_on__isnull=True) | models.Q(removed_on__gt=day),
            starts_on__lte=day,
            ends_on__gte=day,
            period__weekday=day.weekday(),
        )

    def overlapping(self, first_day, last_day):
        """Placements running at some point between two dates (inclusive)."""
        return self.filter(
            models.Q(removed_on__isnull=True) | models.Q(removed_on__gt=first_day),
            starts_on__lte=last_day,
            ends_on__gte=first_day,
        )

    def for_arrival(self, *, room, pupil, moment):
        """The pupil's placement in this room for the period running at ``moment`` (or starting
        within ``EARLY_ARRIVAL``), if any."""
        local = wall_clock(moment)
        soon = (local + EARLY_ARRIVAL).time()
        return (
            self.active_on(local.date())
            .filter(room=room, pupil=pupil, period__starts_at__lte=soon)
            .filter(period__ends_at__gt=local.time())
            .order_by("period__starts_at")
            .first()
        )


class PlannedPlacement(models.Model):
    """A pupil timetabled into a room for one period of one weekday, over a date range.

    The weekday is the period's. Removing a placement from the grid ends it from that day
    (``removed_on``); its past sessions stay on the registers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="placements")
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.PROTECT, related_name="reset_placements"
    )
    period = models.ForeignKey("semh.Period", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    purpose = models.CharField(max_length=200, help_text="e.g. Regulation session, soft start")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_on = models.DateField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = scoped(PlacementQuerySet, school="room__school")

    class Meta:
        ordering = ["period__weekday", "period__starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="reset_placement_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["room", "starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.pupil_id} · {self.period} · {self.purpose}"

    def expects_pupil_on(self, day) -> bool:
        """Is the pupil expected in this session on ``day`` (a school day): within its dates since
        it was made, on its weekday, not removed, and the pupil still on roll."""
        since = max(self.starts_on, timezone.localdate(self.created_at))
        return (
            since <= day <= self.ends_on
            and day.weekday() == self.period.weekday
            and (self.removed_on is None or self.removed_on > day)
            and (self.pupil.left_on is None or self.pupil.left_on > day)
        )


class VisitQuerySet(models.QuerySet):
    def open(self):
        return self.filter(left_at__isnull=True)

    def on_day(self, day):
        start, end = local_day_bounds(day)
        return self.filter(arrived_at__gte=start, arrived_at__lt=end)

    def between(self, first_day, last_day):
        start, _ = local_day_bounds(first_day)
        _, end = local_day_bounds(last_day)
        return self.filter(arrived_at__gte=start, arrived_at__lt=end)

    def in_now(self, today=None):
        """Open visits that began today: the pupils in the room now."""
        return self.open().on_day(today or timezone.localdate())

    def needing_correction(self, today=None):
        """Visits left open at the end of an earlier day: flagged, never closed by guesswork."""
        start, _ = local_day_bounds(today or timezone.localdate())
        return self.open().filter(arrived_at__lt=start)


class Visit(models.Model):
    """One stay in the Reset Area, from check-in to check-out."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="visits")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="reset_visits")
    placement = models.ForeignKey(
        PlannedPlacement, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    # The period running when the pupil arrived (busiest periods); None before or after school.
    period = models.ForeignKey(
        "semh.Period", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arrived_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reset_visits",
    )
    zone_on_arrival = models.CharField(max_length=6, choices=Zone.choices)
    zone_on_leaving = models.CharField(max_length=6, choices=Zone.choices, blank=True)
    strategies = models.ManyToManyField(
        "incidents.Vocabulary", blank=True, related_name="+", verbose_name="strategies that helped"
    )
    outcome = models.CharField(max_length=8, choices=VisitOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    free_to_leave = models.BooleanField(default=True)
    restrictive_intervention = models.OneToOneField(
        "incidents.RestrictiveIntervention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reset_visit",
    )
    over_capacity_reason = models.TextField(blank=True)
    # Derived when the visit closes, from the times and the school day; never typed.
    minutes_out_of_learning = models.PositiveIntegerField(null=True, blank=True)
    stay_minutes = models.PositiveIntegerField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a visit left open at the end of a day is closed afterwards.
    corrected_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(VisitQuerySet, school="school")

    class Meta:
        ordering = ["-arrived_at"]
        constraints = [
            # A pupil cannot be in two rooms (or twice in one) at once.
            models.UniqueConstraint(
                fields=["pupil"],
                condition=models.Q(left_at__isnull=True),
                name="reset_visit_one_open_per_pupil",
            ),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(left_at__gte=models.F("arrived_at")),
                name="reset_visit_leaves_after_arriving",
            ),
            # Prevented from leaving = seclusion: the statutory record must be there.
            models.CheckConstraint(
                condition=models.Q(free_to_leave=True)
                | models.Q(restrictive_intervention__isnull=False),
                name="reset_visit_seclusion_has_record",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "arrived_at"]),
            models.Index(fields=["room", "arrived_at"]),
            models.Index(fields=["pupil", "arrived_at"]),
        ]

    def __str__(self):
        return f"Visit {timezone.localtime(self.arrived_at):%d/%m/%Y %H:%M}"

    @property
    def is_open(self):
        return self.left_at is None

    @property
    def minutes_so_far(self):
        end = self.left_at or timezone.now()
        return max(0, int((end - self.arrived_at).total_seconds() // 60))


class MissingPupilQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class MissingPupil(models.Model):
    """A planned session whose pupil had not arrived a few minutes after the period began.

    Created when first noticed and kept until someone resolves it (arrived, absent from school,
    session cancelled): it never disappears by itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.ForeignKey(
        PlannedPlacement, on_delete=models.PROTECT, related_name="missing"
    )
    day = models.DateField()
    detected_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    note = models.TextField(blank=True)
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = scoped(MissingPupilQuerySet, school="placement__room__school")

    class Meta:
        ordering = ["day", "placement__period__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "day"], name="reset_missing_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolution="")
                | (models.Q(resolved_at__isnull=False) & ~models.Q(resolution="")),
                name="reset_missing_resolution_complete",
            ),
        ]

    def __str__(self):
        return f"Missing {self.placement_id} on {self.day}"
