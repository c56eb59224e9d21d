"""The statutory record of a restrictive intervention, restraint or seclusion, and its follow-up.

One record, one rule set, whatever it hangs off: restraint is recorded with the incident it
happened in (``incidents.services.log.record_incident`` calls ``record_restrictive_intervention``),
seclusion with the Reset Area visit it happened during (the Reset Area calls it and links the
visit). The rules live in ``restrictive_intervention_problems``; the form shows the same messages
by calling it, so what the page refuses and what the service refuses never differ.

The follow-up (report to parents, debriefs, each member of staff's own statement) is the same for
both kinds.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import (
    BodyRegion,
    InterventionKind,
    Necessity,
    ParentReport,
    RestrictiveIntervention,
    StaffStatement,
    VocabularyKind,
    is_in_future,
)
from incidents.selectors import active_positive_handling_plan, recording_staff
from semh import audit
from semh.audit import AuditAction

# Times are typed to the minute, so a window edge is allowed that much leeway.
MINUTE = timedelta(minutes=1)
# An incident has a time ("when"), not an end. The form's "when" starts as the moment the form
# was opened, usually a little after things began, so force used up to an hour before it still
# belongs to the incident; force used more than two hours after it belongs to another incident.
INCIDENT_BEFORE = timedelta(hours=1)
INCIDENT_AFTER = timedelta(hours=2)

RESTRAINT, SECLUSION = InterventionKind.RESTRAINT, InterventionKind.SECLUSION

# What each rule says, for restraint and for seclusion (one wording where both are the same).
MESSAGES = {
    "staff_involved": (
        "Tick every member of staff who held the pupil.",
        "Tick every member of staff involved in the seclusion.",
    ),
    "staff_not_of_school": "Choose staff of this school.",
    "started_at": (
        "Give the time force started.",
        "Give the time the pupil was first prevented from leaving.",
    ),
    "ended_at": (
        "Give the time force ended.",
        "Give the time the pupil was free to leave again.",
    ),
    "end_after_start": "The end time must be after the start time.",
    "in_future": "That is in the future: check the time.",
    "location": ("Say where force was used.", "Say where the pupil was kept."),
    "holds": ("Tick the holds or techniques used.", None),
    "holds_not_of_school": "Choose holds or techniques from this school's list.",
    "other_hold": "Describe the other hold or technique used.",
    "what_happened_before": (
        "Describe what happened before force was used.",
        "Describe what happened before the pupil was prevented from leaving.",
    ),
    "deescalation_tried": (
        "Describe the de-escalation tried before force was used.",
        "Describe the de-escalation tried before the pupil was prevented from leaving.",
    ),
    "necessity": (
        "Tick at least one reason force was necessary.",
        "Tick at least one reason the seclusion was necessary.",
    ),
    "necessity_unknown": "Choose the reasons from the list.",
    "necessity_detail": ("Explain why force was necessary.", "Explain why it was necessary."),
    "pupil_injured": "Say whether the pupil was injured.",
    "staff_injured": "Say whether any member of staff was injured.",
    "injuries": "Describe the injuries.",
    "medical_attention": "Say what medical attention was given (or 'none needed').",
    "body_map": "Mark on the body map where the pupil was hurt.",
    "body_map_unknown": "Mark the body map's regions only.",
    "support_offered": "Say what support was offered afterwards, or is planned.",
}


def message(kind, rule) -> str:
    """The message of ``rule`` for a record of ``kind``."""
    text = MESSAGES[rule]
    if isinstance(text, tuple):
        return text[0] if kind == RESTRAINT else text[1]
    return text


def needs_description(hold) -> bool:
    """An entry of the holds list such as "Other (describe)" must be described in words."""
    return "(describe)" in hold.label.lower()


def incident_window(occurred_at):
    """When force used in an incident at ``occurred_at`` may start and end."""
    return occurred_at - INCIDENT_BEFORE, occurred_at + INCIDENT_AFTER


def _window_message(kind, window_start, window_end) -> str:
    start, end = timezone.localtime(window_start), timezone.localtime(window_end)
    if kind == RESTRAINT:
        occurred = start + INCIDENT_BEFORE
        return (
            f"That is not during the incident (logged at {occurred:%H:%M} on "
            f"{occurred:%d/%m/%Y}): check the times, or the incident's time."
        )
    return (
        f"That is not during the Reset Area visit ({start:%H:%M}–{end:%H:%M} on "
        f"{start:%d/%m/%Y}): check the times."
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def restrictive_intervention_problems(
    *,
    kind,
    school,
    window_start,
    window_end,
    started_at=None,
    ended_at=None,
    location="",
    staff_involved=(),
    holds=(),
    other_hold="",
    what_happened_before="",
    deescalation_tried="",
    necessity=(),
    necessity_detail="",
    pupil_injured=None,
    staff_injured=None,
    injuries="",
    body_map=(),
    medical_attention="",
    support_offered="",
    now=None,
    recorder=None,
) -> dict[str, str]:
    """Every statutory rule of the record, for either kind: ``{field: message}``, empty when the
    record may be saved. Field names are ``record_restrictive_intervention``'s arguments. The
    times must fall in ``window_start``–``window_end`` (not checked when the window is ``None``,
    which only a form still waiting for the incident's time passes) and not in the future."""
    now = now or timezone.now()
    problems = {}

    def problem(field, rule=None):
        problems.setdefault(field, message(kind, rule or field))

    staff = list(staff_involved or [])
    if not staff:
        problem("staff_involved")
    # The person recording may name themselves, the school's staff or not (outreach staff).
    elif recording_staff(school, first=recorder).filter(
        pk__in=[u.pk for u in staff]
    ).count() != len({u.pk for u in staff}):
        problem("staff_involved", "staff_not_of_school")

    for field in ("started_at", "ended_at"):
        moment = started_at if field == "started_at" else ended_at
        if moment is None:
            problem(field)
        elif is_in_future(moment, now):
            problem(field, "in_future")
        elif window_start is not None and not (
            window_start - MINUTE <= moment <= window_end + MINUTE
        ):
            problems.setdefault(field, _window_message(kind, window_start, window_end))
    if started_at and ended_at and ended_at <= started_at:
        problem("ended_at", "end_after_start")

    if _blank(location):
        problem("location")

    holds = list(holds or [])
    if kind == RESTRAINT and not holds:
        problem("holds")
    if any(h.school_id != school.pk or h.kind != VocabularyKind.HOLD for h in holds):
        problem("holds", "holds_not_of_school")
    if any(needs_description(h) for h in holds) and _blank(other_hold):
        problem("other_hold")

    for field, value in (
        ("what_happened_before", what_happened_before),
        ("deescalation_tried", deescalation_tried),
        ("necessity_detail", necessity_detail),
        ("support_offered", support_offered),
    ):
        if _blank(value):
            problem(field)
    necessity = list(necessity or [])
    if not necessity:
        problem("necessity")
    elif set(necessity) - set(Necessity.values):
        problem("necessity", "necessity_unknown")

    if pupil_injured is None:
        problem("pupil_injured")
    if staff_injured is None:
        problem("staff_injured")
    if pupil_injured or staff_injured:
        if _blank(injuries):
            problem("injuries")
        if _blank(medical_attention):
            problem("medical_attention")
    if pupil_injured and not body_map:
        problem("body_map")
    if set(body_map or []) - set(BodyRegion.values):
        problem("body_map", "body_map_unknown")
    return problems


@transaction.atomic
def record_restrictive_intervention(
    *,
    actor,
    school,
    kind,
    pupil,
    incident=None,
    window_start=None,
    window_end=None,
    client=None,
    started_at,
    ended_at,
    location,
    staff_involved,
    holds=(),
    other_hold="",
    what_happened_before,
    deescalation_tried,
    necessity,
    necessity_detail,
    pupil_injured,
    staff_injured,
    injuries="",
    body_map=(),
    medical_attention="",
    support_offered,
) -> RestrictiveIntervention:
    """Validate and save the statutory record of a restraint or a seclusion.

    Raises ``ValidationError`` with ``{field: message}`` (the argument names below) when any rule
    of ``restrictive_intervention_problems`` is broken; nothing is saved then.

    - Restraint: pass the ``incident`` it happened in (already saved, in this transaction); its
      window is ``incident_window(incident.occurred_at)`` unless given.
    - Seclusion (the Reset Area): pass ``kind=InterventionKind.SECLUSION``, no incident, and the
      visit's window as plain values: ``window_start=visit.arrived_at`` and
      ``window_end=visit.left_at`` (or the check-out time being recorded, or now while the pupil is
      still in). Pass ``location`` (the room's name when nothing else was typed), and link the
      returned record to the visit (``visit.restrictive_intervention``) in the same transaction,
      auditing the visit's change with its own action.

    Times are aware datetimes; ``staff_involved`` are users (the school's staff), ``holds`` the
    school's HOLD vocabulary entries, ``necessity`` ``Necessity`` codes, ``body_map``
    ``BodyRegion`` codes. The pupil's *active* positive handling plan (never a draft) is linked.
    """
    if incident is not None and window_start is None:
        window_start, window_end = incident_window(incident.occurred_at)
    if window_start is None or window_end is None:
        raise TypeError("record_restrictive_intervention needs an incident or a window")
    if pupil.school_id != school.pk:
        raise ValidationError({"pupil": "Choose a pupil of this school."})
    values = {
        "started_at": started_at,
        "ended_at": ended_at,
        "location": (location or "").strip(),
        "staff_involved": list(staff_involved or []),
        "holds": list(holds or []),
        "other_hold": (other_hold or "").strip(),
        "what_happened_before": (what_happened_before or "").strip(),
        "deescalation_tried": (deescalation_tried or "").strip(),
        "necessity": list(necessity or []),
        "necessity_detail": (necessity_detail or "").strip(),
        "pupil_injured": pupil_injured,
        "staff_injured": staff_injured,
        "injuries": (injuries or "").strip(),
        "body_map": list(body_map or []) if pupil_injured else [],
        "medical_attention": (medical_attention or "").strip(),
        "support_offered": (support_offered or "").strip(),
    }
    problems = restrictive_intervention_problems(
        kind=kind,
        school=school,
        window_start=window_start,
        window_end=window_end,
        recorder=actor,
        **values,
    )
    if problems:
        raise ValidationError(problems)
    staff, holds = values.pop("staff_involved"), values.pop("holds")
    record = RestrictiveIntervention.objects.create(
        pupil=pupil,
        kind=kind,
        incident=incident,
        positive_handling_plan=active_positive_handling_plan(pupil),
        recorded_by=actor,
        **values,
    )
    record.staff_involved.set(staff)
    record.holds.set(holds)
    audit.record(
        actor=actor,
        action=AuditAction.RESTRICTIVE_CREATE,
        school=school,
        target=record,
        client=client,
        kind=kind,
        pupil=str(pupil.pk),
        incident=str(incident.pk) if incident else "",
        minutes=record.minutes,
        staff=sorted(user.pk for user in staff),
    )
    return record


# The follow-up: the same whatever the record hangs off (incident or visit).


@transaction.atomic
def record_parent_report(
    *,
    actor,
    school,
    intervention,
    reported_at=None,
    method="",
    reported_by=None,
    what_was_said="",
    not_reported_reason="",
    local_authority_reported_at=None,
    local_authority_contact="",
    client=None,
) -> ParentReport:
    """The statutory report to parents, or the recorded reason it was not made (once): either
    when, how, by whom and what was said, or why a report would likely cause the pupil
    significant harm and when the local authority was told instead."""
    record = RestrictiveIntervention.objects.select_for_update().get(pk=intervention.pk)
    if ParentReport.objects.filter(intervention=record).exists():
        raise ValidationError("The report to parents is already recorded.")
    made = reported_at is not None
    if made and not (method and reported_by and what_was_said):
        raise ValidationError("A report needs when, how, who told them and what was said.")
    if not made and not (not_reported_reason and local_authority_reported_at):
        raise ValidationError("No report needs the reason and when the local authority was told.")
    report = ParentReport.objects.create(
        intervention=record,
        reported_at=reported_at if made else None,
        method=method if made else "",
        reported_by=reported_by if made else None,
        what_was_said=what_was_said if made else "",
        not_reported_reason="" if made else not_reported_reason,
        local_authority_reported_at=None if made else local_authority_reported_at,
        local_authority_contact="" if made else local_authority_contact,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.RESTRICTIVE_PARENT_REPORT,
        school=school,
        target=record,
        client=client,
        pupil=str(record.pupil_id),
        made=made,
    )
    return report


DEBRIEF_PARTS = {
    "pupil_debrief_at": ("pupil_debrief_at", "pupil_debrief_notes"),
    "staff_debrief_at": ("staff_debrief_at", "staff_debrief_notes"),
    "support_offered": ("support_offered",),
}


def recorded_debrief_parts(intervention) -> set[str]:
    """The debrief fields already recorded (each part is recorded once, never overwritten)."""
    return {
        name
        for marker, names in DEBRIEF_PARTS.items()
        if getattr(intervention, marker) not in (None, "")
        for name in names
    }


@transaction.atomic
def record_debrief(*, actor, school, intervention, client=None, **parts) -> RestrictiveIntervention:
    """Debriefs (pupil, staff) and support offered: ``parts`` are the fields of
    ``DEBRIEF_PARTS``; a part already recorded is kept as it was."""
    record = RestrictiveIntervention.objects.select_for_update().get(pk=intervention.pk)
    unknown = set(parts) - {n for names in DEBRIEF_PARTS.values() for n in names}
    if unknown:
        raise TypeError(f"Not debrief fields: {sorted(unknown)}")
    already = recorded_debrief_parts(record)
    recorded = sorted(
        name for name, value in parts.items() if value not in (None, "") and name not in already
    )
    if not recorded:
        raise ValidationError("Record a debrief or the support offered.")
    for name in recorded:
        setattr(record, name, parts[name])
    record.save(update_fields=recorded)
    audit.record(
        actor=actor,
        action=AuditAction.RESTRICTIVE_DEBRIEF,
        school=school,
        target=record,
        client=client,
        pupil=str(record.pupil_id),
        fields=recorded,
    )
    return record


@transaction.atomic
def save_statement(*, actor, school, intervention, text, client=None) -> StaffStatement:
    """A member of staff's own statement, written or changed by them (only staff involved)."""
    if not intervention.staff_involved.filter(pk=actor.pk).exists():
        raise PermissionDenied("Only the staff involved write statements.")
    statement, created = StaffStatement.objects.select_for_update().get_or_create(
        intervention=intervention, author=actor, defaults={"text": text}
    )
    if not created:
        statement.text = text
        statement.save(update_fields=["text", "updated_at"])
    audit.record(
        actor=actor,
        action=(
            AuditAction.RESTRICTIVE_STATEMENT_CREATE
            if created
            else AuditAction.RESTRICTIVE_STATEMENT_UPDATE
        ),
        school=school,
        target=intervention,
        client=client,
        pupil=str(intervention.pupil_id),
        statement=statement.pk,
    )
    return statement
