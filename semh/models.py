import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from semh.access import Role, ServiceRole
from semh.scoping import scoped


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("Staff accounts need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A member of staff. Staff log in by email; there is no username."""

    username = None
    # Opaque id for URLs (staff pages), so staff are never addressed by a guessable counter.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.email

    @property
    def name(self):
        return str(self)


class Trust(models.Model):
    """A multi-academy trust or an outreach service spanning several schools."""

    name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        AP = "ap", "Alternative provision / PRU"

    urn = models.CharField(
        "URN", max_length=6, unique=True, help_text="DfE unique reference number"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """A role a person holds in a school. Several rows give several roles (access is the union)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.school}"


class OutreachService(models.Model):
    """An organisation whose staff work in several schools (a behaviour or inclusion outreach
    service). Its staff reach a school's pupils only through that school's open referrals."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="outreach_services",
        help_text="The schools it works with: they may refer pupils to it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceMembership(models.Model):
    """A role a person holds in an outreach service (not in any school)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_memberships"
    )
    service = models.ForeignKey(OutreachService, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=ServiceRole.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service", "role"], name="service_membership_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.service}"


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=9, help_text="e.g. 2026/27")
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = scoped(school="school")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="academic_year_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class TermQuerySet(models.QuerySet):
    def containing(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Term(models.Model):
    class Season(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    season = models.CharField(max_length=10, choices=Season.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = scoped(TermQuerySet, school="school")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "season"], name="term_unique_season"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_season_display()} {self.academic_year}"


class AuditEventQuerySet(models.QuerySet):
    def about(self, target):
        """Every row naming one record: as its target, or (for a pupil) in its detail, as rows
        about a pupil's plan or incident do. A pupil's access log is this list."""
        return self.filter(
            models.Q(object_type=target._meta.label_lower, object_id=str(target.pk))
            | models.Q(detail__pupil=str(target.pk))
        )

    def naming(self, record_id):
        """Every row naming a record known only by its id (the trail's search box): as the
        target, whatever its type, or as the pupil in the detail."""
        record_id = str(record_id)
        return self.filter(models.Q(object_id=record_id) | models.Q(detail__pupil=record_id))


class AuditEvent(models.Model):
    """Who did what, to which record, when and from where.

    Rows are added through ``semh.audit.record`` (services, views' audited reads, the sign-in
    signals, tasks) and never changed: on PostgreSQL a trigger refuses UPDATE and DELETE except
    the retention purge (migration 0004). Holds ids, never pupil names or free text, so
    exporting the trail leaks no record content.

    Scoped like every tenant table: reading needs a school scope, and inside it only that
    school's rows are seen. Sign-in events have no school, so no school page shows them; a
    deployment-wide look needs ``scopes_disabled()``. Writing needs no scope (``create`` is
    allowed), so the login signal and tasks record outside any school.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = scoped(AuditEventQuerySet, school="school")

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["school", "-at"]),
            # The audit trail's list of actions to filter by (DISTINCT over a school's rows).
            models.Index(fields=["school", "action"], name="audit_school_action"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}"


def hash_invitation_token(token: str) -> str:
    """Invitation tokens are stored hashed; the raw token exists only in the emailed link."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (may have expired: the admin can still resend it)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def usable(self, now=None):
        return self.open().filter(expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An admin's invitation for someone to join a school in one role, by a single-use link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = scoped(InvitationQuerySet, school="school")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "email"])]

    def __str__(self):
        return f"Invitation for {self.email} · {self.get_role_display()} · {self.school}"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def status(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "pending"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class PeriodQuerySet(models.QuerySet):
    def on(self, weekday):
        return self.filter(weekday=weekday)

    def at(self, moment):
        """The period running at ``moment`` (a local datetime), if any."""
        local = timezone.localtime(moment)
        return self.filter(
            weekday=local.weekday(), starts_at__lte=local.time(), ends_at__gt=local.time()
        ).first()


class Period(models.Model):
    """One slot of a school's day on one weekday: a lesson, or a break, lunch or registration.

    Minutes out of learning count only the overlap with periods where ``is_learning`` is true.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    name = models.CharField(max_length=40, help_text="e.g. P1, Break, Lunch")
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    is_learning = models.BooleanField(default=True, help_text="Untick for breaks and lunch.")

    objects = scoped(PeriodQuerySet, school="school")

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "weekday", "starts_at"], name="period_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="period_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.name}"


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)

    def overdue(self, today=None):
        """Open and due before ``today`` (default: today): the rule ``is_overdue`` states."""
        return self.open().filter(due_on__lt=today or timezone.localdate())


class ActionItem(models.Model):
    """Something a named person must do by a date: an incident's follow-up action, a meeting's
    action. One shape, so "waiting for you" lists and overdue rules treat them alike."""

    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["due_on", "pk"]

    @property
    def is_overdue(self):
        return (
            self.done_on is None and self.due_on is not None and self.due_on < timezone.localdate()
        )


class Submission(models.Model):
    """One sent form that creates a record, named by the hidden key the form carried
    (``semh.submissions``). Claimed once per person and school: the same form sent twice (a double
    click, a retry, two at the same moment) finds this row and gets back the record it made."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    target_id = models.CharField(max_length=64, blank=True)

    objects = scoped(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "actor", "key"], name="submission_once")
        ]

    def __str__(self):
        return f"{self.key} by {self.actor_id}"
