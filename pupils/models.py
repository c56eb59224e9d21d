import datetime
import uuid
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager
from guardian.models import UserObjectPermissionBase

from pupils.validators import validate_upn
from semh.access import Capability
from semh.models import ActionItem, ActionItemQuerySet
from semh.scoping import scoped


class YearGroup(models.IntegerChoices):
    NURSERY_1 = -2, "Nursery 1"
    NURSERY_2 = -1, "Nursery 2"
    RECEPTION = 0, "Reception"
    Y1 = 1, "Year 1"
    Y2 = 2, "Year 2"
    Y3 = 3, "Year 3"
    Y4 = 4, "Year 4"
    Y5 = 5, "Year 5"
    Y6 = 6, "Year 6"
    Y7 = 7, "Year 7"
    Y8 = 8, "Year 8"
    Y9 = 9, "Year 9"
    Y10 = 10, "Year 10"
    Y11 = 11, "Year 11"
    Y12 = 12, "Year 12"
    Y13 = 13, "Year 13"
    Y14 = 14, "Year 14"


class SenStatus(models.TextChoices):
    NONE = "N", "No special educational need"
    SEN_SUPPORT = "K", "SEN support"
    EHCP = "E", "Education, health and care plan"


class PrimaryNeed(models.TextChoices):
    """DfE school census codes for a pupil's primary type of need."""

    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Visual impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    OTH = "OTH", "Other difficulty or disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other / not recorded"


class SafeguardingStatus(models.TextChoices):
    """Child in need / child protection status. Visible to the DSL only."""

    NONE = "", "None recorded"
    CIN = "CIN", "Child in need"
    CP = "CP", "Child protection plan"


class PupilQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        """Pupils of the viewer's school that the viewer may open (``viewer``: a SchoolAccess)."""
        pupils = self.filter(school=viewer.school)
        if viewer.can(Capability.VIEW_ALL_PUPILS):
            return pupils
        reach = models.Q(pk__in=[])
        if viewer.can(Capability.VIEW_CASELOAD_PUPILS):
            reach |= models.Q(
                pk__in=PupilUserObjectPermission.objects.filter(
                    user=viewer.user, permission__codename="view_pupil"
                ).values("content_object")
            )
        if viewer.can(Capability.VIEW_REFERRED_PUPILS) and viewer.services:
            # Access follows the referral: it starts and ends with the referral's dates.
            reach |= models.Q(
                pk__in=Referral.objects.open().filter(service__in=viewer.services).values("pupil")
            )
        return pupils.filter(reach)

    def matching_name(self, text, *, also_upn=False, max_words=4):
        """Pupils whose legal or preferred names contain every word of ``text`` (``also_upn``: or
        whose UPN is a word). Blank text matches everyone."""
        pupils = self
        for word in text.split()[:max_words]:
            matches = (
                models.Q(legal_first_name__icontains=word)
                | models.Q(legal_last_name__icontains=word)
                | models.Q(preferred_first_name__icontains=word)
                | models.Q(preferred_last_name__icontains=word)
            )
            if also_upn:
                matches |= models.Q(upn__iexact=word)
            pupils = pupils.filter(matches)
        return pupils

    def on_roll(self, on=None):
        day = on or timezone.localdate()
        return self.filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=day))


