"""Reads for incident pages: who may see which incident, concern and restrictive intervention.

Visibility follows the pupil (DESIGN.md §2): an incident is visible to a viewer who can open any
pupil involved in it, who reported it, or who was among the staff involved. School-wide roles
(SENCo, DSL, SLT) see every incident of the school. A safeguarding concern's content is for the
school's DSLs and its author only; for everyone else it does not exist.

Every object named in an incidents URL (or a form's hidden field) is fetched by an
``access_<thing>(viewer, school, id)`` here, which raises 404 for an unknown, malformed, foreign or
invisible id; ``viewer`` is the request's ``SchoolAccess``.
"""

import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When, Window
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
    Vocabulary,
    VocabularyKind,
    has_restrictive_intervention,
)
from pupils.models import PlanKind, PlanStatus, Pupil, SupportPlan
from pupils.selectors import profile_for_display
from semh.access import PUPIL_FACING_ROLES, Capability, Role
from semh.models import Period, User
from semh.selectors import staff_with_roles


def _get_or_404(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def _check_school(viewer, school) -> None:
    if viewer.school.pk != school.pk:
        raise Http404


def visible_incidents(viewer):
    """Incidents of the viewer's school the viewer may open (``viewer``: a SchoolAccess)."""
    incidents = Incident.objects.filter(school=viewer.school)
    if viewer.can(Capability.VIEW_ALL_PUPILS):
        return incidents
    pupils = Pupil.objects.visible_to(viewer).values("pk")
    if not viewer.can(Capability.RECORD):
        # Outreach staff: incidents about a pupil referred to them, while referred (their own
        # reports too). Lists and exports name the main pupil, so it must be theirs.
        return incidents.filter(
            pk__in=IncidentPupil.objects.filter(pupil__in=pupils, is_primary=True).values(
                "incident"
            )
        )
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


def access_incident(viewer, school, incident_id) -> Incident:
    """The incident, if the viewer may open it; 404 otherwise (never reveal it exists)."""
    _check_school(viewer, school)
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
        pk=incident_id,
    )


def access_follow_up_action(viewer, school, incident_id, action_id) -> FollowUpAction:
    """A follow-up action of an incident the viewer may open; 404 for an action of another."""
    incident = access_incident(viewer, school, incident_id)
    action = _get_or_404(FollowUpAction.objects.filter(incident=incident), pk=action_id)
    action.incident = incident
    return action


def incident_rows(incidents):
    """Incidents for a list: what a row shows, in a fixed number of queries, newest first."""
    return (
        incidents.select_related("category", "location", "period", "reported_by")
        .annotate(has_restrictive=has_restrictive_intervention())
        .prefetch_related(primary_pupil_prefetch())
        .order_by("-occurred_at", "pk")
    )


def visible_concerns(viewer):
    """Safeguarding concerns whose content the viewer may read: all (DSL) or their own."""
    concerns = SafeguardingConcern.objects.filter(pupil__school=viewer.school)
    if viewer.can(Capability.VIEW_ALL_CONCERNS):
        return concerns
    if viewer.can(Capability.VIEW_OWN_CONCERNS):
        return concerns.filter(raised_by=viewer.user)
    return concerns.none()


def own_concerns(viewer):
    """The concerns the viewer raised."""
    return visible_concerns(viewer).filter(raised_by=viewer.user)


