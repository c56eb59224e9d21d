"""Incidents, de-escalation, restrictive interventions (restraint and seclusion) and their review.

An incident once submitted is never overwritten: changes are ``IncidentAmendment`` rows. The
restrictive-intervention record (``RestrictiveIntervention``) is one mechanism for restraint here
and for seclusion in the Reset Area (``reset_area.Visit`` links to it), with its statutory report
to parents and the staff's own statements.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from semh.models import ActionItem, ActionItemQuerySet
from semh.scoping import scoped

# A phone's clock and the server's may differ a little; a typed time further ahead than this is
# a mistake (the one rule for "not in the future" of every incident-log time).
CLOCK_SLACK = timedelta(minutes=5)


def is_in_future(moment, now=None) -> bool:
    return moment is not None and moment > (now or timezone.now()) + CLOCK_SLACK


class VocabularyKind(models.TextChoices):
    LOCATION = "location", "Location"
    CATEGORY = "category", "Category"
    TRIGGER = "trigger", "Trigger / antecedent"
    STRATEGY = "strategy", "De-escalation strategy"
    HOLD = "hold", "Hold / restrictive technique"


class VocabularyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of(self, kind):
        return self.filter(kind=kind)


class Vocabulary(models.Model):
    """An entry of a school's controlled lists (locations, categories, triggers…), edited by the
    SENCo. Entries are retired (``is_active=False``), never deleted, so old incidents keep their
    words. (Not to be confused with ``semh.Term``, the academic term.)
    """

    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=VocabularyKind.choices)
    label = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = scoped(VocabularyQuerySet, school="school")

    class Meta:
        ordering = ["kind", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "label"], name="vocabulary_unique")
        ]

    def __str__(self):
        return self.label


class SuspensionReason(models.Model):
    """DfE school census suspension / permanent exclusion reason codes, versioned by date."""

    code = models.CharField(max_length=4)
    label = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="suspension_reason_version")
        ]

    def __str__(self):
        return f"{self.code} – {self.label}"


class Severity(models.IntegerChoices):
    LOW = 1, "Low"
    MODERATE = 2, "Moderate"
    SERIOUS = 3, "Serious"
    SEVERE = 4, "Severe"


class Outcome(models.TextChoices):
    RETURNED = "returned", "Returned to lesson"
    RESET_AREA = "reset_area", "Went to the Reset Area"
    INTERNAL_EXCLUSION = "internal", "Internal exclusion"
    SENT_HOME = "sent_home", "Sent home"
    SUSPENSION = "suspension", "Suspension"
    OTHER = "other", "Other"


class ParentsInformed(models.TextChoices):
    YES = "yes", "Yes"
    NOT_YET = "not_yet", "Not yet"
    NO = "no", "No — with reason"


class IncidentStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted — awaiting review"
    REVIEWED = "reviewed", "Reviewed"


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
    # Sent by the form (and naming its draft); claimed once per person and school through
    # semh.submissions, so a second submit of the same form creates nothing.
    submission_key = models.UUIDField(db_index=True)
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.SUBMITTED
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    location = models.ForeignKey(
        Vocabulary, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        "semh.Period", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(Vocabulary, on_delete=models.PROTECT, related_name="+")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    trigger = models.ForeignKey(
        Vocabulary, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    antecedent = models.TextField("what happened before", blank=True)
    behaviour = models.TextField("what was seen and heard")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    outcome_notes = models.TextField(blank=True)
    suspension_days = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    suspension_reason = models.ForeignKey(
        SuspensionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    strategies = models.ManyToManyField(Vocabulary, blank=True, related_name="+")
    staff_involved = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="incidents_involved_in"
    )
    witnesses = models.TextField(blank=True)
    parents_informed = models.CharField(max_length=8, choices=ParentsInformed.choices)
    parents_informed_detail = models.TextField("who, when and how — or why not yet", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_reported"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_notes = models.TextField(blank=True)

    objects = scoped(school="school")

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["school", "-occurred_at"]),
            # The review queue: a school's few submitted incidents among its thousands.
            models.Index(
                fields=["school", "submitted_at"],
                condition=models.Q(status=IncidentStatus.SUBMITTED),
                name="incident_awaiting_review",
            ),
        ]

    def __str__(self):
        return f"Incident {self.occurred_at:%d/%m/%Y %H:%M}"


class IncidentPupil(models.Model):
    """A pupil involved in an incident; exactly one is the primary pupil."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="involvements")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="incidents")
    is_primary = models.BooleanField(default=False)

    objects = scoped(school="incident__school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "pupil"], name="incident_pupil_once"),
            models.UniqueConstraint(
                fields=["incident"],
                condition=models.Q(is_primary=True),
                name="incident_one_primary_pupil",
            ),
        ]

    def __str__(self):
        return f"{self.pupil_id} in {self.incident_id}"