class Pupil(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13, validators=[validate_upn])
    legal_first_name = models.CharField("legal forename", max_length=100)
    legal_last_name = models.CharField("legal surname", max_length=100)
    preferred_first_name = models.CharField("preferred forename", max_length=100, blank=True)
    preferred_last_name = models.CharField("preferred surname", max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.OTHER)
    year_group = models.SmallIntegerField(choices=YearGroup.choices)
    form = models.CharField("form / class", max_length=30, blank=True)
    sen_status = models.CharField(
        "SEN status", max_length=1, choices=SenStatus.choices, default=SenStatus.NONE
    )
    primary_need = models.CharField(max_length=4, choices=PrimaryNeed.choices, blank=True)
    pupil_premium = models.BooleanField(default=False)
    looked_after = models.BooleanField("looked after (CLA)", default=False)
    safeguarding_status = models.CharField(
        "CP / CIN status", max_length=3, choices=SafeguardingStatus.choices, blank=True
    )
    key_adults = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="key_pupils"
    )
    on_roll_from = models.DateField(null=True, blank=True)
    left_on = models.DateField("left on", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(
        school="school", _manager_class=models.Manager.from_queryset(PupilQuerySet)
    )

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="pupil_unique_upn_per_school")
        ]
        indexes = [models.Index(fields=["school", "legal_last_name", "legal_first_name"])]

    def __str__(self):
        return self.full_name

    @property
    def first_name(self):
        return self.shown_name(self.legal_first_name, self.preferred_first_name)

    @property
    def last_name(self):
        return self.shown_name(self.legal_last_name, self.preferred_last_name)

    @staticmethod
    def shown_name(legal: str, preferred: str) -> str:
        """The name staff see: the preferred one where the school has recorded it."""
        return preferred or legal

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def has_left(self):
        return self.left_on is not None and self.left_on <= timezone.localdate()


class PupilUserObjectPermission(UserObjectPermissionBase):
    """Per-pupil grants (caseload), in guardian's direct foreign-key table."""

    content_object = models.ForeignKey(Pupil, on_delete=models.CASCADE)


