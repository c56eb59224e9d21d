"""Reads for incident pages: who may see which incident, concern and restrictive intervention.

Visibility follows the pupil (DESIGN.md §2): an incident is visible to a viewer who can open any
pupil involved in it, who reported it, or who was among the staff involved. School-wide roles
(SENCo, DSL, SLT) see every incident of the school. A safeguarding concern's content is for the
school's DSLs and its author only; for everyone else it does not exist.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from incidents.models import (
    BodyRegion,
    FollowUpAction,
    Incident,
    IncidentDraft,
    IncidentPupil,
    IncidentStatus,
    Necessity,
    ParentReport,
    RestrictiveIntervention,
    SafeguardingConcern,
    StaffStatement,
)
from pupils.models import Pupil
from semh.access import Capability


def visible_incidents(viewer):
    """Incidents of the viewer's school the viewer may open (``viewer``: a SchoolAccess)."""
    incidents = Incident.objects.filter(school=viewer.school)
    if viewer.can(Capability.VIEW_ALL_PUPILS):
        return incidents
    pupils = Pupil.objects.visible_to(viewer).values("pk")
    return incidents.filter(
        Q(pk__in=IncidentPupil.objects.filter(pupil__in=pupils).values("incident"))
        | Q(reported_by=viewer.user)
        | Q(
            pk__in=Incident.staff_involved.through.objects.filter(user=viewer.user).values(
                "incident"
            )
        )
        # Whoever the reviewer gave a follow-up action to needs the incident to act on it.
        | Q(pk__in=FollowUpAction.objects.filter(owner=viewer.user).values("incident"))
    )


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def access_incident(viewer, incident_id) -> Incident:
    """The incident, if the viewer may open it; 404 otherwise (never reveal it exists)."""
    return _get_or_404(
        visible_incidents(viewer).select_related(
            "location",
            "period",
            "category",
            "trigger",
            "suspension_reason",
            "reported_by",
            "reviewed_by",
        ),
        incident_id,
    )


def visible_concerns(viewer):
    """Safeguarding concerns whose content the viewer may read: all (DSL) or their own."""
    concerns = SafeguardingConcern.objects.filter(incident__school=viewer.school)
    if viewer.can(Capability.VIEW_ALL_CONCERNS):
        return concerns
    if viewer.can(Capability.VIEW_OWN_CONCERNS):
        return concerns.filter(raised_by=viewer.user)
    return concerns.none()


def access_concern(viewer, concern_id) -> SafeguardingConcern:
    return _get_or_404(
        visible_concerns(viewer).select_related("incident", "raised_by", "closed_by"), concern_id
    )


def visible_interventions(viewer):
    """Restrictive interventions the viewer may open.

    Through its incident when it has one; otherwise (a Reset Area seclusion) through its pupil, or
    because the viewer recorded it or was one of the staff involved.
    """
    interventions = RestrictiveIntervention.objects.filter(pupil__school=viewer.school)
    if viewer.can(Capability.VIEW_ALL_PUPILS):
        return interventions
    return interventions.filter(
        Q(incident__in=visible_incidents(viewer).values("pk"))
        | Q(incident__isnull=True, pupil__in=Pupil.objects.visible_to(viewer).values("pk"))
        | Q(recorded_by=viewer.user)
        # A subquery, not a join: a join would narrow the staff counts of with_follow_up_state.
        | Q(
            pk__in=RestrictiveIntervention.staff_involved.through.objects.filter(
                user=viewer.user
            ).values("restrictiveintervention")
        )
    )


def access_intervention(viewer, intervention_id) -> RestrictiveIntervention:
    return _get_or_404(
        visible_interventions(viewer)
        .with_follow_up_state()
        .select_related("pupil", "incident", "recorded_by", "positive_handling_plan"),
        intervention_id,
    )


def primary_pupil_prefetch():
    """Prefetch each incident's involvements (primary first) with their pupils: one query."""
    return Prefetch(
        "involvements",
        queryset=IncidentPupil.objects.select_related("pupil").order_by("-is_primary", "pk"),
    )


def review_queue(school):
    """Submitted incidents awaiting review: restrictive interventions first, then oldest first."""
    return (
        Incident.objects.filter(school=school, status=IncidentStatus.SUBMITTED)
        .annotate(has_rpi=Exists(RestrictiveIntervention.objects.filter(incident=OuterRef("pk"))))
        .select_related("category", "location", "reported_by")
        .prefetch_related(primary_pupil_prefetch())
        .order_by("-has_rpi", "submitted_at", "occurred_at", "pk")
    )


def outstanding_interventions(school):
    """Restrictive interventions still missing statutory follow-up, oldest first."""
    return (
        RestrictiveIntervention.objects.outstanding()
        .filter(pupil__school=school)
        .select_related("pupil")
        .order_by("started_at")
    )


def open_concern_count(school) -> int:
    return SafeguardingConcern.objects.filter(
        incident__school=school, status=SafeguardingConcern.Status.OPEN
    ).count()


# The narrative fields a submitted incident may be amended in (pupils and staff are not among
# them: they decide who can see the record, so they are not changed after the fact).
AMENDABLE_FIELDS = [
    "occurred_at",
    "location",
    "period",
    "category",
    "severity",
    "trigger",
    "antecedent",
    "behaviour",
    "outcome",
    "outcome_notes",
    "suspension_days",
    "suspension_reason",
    "strategies",
    "witnesses",
    "parents_informed",
    "parents_informed_detail",
]


def field_label(name: str) -> str:
    labels = {"occurred_at": "When", "location": "Where", "period": "Lesson / period"}
    return labels.get(name) or str(Incident._meta.get_field(name).verbose_name).capitalize()