class IncidentAmendment(models.Model):
    """A change to a submitted incident: who, when, why, and each field's old and new value."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    changes = models.JSONField(help_text="{field: {'from': …, 'to': …}} in display form")

    objects = scoped(school="incident__school")

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"Amendment {self.at:%d/%m/%Y %H:%M}"


class IncidentDraft(models.Model):
    """What someone has typed into the incident form so far, saved as they type."""

    key = models.UUIDField(primary_key=True)
    school = models.ForeignKey("semh.School", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped(school="school")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Draft {self.key}"


class FollowUpAction(ActionItem):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = scoped(ActionItemQuerySet, school="incident__school")

    class Meta(ActionItem.Meta):
        pass

    def __str__(self):
        return self.description


class SafeguardingConcern(models.Model):
    """About one pupil, raised on its own or from an incident (then about its main pupil); its
    content is for the school's DSLs and its author only."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="+")
    incident = models.OneToOneField(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safeguarding_concern",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    # When what is described was seen, heard or said (a concern raised on its own; an incident's
    # concern has the incident's time).
    noticed_at = models.DateTimeField(null=True, blank=True)
    concern = models.TextField()
    immediate_action = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = scoped(school="pupil__school")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pupil__isnull=False), name="concern_has_pupil"
            )
        ]

    def __str__(self):
        return f"Safeguarding concern {self.raised_at:%d/%m/%Y}"


class ConcernAction(models.Model):
    """What the DSL did about a concern (append-only)."""

    concern = models.ForeignKey(
        SafeguardingConcern, on_delete=models.PROTECT, related_name="actions"
    )
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()

    objects = scoped(school="concern__pupil__school")

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"Action {self.at:%d/%m/%Y}"


class InterventionKind(models.TextChoices):
    RESTRAINT = "restraint", "Restraint (physical intervention)"
    SECLUSION = "seclusion", "Seclusion (prevented from leaving)"


class Necessity(models.TextChoices):
    INJURY_SELF = "injury_self", "Risk of injury to the pupil"
    INJURY_OTHERS = "injury_others", "Risk of injury to others"
    DAMAGE = "damage", "Risk of serious damage to property"
    DISORDER = "disorder", "Risk of serious disorder"


class BodyRegion(models.TextChoices):
    """Regions of the simple body map; ``RestrictiveIntervention.body_map`` stores these codes.

    Left and right are the pupil's own. The map is drawn as if facing the pupil, so the pupil's
    right side is on the left of the screen.
    """

    HEAD = "head", "Head"
    FACE = "face", "Face"
    NECK = "neck", "Neck"
    CHEST = "chest", "Chest"
    BACK = "back", "Back"
    ABDOMEN = "abdomen", "Tummy / abdomen"
    ARM_RIGHT = "arm_right", "Right arm"
    ARM_LEFT = "arm_left", "Left arm"
    HAND_RIGHT = "hand_right", "Right hand"
    HAND_LEFT = "hand_left", "Left hand"
    LEG_RIGHT = "leg_right", "Right leg"
    LEG_LEFT = "leg_left", "Left leg"
    FOOT_RIGHT = "foot_right", "Right foot"
    FOOT_LEFT = "foot_left", "Left foot"


class RestrictiveInterventionQuerySet(models.QuerySet):
    # The subqueries below read through the plain managers (``_base_manager``): each is tied to
    # one record of the outer query, which its own manager has already kept to the school, and
    # the scoped managers would join the school in again for every record (5x slower).

    def with_parent_report_state(self):
        """Annotate ``has_parent_report``: the report to parents was made, or the reason it was
        not (and the local authority told) recorded instead."""
        return self.annotate(
            has_parent_report=models.Exists(
                ParentReport._base_manager.filter(intervention=models.OuterRef("pk")).filter(
                    models.Q(reported_at__isnull=False) | ~models.Q(not_reported_reason="")
                )
            )
        )

    def with_follow_up_state(self):
        """Annotate what the statutory follow-up still lacks, counted in the database: each by a
        subquery of its own record, so no join or filter around it can change the counts."""
        staff = self.model.staff_involved.through.objects.filter(
            restrictiveintervention=models.OuterRef("pk")
        )
        stated = StaffStatement._base_manager.filter(
            intervention=models.OuterRef(models.OuterRef("pk"))
        ).values("author")
        return self.with_parent_report_state().annotate(
            staff_count=_count_of(staff),
            statement_count=_count_of(staff.filter(user__in=stated)),
            # The same as statement_count < staff_count, as an Exists that stops at the first
            # missing statement: what ``outstanding`` filters every record by (3x faster).
            statement_missing=models.Exists(staff.exclude(user__in=stated)),
        )

    def outstanding(self):
        """Records whose parent report, pupil debrief or staff statements are not all in."""
        return self.with_follow_up_state().filter(
            models.Q(has_parent_report=False)
            | models.Q(pupil_debrief_at__isnull=True)
            | models.Q(statement_missing=True)
        )