class PupilProfile(models.Model):
    """'What helps me' — the pupil passport an assistant reads before working with the pupil."""

    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="profile")
    strengths_and_interests = models.TextField(blank=True)
    triggers = models.TextField(blank=True, help_text="What can make things harder for me.")
    early_warning_signs = models.TextField(blank=True, help_text="How you can tell I'm struggling.")
    strategies_that_help = models.TextField(
        blank=True, help_text="One strategy per line, most helpful first."
    )
    what_does_not_help = models.TextField(blank=True)
    communication_preferences = models.TextField(blank=True)
    pupil_voice = models.TextField(blank=True, help_text="In the pupil's own words.")
    parent_carer_view = models.TextField("parent / carer view", blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped()

    def __str__(self):
        return f"Profile of {self.pupil}"

    @property
    def strategies(self) -> list[str]:
        return [line.strip() for line in self.strategies_that_help.splitlines() if line.strip()]


class PlanKind(models.TextChoices):
    IBP = "ibp", "Individual behaviour plan (IBP)"
    IEP = "iep", "Individual education plan (IEP)"
    ISP = "isp", "Individual support plan (ISP)"
    EHCP = "ehcp", "EHCP outcomes"
    PASSPORT = "passport", "Pupil passport"
    RISK = "risk", "Risk assessment"
    POSITIVE_HANDLING = "positive_handling", "Positive handling plan"
    REINTEGRATION = "reintegration", "Reintegration plan"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class AreaOfNeed(models.TextChoices):
    """The four broad areas of need of the SEND Code of Practice."""

    COMMUNICATION = "communication", "Communication and interaction"
    COGNITION = "cognition", "Cognition and learning"
    SEMH = "semh", "Social, emotional and mental health"
    SENSORY_PHYSICAL = "sensory", "Sensory and/or physical"


class Rating(models.IntegerChoices):
    NOT_STARTED = 0, "Not yet started"
    EMERGING = 1, "Emerging"
    DEVELOPING = 2, "Developing"
    SECURE = 3, "Secure"
    ACHIEVED = 4, "Achieved"


class SupportPlanQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(status=PlanStatus.CLOSED)

    def review_overdue(self, on=None):
        """Active plans whose review date has passed (``is_review_overdue`` of each)."""
        day = on or timezone.localdate()
        return self.filter(status=PlanStatus.ACTIVE, next_review_on__lt=day)

    def review_due_within(self, days, on=None):
        """Active plans whose review is not yet overdue but falls within ``days``."""
        day = on or timezone.localdate()
        return self.filter(
            status=PlanStatus.ACTIVE,
            next_review_on__gte=day,
            next_review_on__lte=day + datetime.timedelta(days=days),
        )


class SupportPlan(models.Model):
    """One cycle of a plan (assess-plan-do-review). 'Start next cycle' closes this one and opens a
    new row linked by ``previous_cycle``, carrying the unachieved targets, so every cycle's
    targets and reviews stay as they were."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    cycle = models.PositiveSmallIntegerField(default=1)
    previous_cycle = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_cycle"
    )
    starts_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_plans"
    )
    agreed_with_parents_on = models.DateField(
        "agreed with parents/carers on", null=True, blank=True
    )
    pupil_voice = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped(SupportPlanQuerySet)

    class Meta:
        ordering = ["-starts_on", "-cycle"]

    def __str__(self):
        return f"{self.get_kind_display()} (cycle {self.cycle})"

    @property
    def is_review_overdue(self):
        return (
            self.status == PlanStatus.ACTIVE
            and self.next_review_on is not None
            and self.next_review_on < timezone.localdate()
        )


class Target(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="targets")
    position = models.PositiveSmallIntegerField(default=0)
    area_of_need = models.CharField(max_length=20, choices=AreaOfNeed.choices)
    description = models.TextField()
    success_criteria = models.TextField(blank=True)
    baseline = models.TextField(blank=True)
    provision = models.TextField("strategies / provision", blank=True)
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to"
    )

    objects = scoped(school="plan__pupil__school")

    class Meta:
        ordering = ["position", "description"]

    def __str__(self):
        return self.description[:60]

    def carried_into(self, plan) -> "Target":
        """This target, unsaved, for the next cycle ``plan`` (it remembers where it came from)."""
        return Target(
            plan=plan,
            position=self.position,
            area_of_need=self.area_of_need,
            description=self.description,
            success_criteria=self.success_criteria,
            baseline=self.baseline,
            provision=self.provision,
            carried_from=self,
        )


class PlanReview(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    attendees = models.TextField(help_text="Who attended, one per line.")
    next_steps = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(school="plan__pupil__school")

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self):
        return f"Review on {self.held_on:%d/%m/%Y}"

    @property
    def ratings_summary(self) -> str:
        """How many targets got each rating, best first: "1 achieved, 2 developing"."""
        counts = Counter(r.rating for r in self.ratings.all())
        return ", ".join(
            f"{counts[rating]} {Rating(rating).label.lower()}"
            for rating in sorted(counts, reverse=True)
        )


class TargetReview(models.Model):
    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="ratings")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    evidence = models.TextField(blank=True)

    objects = scoped(school="target__plan__pupil__school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "target"], name="one_rating_per_target")
        ]

    def __str__(self):
        return f"{self.target}: {self.get_rating_display()}"


class Level(models.IntegerChoices):
    VERY_LOW = 1, "1 – very low"
    LOW = 2, "2 – low"
    MEDIUM = 3, "3 – medium"
    HIGH = 4, "4 – high"
    VERY_HIGH = 5, "5 – very high"


class RiskItem(models.Model):
    """One identified risk of a risk-assessment plan."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="risks")
    risk = models.TextField("identified risk")
    likelihood = models.PositiveSmallIntegerField(choices=Level.choices)
    severity = models.PositiveSmallIntegerField(choices=Level.choices)
    control_measures = models.TextField()

    objects = scoped(school="plan__pupil__school")

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.risk[:60]

    @property
    def score(self):
        return self.likelihood * self.severity


class PositiveHandlingDetails(models.Model):
    """The positive-handling part of a plan; the incident log links restraint records to it."""

    plan = models.OneToOneField(
        SupportPlan, on_delete=models.PROTECT, related_name="positive_handling"
    )
    known_triggers = models.TextField(blank=True)
    preferred_deescalation = models.TextField("preferred de-escalation", blank=True)
    agreed_holds = models.TextField("agreed holds, if any", blank=True)
    people_consulted = models.TextField(blank=True)

    objects = scoped(school="plan__pupil__school")

    def __str__(self):
        return f"Positive handling for {self.plan_id}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    MESSAGE = "message", "Text / app message"
    VIDEO = "video", "Video call"


class ContactAbout(models.TextChoices):
    GENERAL = "general", "General"
    ATTENDANCE = "attendance", "Attendance"
    BEHAVIOUR = "behaviour", "Behaviour"
    WELLBEING = "wellbeing", "Wellbeing"


class ParentContact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="parent_contacts")
    contacted_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=12, choices=ContactMethod.choices)
    about = models.CharField(max_length=12, choices=ContactAbout.choices, default="general")
    with_whom = models.CharField("with whom", max_length=200)
    summary = models.TextField()
    follow_up_needed = models.BooleanField(default=False)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped()

    class Meta:
        ordering = ["-contacted_at"]

    def __str__(self):
        return f"{self.get_method_display()} with {self.with_whom}"