def display_value(incident, name: str, strategies=None) -> str:
    """A field's value as people read it (what amendments store, so history needs no lookups)."""
    if name == "strategies":
        terms = incident.strategies.all() if strategies is None else strategies
        return ", ".join(sorted(t.label for t in terms))
    value = getattr(incident, name)
    if value is None or value == "":
        return ""
    if name == "occurred_at":
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    field = Incident._meta.get_field(name)
    if field.choices:
        return str(getattr(incident, f"get_{name}_display")())
    return str(value)


def primary_pupil_id(incident) -> str | None:
    pupil_id = (
        incident.involvements.filter(is_primary=True).values_list("pupil_id", flat=True).first()
    )
    return str(pupil_id) if pupil_id else None


def amendment_history(amendments) -> dict:
    """Every amendment as readable rows, and the original value of each field ever amended.

    The original is the "from" of the first amendment that touched a field, so the record as first
    submitted is always recoverable: the current values with these put back.
    """
    rows, original = [], {}
    for amendment in amendments:
        changes = []
        for name, change in amendment.changes.items():
            label = field_label(name) if name in AMENDABLE_FIELDS else name
            original.setdefault(name, {"label": label, "value": change["from"]})
            changes.append({"label": label, "from": change["from"], "to": change["to"]})
        rows.append({"amendment": amendment, "changes": changes})
    ordered = [original[n] for n in AMENDABLE_FIELDS if n in original]
    return {"amendments": rows, "original_values": ordered, "amended_fields": set(original)}


def incident_page(incident, viewer) -> dict:
    """Everything the incident page shows, in a fixed number of queries."""
    involvements = list(
        incident.involvements.select_related("pupil").order_by(
            "-is_primary", "pupil__legal_last_name"
        )
    )
    pupil_ids = [i.pupil_id for i in involvements]
    visible_pupils = set(
        Pupil.objects.visible_to(viewer).filter(pk__in=pupil_ids).values_list("pk", flat=True)
    )
    intervention = (
        RestrictiveIntervention.objects.with_follow_up_state()
        .filter(incident=incident)
        .select_related("recorded_by", "positive_handling_plan", "pupil")
        .first()
    )
    concern = visible_concerns(viewer).filter(incident=incident).select_related("raised_by").first()
    strategies = list(incident.strategies.all())
    return {
        "incident": incident,
        "values": {n: display_value(incident, n, strategies=strategies) for n in AMENDABLE_FIELDS},
        "involvements": involvements,
        "visible_pupil_ids": visible_pupils,
        "staff_involved": list(incident.staff_involved.all()),
        "follow_up_actions": list(incident.actions.select_related("owner", "done_by")),
        "concern": concern,
        **(intervention_sections(intervention, viewer) if intervention else {}),
        **amendment_history(incident.amendments.select_related("author")),
    }


def intervention_sections(intervention, viewer) -> dict:
    """The restrictive-intervention record with its follow-up, for its own page or an incident's."""
    staff = list(intervention.staff_involved.all())
    statements = list(
        StaffStatement.objects.filter(intervention=intervention).select_related("author")
    )
    written = {s.author_id for s in statements}
    return {
        "intervention": intervention,
        "necessity": [
            Necessity(code).label for code in intervention.necessity if code in Necessity
        ],
        "body_map": [
            BodyRegion(code).label if code in BodyRegion.values else code
            for code in intervention.body_map
        ],
        "debrief_pending": intervention.pupil_debrief_at is None
        or intervention.staff_debrief_at is None
        or not intervention.support_offered,
        "pupil_visible": Pupil.objects.visible_to(viewer).filter(pk=intervention.pupil_id).exists(),
        "intervention_staff": [{"user": u, "has_statement": u.pk in written} for u in staff],
        "holds": list(intervention.holds.all()),
        "statements": statements,
        "parent_report": ParentReport.objects.filter(intervention=intervention)
        .select_related("reported_by", "recorded_by")
        .first(),
        "missing": intervention.missing_follow_up(),
        "is_holder": any(u.pk == viewer.user.pk for u in staff),
        "has_own_statement": viewer.user.pk in written,
    }


def waiting_for(viewer, *, limit=10) -> dict:
    """What the viewer themselves still has to do: statements owed for restrictive interventions
    they were part of, open follow-up actions they own, and their unfinished incidents."""
    user = viewer.user
    statements_owed = (
        RestrictiveIntervention.objects.filter(pupil__school=viewer.school, staff_involved=user)
        .exclude(statements__author=user)
        .select_related("pupil")
        .order_by("started_at")
    )
    actions = (
        FollowUpAction.objects.open()
        .filter(incident__school=viewer.school, owner=user)
        .select_related("incident__category")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    return {
        "statements_owed": list(statements_owed[:limit]),
        "actions": list(actions[:limit]),
        "drafts": IncidentDraft.objects.filter(school=viewer.school, author=user).count(),
        "draft_days": settings.SEMH_INCIDENT_DRAFT_DAYS,
    }


def review_summary(school, *, next_up=5, outstanding_limit=20) -> dict:
    """The SENCo's home page: what waits for review, and restrictive interventions still missing
    their statutory follow-up (each with what is missing). A fixed number of queries."""
    queue = review_queue(school)
    outstanding = outstanding_interventions(school)
    return {
        "waiting_count": queue.count(),
        "next_up": list(queue[:next_up]),
        "outstanding_count": outstanding.count(),
        "outstanding": [
            {"intervention": i, "missing": i.missing_follow_up()}
            for i in outstanding[:outstanding_limit]
        ],
    }