def _count_of(staff_rows):
    """How many of a record's ``staff_rows`` (0 for none), as a subquery of that record."""
    counted = (
        staff_rows.order_by()
        .values("restrictiveintervention")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counted), 0)


def has_restrictive_intervention():
    """Whether the incident of the outer query has a restrictive intervention record (an
    ``Exists`` to annotate or filter by), through the plain manager as above."""
    return models.Exists(
        RestrictiveIntervention._base_manager.filter(incident=models.OuterRef("pk"))
    )


class RestrictiveIntervention(models.Model):
    """The statutory record of a restrictive intervention (restraint or seclusion), whatever record
    it hangs off; written by ``services.restrictive.record_restrictive_intervention`` only.

    An incident's restraint links here through ``incident``; a Reset Area visit's seclusion links
    here from the visit. Outstanding until the parent report (or its recorded exception), the
    pupil debrief and every holding member of staff's own statement are in.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.PROTECT, related_name="restrictive_interventions"
    )
    kind = models.CharField(max_length=10, choices=InterventionKind.choices)
    incident = models.OneToOneField(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restrictive_intervention",
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    location = models.CharField(max_length=120)
    staff_involved = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="restrictive_interventions"
    )
    holds = models.ManyToManyField(Vocabulary, blank=True, related_name="+")
    other_hold = models.TextField("the other hold or technique, described", blank=True)
    what_happened_before = models.TextField()
    deescalation_tried = models.TextField("de-escalation tried")
    necessity = models.JSONField(help_text="Reasons from Necessity, at least one")
    necessity_detail = models.TextField("why it was necessary")
    pupil_injured = models.BooleanField()
    staff_injured = models.BooleanField()
    injuries = models.TextField(blank=True)
    body_map = models.JSONField(default=list, blank=True, help_text="Body regions injured")
    medical_attention = models.TextField(blank=True)
    pupil_debrief_at = models.DateTimeField(null=True, blank=True)
    pupil_debrief_notes = models.TextField(blank=True)
    staff_debrief_at = models.DateTimeField(null=True, blank=True)
    staff_debrief_notes = models.TextField(blank=True)
    support_offered = models.TextField("support offered afterwards", blank=True)
    positive_handling_plan = models.ForeignKey(
        "pupils.SupportPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(RestrictiveInterventionQuerySet)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%d/%m/%Y %H:%M}"

    def missing_follow_up(self) -> list[str]:
        """What is still missing, in words (needs ``with_follow_up_state`` annotations)."""
        missing = []
        if not self.has_parent_report:
            missing.append("report to parents")
        if self.pupil_debrief_at is None:
            missing.append("debrief with the pupil")
        if self.statement_count < self.staff_count:
            missing.append(f"{self.staff_count - self.statement_count} staff statement(s)")
        return missing

    @property
    def minutes(self):
        return max(0, round((self.ended_at - self.started_at).total_seconds() / 60))


class ParentReport(models.Model):
    """The statutory report to parents of a restrictive intervention, or why it was not made."""

    intervention = models.OneToOneField(
        RestrictiveIntervention, on_delete=models.PROTECT, related_name="parent_report"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=60, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what_was_said = models.TextField(blank=True)
    not_reported_reason = models.TextField(
        blank=True, help_text="Why a report would likely cause the pupil significant harm."
    )
    local_authority_reported_at = models.DateTimeField(null=True, blank=True)
    local_authority_contact = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(school="intervention__pupil__school")

    def __str__(self):
        return f"Parent report for {self.intervention_id}"


class StaffStatement(models.Model):
    """A member of staff's own account of a restrictive intervention; only they may write it."""

    intervention = models.ForeignKey(
        RestrictiveIntervention, on_delete=models.PROTECT, related_name="statements"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped(school="intervention__pupil__school")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "author"], name="one_statement_per_staff"
            )
        ]

    def __str__(self):
        return f"Statement by {self.author_id}"