class Agency(models.TextChoices):
    CAMHS = "camhs", "CAMHS"
    EP = "ep", "Educational psychology"
    SOCIAL_CARE = "social_care", "Social care"
    EARLY_HELP = "early_help", "Early Help"
    SCHOOL_NURSE = "school_nurse", "School nurse"
    MHST = "mhst", "Mental health support team (MHST)"
    SALT = "salt", "Speech and language therapy"
    OT = "ot", "Occupational therapy"
    OTHER = "other", "Other"


class AgencyStatus(models.TextChoices):
    CONSIDERING = "considering", "Considering referral"
    REFERRED = "referred", "Referred — awaiting"
    ACCEPTED = "accepted", "Accepted / on waiting list"
    ACTIVE = "active", "Actively involved"
    DECLINED = "declined", "Declined / not accepted"
    CLOSED = "closed", "Closed"


class AgencyInvolvement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="agencies")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    agency_name = models.CharField(
        max_length=200, blank=True, help_text="Name of the service, if 'other' or to be specific."
    )
    referred_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=AgencyStatus.choices)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_details = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped()

    class Meta:
        ordering = ["-referred_on"]
        verbose_name_plural = "agency involvement"

    def __str__(self):
        return self.agency_name or self.get_agency_display()


class MeetingKind(models.TextChoices):
    PLAN_REVIEW = "plan_review", "Plan review"
    PASTORAL = "pastoral", "Pastoral"
    MULTI_AGENCY = "multi_agency", "Multi-agency"
    EHCP_ANNUAL_REVIEW = "ehcp_review", "EHCP annual review"
    TAF = "taf", "Team around the family"


class Meeting(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField()
    staff_attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    external_attendees = models.TextField(blank=True, help_text="Name and role, one per line.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped()

    class Meta:
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.held_on:%d/%m/%Y}"


class MeetingAction(ActionItem):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions"
    )

    objects = scoped(ActionItemQuerySet, school="meeting__pupil__school")

    class Meta(ActionItem.Meta):
        pass

    def __str__(self):
        return self.description[:60]


class LocalAuthorityCodeQuerySet(models.QuerySet):
    def recognised_codes(self, on: datetime.date | None = None) -> frozenset[str]:
        """The codes the census accepts on ``on`` (default today), in one query."""
        on = on or timezone.localdate()
        current = self.filter(valid_from__lte=on).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=on)
        )
        return frozenset(current.values_list("code", flat=True))