def concern_rows(concerns):
    """Concerns for a list (raised on their own or from an incident): open first, newest first."""
    return (
        concerns.select_related("raised_by", "pupil")
        .annotate(
            open_first=Case(
                When(status=SafeguardingConcern.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-raised_at")
    )


def concern_page(concern, viewer) -> dict:
    """What a concern's page shows this viewer: what the DSL did is for DSLs only."""
    is_dsl = viewer.can(Capability.VIEW_ALL_CONCERNS)
    pupils = [concern.pupil]
    if concern.incident_id:
        involvements = concern.incident.involvements.select_related("pupil")
        pupils = [i.pupil for i in involvements.order_by("-is_primary")]
    return {
        "concern": concern,
        "pupils": pupils,
        "actions": list(concern.actions.select_related("by")) if is_dsl else [],
        "incident_visible": bool(concern.incident_id)
        and visible_incidents(viewer).filter(pk=concern.incident_id).exists(),
        "is_dsl": is_dsl,
    }


def access_concern(viewer, school, concern_id) -> SafeguardingConcern:
    _check_school(viewer, school)
    return _get_or_404(
        visible_concerns(viewer).select_related("pupil", "incident", "raised_by", "closed_by"),
        pk=concern_id,
    )


def visible_restrictive_interventions(viewer):
    """Restrictive interventions the viewer may open.

    Through its incident when it has one; otherwise (a Reset Area seclusion) through its pupil, or
    because the viewer recorded it or was one of the staff involved.
    """
    records = RestrictiveIntervention.objects.filter(pupil__school=viewer.school)
    if viewer.can(Capability.VIEW_ALL_PUPILS):
        return records
    return records.filter(
        Q(incident__in=visible_incidents(viewer).values("pk"))
        | Q(incident__isnull=True, pupil__in=Pupil.objects.visible_to(viewer).values("pk"))
        | Q(recorded_by=viewer.user)
        # A subquery, not a join: a join would repeat a record once for each of its staff.
        | Q(
            pk__in=RestrictiveIntervention.staff_involved.through.objects.filter(
                user=viewer.user
            ).values("restrictiveintervention")
        )
    )


def access_restrictive_intervention(viewer, school, intervention_id) -> RestrictiveIntervention:
    _check_school(viewer, school)
    return _get_or_404(
        visible_restrictive_interventions(viewer)
        .with_follow_up_state()
        .select_related("pupil", "incident", "recorded_by", "positive_handling_plan"),
        pk=intervention_id,
    )


def has_parent_report(intervention) -> bool:
    return ParentReport.objects.filter(intervention=intervention).exists()


def restrictive_page(intervention, viewer) -> dict:
    """A restrictive intervention's own page: the record, its follow-up, the way back."""
    incident_visible = (
        intervention.incident_id is not None
        and visible_incidents(viewer).filter(pk=intervention.incident_id).exists()
    )
    return {**restrictive_sections(intervention, viewer), "incident_visible": incident_visible}


def is_holder(viewer, intervention) -> bool:
    """Was the viewer one of the staff involved (so they owe their own statement)?"""
    return intervention.staff_involved.filter(pk=viewer.user.pk).exists()


def own_statement(viewer, intervention) -> StaffStatement | None:
    """The viewer's own statement about a restrictive intervention, if they have written one."""
    return StaffStatement.objects.filter(intervention=intervention, author=viewer.user).first()


def access_vocabulary_entry(viewer, school, entry_id) -> Vocabulary:
    """One entry of the school's lists (named in the vocabulary page's forms)."""
    _check_school(viewer, school)
    return _get_or_404(Vocabulary.objects.filter(school=school), pk=entry_id)


def school_vocabulary(school) -> dict:
    """Each of the school's lists, by kind (every kind, in order), retired entries included."""
    entries = list(Vocabulary.objects.filter(school=school))
    return {kind.value: [e for e in entries if e.kind == kind] for kind in VocabularyKind}


def access_draft(viewer, school, key) -> IncidentDraft:
    """The viewer's own unfinished incident in this school; 404 for anyone else's."""
    _check_school(viewer, school)
    return _get_or_404(IncidentDraft.objects.filter(school=school, author=viewer.user), key=key)


def own_drafts(viewer, *, excluding=None):
    drafts = IncidentDraft.objects.filter(school=viewer.school, author=viewer.user)
    if excluding is not None:
        drafts = drafts.exclude(key=excluding)
    return drafts.order_by("-updated_at")


def active_positive_handling_plan(pupil) -> SupportPlan | None:
    """The pupil's active positive handling plan (never a draft or a closed one), if any."""
    return (
        SupportPlan.objects.filter(
            pupil=pupil, kind=PlanKind.POSITIVE_HANDLING, status=PlanStatus.ACTIVE
        )
        .order_by("-starts_on", "-cycle")
        .first()
    )


def pupils_to_record_for(viewer):
    """The on-roll pupils the viewer may record for: the school's recorders any pupil of the
    school (DESIGN.md §2); outreach staff only the pupils referred to them."""
    if viewer.can(Capability.RECORD):
        return Pupil.objects.filter(school=viewer.school).on_roll()
    return Pupil.objects.visible_to(viewer).on_roll()


def chosen_pupils(viewer, ids) -> list:
    """On-roll pupils of the school with these ids, in that order (anything else ignored)."""
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except (TypeError, ValueError):
            continue
    if not wanted:
        return []
    found = {p.pk: p for p in pupils_to_record_for(viewer).filter(pk__in=wanted)}
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def pupils_to_pick(viewer, text, *, excluding=(), limit=8) -> list:
    """The pupil picker's matches for what was typed (name, year and form are all it shows)."""
    return _first_matches(pupils_to_record_for(viewer), text, excluding, limit)


def pupils_to_filter_by(viewer, text, *, excluding=(), limit=8) -> list:
    """The incident filter's matches: any pupil the viewer may open, on roll or not (the
    incidents of a pupil who has left are still theirs to find)."""
    return _first_matches(Pupil.objects.visible_to(viewer), text, excluding, limit)


def _first_matches(pupils, text, excluding, limit) -> list:
    if not text.strip():
        return []
    matches = pupils.exclude(pk__in=[p.pk for p in excluding]).matching_name(text)
    return list(matches[:limit])


def own_drafts_with_pupils(viewer, *, excluding=None) -> list:
    """The viewer's unfinished incidents, newest first, each with ``pupil`` (the pupil chosen so
    far, or ``None``)."""
    drafts = list(own_drafts(viewer, excluding=excluding))
    chosen = {str(p.pk): p for p in chosen_pupils(viewer, [_draft_pupil_id(d) for d in drafts])}
    for draft in drafts:
        draft.pupil = chosen.get(_draft_pupil_id(draft))
    return drafts


def _draft_pupil_id(draft):
    values = draft.data.get("primary_pupil") or [None]
    return values[0]


def period_running(school, moment):
    """The school's period running at ``moment`` (the form's "lesson / period"), if any."""
    return Period.objects.filter(school=school).at(moment) if moment else None


def pupil_context(viewer, pupil) -> dict:
    """What the logging form shows about the chosen pupil: their "what helps me" strategies, SEN
    and active positive handling plan, only if the viewer may open the pupil. ``profile_read``
    says whether a profile was shown (the view audits that read)."""
    if pupil is None:
        return {"context_pupil": None, "profile_read": False}
    can_see = Pupil.objects.visible_to(viewer).filter(pk=pupil.pk).exists()
    context = {"context_pupil": pupil, "can_see_pupil": can_see, "profile_read": False}
    if can_see:
        profile = profile_for_display(pupil)
        context["profile_strategies"] = profile.strategies if profile else []
        context["helping_strategy_ids"] = helping_strategy_ids(
            pupil.school, context["profile_strategies"]
        )
        context["handling_plan"] = active_positive_handling_plan(pupil)
        context["profile_read"] = profile is not None
    return context


# Words too common in strategies to tie a school's strategy to a pupil's own.
COMMON_WORDS = {"offer", "offered", "their", "there", "about", "other", "without", "using"}


def _key_words(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z-]+", text.lower())
    return {w for w in words if len(w) >= 5 and w not in COMMON_WORDS}


def helping_strategy_ids(school, profile_lines: list[str]) -> set:
    """The school's de-escalation strategies that a pupil's "what helps me" lines name (a key
    word in common: "Offer the time-out pass" names "Time-out pass"), to show those first."""
    wanted = set().union(*(_key_words(line) for line in profile_lines)) if profile_lines else set()
    if not wanted:
        return set()
    strategies = Vocabulary.objects.filter(school=school).of(VocabularyKind.STRATEGY).active()
    return {pk for pk, label in strategies.values_list("pk", "label") if _key_words(label) & wanted}


def recording_staff(school, first=None):
    """The school's staff who work with pupils, for the staff pickers; ``first`` (the person
    recording) at the top of the list."""
    staff = staff_with_roles(school, PUPIL_FACING_ROLES)
    if first is None:
        return staff
    # The recorder may be outreach staff, who are not the school's members.
    staff = User.objects.filter(Q(pk__in=staff.values("pk")) | Q(pk=first.pk))
    return staff.order_by(
        Case(When(pk=first.pk, then=Value(0)), default=Value(1)), "first_name", "last_name"
    )


def school_dsls(school):
    """Who is told that a safeguarding concern was raised."""
    return staff_with_roles(school, [Role.DSL])


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
        .annotate(has_restrictive=has_restrictive_intervention())
        .select_related("category", "location", "reported_by")
        .prefetch_related(primary_pupil_prefetch())
        .order_by("-has_restrictive", "submitted_at", "occurred_at", "pk")
    )


def outstanding_restrictive_interventions(school):
    """Restrictive interventions still missing statutory follow-up, oldest first."""
    return (
        RestrictiveIntervention.objects.outstanding()
        .filter(pupil__school=school)
        .select_related("pupil")
        .order_by("started_at")
    )


HOME_CONCERNS = 10


def home_open_concerns(viewer) -> dict:
    """The DSL's home page: open concerns, oldest first (the longest waiting is the most
    urgent), each with its pupil and how many days it has been open."""
    open_ = visible_concerns(viewer).filter(status=SafeguardingConcern.Status.OPEN)
    rows = list(concern_rows(open_).order_by("raised_at")[:HOME_CONCERNS])
    today = timezone.localdate()
    for concern in rows:
        concern.open_days = (today - timezone.localdate(concern.raised_at)).days
    count = len(rows) if len(rows) < HOME_CONCERNS else open_.count()
    return {"rows": rows, "count": count}


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
        "primary_pupil_id": next((str(i.pupil_id) for i in involvements if i.is_primary), None),
        "visible_pupil_ids": visible_pupils,
        # The school's own staff see who else was involved; outreach staff only their pupils.
        "names_other_pupils": viewer.can(Capability.RECORD)
        or viewer.can(Capability.VIEW_ALL_PUPILS),
        "staff_involved": list(incident.staff_involved.all()),
        "follow_up_actions": list(incident.actions.select_related("owner", "done_by")),
        "concern": concern,
        **(restrictive_sections(intervention, viewer) if intervention else {}),
        **amendment_history(incident.amendments.select_related("author")),
    }


def restrictive_sections(intervention, viewer) -> dict:
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
    return {
        "waiting_count": queue.count(),
        "next_up": list(queue[:next_up]),
        **follow_up_outstanding(school, limit=outstanding_limit),
    }


def follow_up_outstanding(school, *, limit) -> dict:
    """The oldest ``limit`` restrictive interventions still missing statutory follow-up, each
    with what is missing, and how many there are in all."""
    # The total rides on each row (a window over the whole outstanding set, counted before
    # the LIMIT): one pass over the school's records instead of a second one to count them.
    total = Window(Count("pk"))
    rows = list(outstanding_restrictive_interventions(school).annotate(total=total)[:limit])
    return {
        "outstanding_count": rows[0].total if rows else 0,
        "outstanding": [{"intervention": i, "missing": i.missing_follow_up()} for i in rows],
    }