class LocalAuthorityCode(models.Model):
    """A local-authority code the school census accepts as characters 2-4 of a UPN (its
    validation rule 1530): every English LA code since April 1999 (a UPN keeps the code of the LA
    that allocated it, so abolished authorities stay) and the census's pseudo-LA codes. Reference
    data versioned by date, like the suspension reasons; loaded by migrations (source named in
    0007_census_la_codes)."""

    code = models.CharField(max_length=3)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="No longer accepted from.")

    objects = LocalAuthorityCodeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="la_code_version")
        ]

    def __str__(self):
        return self.code


class PupilImport(models.Model):
    """An uploaded MIS export, kept between the preview and the confirmed import (and after)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        IMPORTED = "imported", "Imported"
        DISCARDED = "discarded", "Discarded"

    class Kind(models.TextChoices):
        PUPILS = "pupils", "Pupils"
        ATTENDANCE = "attendance", "Attendance"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The decoded CSV text; cleared once imported.")
    encoding = models.CharField(max_length=40, default="UTF-8", help_text="As read, for the SENCo.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PUPILS)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = scoped(school="school")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename


# Daily log: notes through the day and wellbeing check-ins


class Zone(models.TextChoices):
    """Zones of Regulation, as pupils are taught them (the Reset Area uses them too)."""

    BLUE = "blue", "Blue — sad, tired, low"
    GREEN = "green", "Green — calm, ready to learn"
    YELLOW = "yellow", "Yellow — worried, frustrated, silly"
    RED = "red", "Red — angry, out of control"


class NoteKind(models.TextChoices):
    POSITIVE = "positive", "Positive"
    OBSERVATION = "observation", "Observation"
    PASTORAL = "pastoral", "Pastoral note"
    HOME_SCHOOL = "home_school", "Home–school communication"
    ENGAGEMENT = "engagement", "Engagement"


class DailyNote(models.Model):
    """One note about a pupil's day, optionally in a period, with engagement 1–5, and as
    evidence for one of the pupil's plan targets."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="daily_notes")
    kind = models.CharField(max_length=12, choices=NoteKind.choices)
    on_day = models.DateField(default=timezone.localdate)
    period = models.ForeignKey(
        "semh.Period", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    engagement = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(n, str(n)) for n in range(1, 6)]
    )
    zone = models.CharField(max_length=6, choices=Zone.choices, blank=True)
    target = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name="evidence for target",
    )
    text = models.TextField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = scoped()

    class Meta:
        ordering = ["-on_day", "-recorded_at"]
        indexes = [models.Index(fields=["pupil", "-on_day"], name="dailynote_pupil_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(engagement__isnull=True)
                | models.Q(engagement__gte=1, engagement__lte=5),
                name="dailynote_engagement_1_5",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.on_day:%d/%m/%Y}"


class CheckInBy(models.TextChoices):
    PUPIL = "pupil", "The pupil, with an adult"
    STAFF = "staff", "Staff"


class WellbeingCheckIn(models.Model):
    """How a pupil is feeling at a moment: a zone or a feelings score 1–5, and their words."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="check_ins")
    at = models.DateTimeField(default=timezone.now)
    zone = models.CharField(max_length=6, choices=Zone.choices, blank=True)
    feeling = models.PositiveSmallIntegerField(
        "feelings score", null=True, blank=True, choices=[(n, str(n)) for n in range(1, 6)]
    )
    words = models.CharField("in their words", max_length=500, blank=True)
    by = models.CharField(max_length=5, choices=CheckInBy.choices, default=CheckInBy.PUPIL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = scoped()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["pupil", "-at"], name="checkin_pupil_at")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(zone="") | models.Q(feeling__isnull=False),
                name="checkin_zone_or_feeling",
            )
        ]

    def __str__(self):
        return f"Check-in {self.at:%d/%m/%Y %H:%M}"

    @property
    def score(self):
        """1 (red) … 4 (green) for a zone (blue 2, yellow 3), or the feelings score 1–5."""
        if self.zone:
            return ZONE_SCORE[self.zone]
        return self.feeling


ZONE_SCORE = {Zone.RED: 1, Zone.BLUE: 2, Zone.YELLOW: 3, Zone.GREEN: 4}


# Attendance arithmetic (``pupils.attendance`` holds the figures built on it).


def rate_of(present, possible) -> Decimal | None:
    """Present ÷ possible as a fraction (None when nothing was possible)."""
    if not possible or present is None:
        return None
    return Decimal(present) / Decimal(possible)


def percent(rate: Decimal | None) -> str:
    """ "93.4%" (one decimal, half up), "—" for no sessions."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


class AttendanceRecord(models.Model):
    """A pupil's sessions over one period (a week or a term) as the MIS exports them.

    One row per pupil and period: importing a period again updates it. ``present`` counts
    sessions the pupil attended, including approved educational activity (DfE codes /, \\, L, U
    before the register closes, B, J, P, V, W, K); ``not_required`` sessions (code X) are not
    possible sessions and are kept only for reference."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="attendance")
    starts_on = models.DateField("from")
    ends_on = models.DateField("to")
    possible = models.PositiveIntegerField("possible sessions")
    present = models.PositiveIntegerField()
    authorised = models.PositiveIntegerField("authorised absence")
    unauthorised = models.PositiveIntegerField("unauthorised absence")
    late = models.PositiveIntegerField(null=True, blank=True)
    not_required = models.PositiveIntegerField("attendance not required", null=True, blank=True)
    source = models.ForeignKey(
        PupilImport, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped(school="pupil__school")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "starts_on", "ends_on"], name="attendance_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(present__gte=0, authorised__gte=0, unauthorised__gte=0)
                & models.Q(
                    possible__gte=models.F("present")
                    + models.F("authorised")
                    + models.F("unauthorised")
                ),
                name="attendance_sessions_add_up",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="attendance_period_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}: {self.present}/{self.possible}"

    @property
    def rate_shown(self) -> str:
        return percent(rate_of(self.present, self.possible))


# Outreach referrals


class ExitStrategy(models.TextChoices):
    REINTEGRATION = "reintegration", "Reintegration into class"
    SPECIALIST = "specialist", "Specialist placement"
    TRANSITION = "transition", "Transition (next phase or another school)"


class ReferralQuerySet(models.QuerySet):
    def open(self, on=None):
        """Referrals running on ``on`` (today): started, before the planned exit, not ended."""
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, planned_end_on__gte=day).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day)
        )


class Referral(models.Model):
    """A school's referral of a pupil to an outreach service for a period, with the support plan
    and targets agreed for it and the way out planned.

    While open, the service's staff may open the pupil and record for them; what they record is
    the school's. Access ends by itself the day after the planned exit, or as soon as the school
    ends the referral (``ended_on``): extending it means moving the planned exit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(
        "semh.OutreachService", on_delete=models.PROTECT, related_name="referrals"
    )
    starts_on = models.DateField("from")
    planned_end_on = models.DateField("planned exit")
    exit_strategy = models.CharField(max_length=16, choices=ExitStrategy.choices)
    plan = models.ForeignKey(
        SupportPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="agreed support plan",
    )
    reason = models.TextField("why the pupil is referred", max_length=2000)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_note = models.TextField("how it ended", max_length=2000, blank=True)

    objects = scoped(ReferralQuerySet)

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["service", "planned_end_on"], name="referral_service_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gte=models.F("starts_on")),
                name="referral_exit_after_start",
            )
        ]

    def __str__(self):
        return f"Referral to {self.service_id} from {self.starts_on:%d/%m/%Y}"

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if self.ended_on is not None and self.ended_on <= today:
            return "ended"
        if self.starts_on > today:
            return "upcoming"
        if self.planned_end_on < today:
            return "lapsed"  # past its planned exit: access has ended; the school records how
        return "open"

    @property
    def status_label(self) -> str:
        return {
            "ended": "Ended",
            "upcoming": "Starts later",
            "lapsed": "Past its planned exit",
            "open": "Open",
        }[self.status]
