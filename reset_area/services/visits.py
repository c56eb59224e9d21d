"""Writes of a Reset Area visit: check-in, check-out (or the correction of a visit left open),
the seclusion record, and the link to the incident the pupil came in after.

Minutes out of learning and the length of stay are worked out here from the times and the school
day when a visit closes, never typed.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.models import InterventionKind, Necessity, RestrictiveIntervention
from pupils.models import PlanKind, SupportPlan
from semh import audit
from semh.audit import AuditAction
from semh.models import Period

from ..models import PlannedPlacement, Reason, Room, Visit, wall_clock
from .missing import resolve_on_arrival


def learning_minutes(arrived_at, left_at, periods) -> int:
    """Minutes of a stay that fell in learning periods of its weekday(s): breaks and lunch,
    before and after school, do not count. ``periods``: the school's periods."""
    if left_at is None or left_at <= arrived_at:
        return 0
    by_weekday = defaultdict(list)
    for period in periods:
        if period.is_learning:
            by_weekday[period.weekday].append(period)
    start, end = wall_clock(arrived_at), wall_clock(left_at)
    seconds = 0.0
    day = start.date()
    while day <= end.date():
        for period in by_weekday.get(day.weekday(), ()):
            overlap = min(end, datetime.combine(day, period.ends_at)) - max(
                start, datetime.combine(day, period.starts_at)
            )
            seconds += max(0.0, overlap.total_seconds())
        day += timedelta(days=1)
    return round(seconds / 60)


# --- Check-in -------------------------------------------------------------------------------


class CheckInRefused(Exception):
    """The check-in cannot go ahead as asked; ``code`` says why ("full" or "already_in")."""

    def __init__(self, message, code, visit=None):
        super().__init__(message)
        self.message, self.code, self.visit = message, code, visit


def open_visit_message(visit, today) -> str:
    local = timezone.localtime(visit.arrived_at)
    if local.date() < today:
        return (
            f"{visit.pupil} has a visit to {visit.room.name} left open since "
            f"{local:%d/%m/%Y %H:%M}: correct it (the time they left) first."
        )
    return f"{visit.pupil} is already checked in to {visit.room.name} (since {local:%H:%M})."


def check_in(
    *,
    actor,
    school,
    room,
    pupil,
    reason,
    zone_on_arrival,
    referred_by=None,
    incident=None,
    placement=None,
    over_capacity_reason="",
    client=None,
    at=None,
) -> Visit:
    """Check a pupil in. The room row is locked for the count-and-insert (PostgreSQL), so two
    staff checking in at the same moment cannot silently exceed capacity: beyond capacity needs
    ``over_capacity_reason``. A pupil with an open visit anywhere cannot be checked in.
    ``at``: when they arrived (now, unless the demo backdates it)."""
    if room.school_id != school.pk:
        raise ValueError("The room belongs to another school.")
    at = at or timezone.now()
    today = timezone.localdate(at)
    over_capacity_reason = (over_capacity_reason or "").strip()
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        present = Visit.objects.filter(room=room).in_now(today).count()
        if present >= room.capacity and not over_capacity_reason:
            raise CheckInRefused(
                f"{room.name} is full ({present} of {room.capacity}). To check in anyway, tick "
                "the override and give a reason.",
                "full",
            )
        existing = Visit.objects.open().filter(pupil=pupil).select_related("room", "pupil").first()
        if existing:
            raise CheckInRefused(open_visit_message(existing, today), "already_in", existing)
        if placement is None and reason == Reason.PLANNED:
            placement = PlannedPlacement.objects.for_arrival(room=room, pupil=pupil, moment=at)
        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    school=school,
                    room=room,
                    pupil=pupil,
                    placement=placement,
                    period=Period.objects.filter(school=school).at(at),
                    arrived_at=at,
                    reason=reason,
                    referred_by=referred_by,
                    incident=incident if reason == Reason.INCIDENT else None,
                    zone_on_arrival=zone_on_arrival,
                    over_capacity_reason=over_capacity_reason if present >= room.capacity else "",
                    checked_in_by=actor,
                )
        except IntegrityError:
            # Another room checked the same pupil in a moment ago (the partial unique index).
            existing = Visit.objects.open().filter(pupil=pupil).select_related("room", "pupil")
            raise CheckInRefused(
                open_visit_message(existing.first(), today) if existing else "Already checked in.",
                "already_in",
            ) from None
        resolve_on_arrival(actor=actor, visit=visit, at=at)
        audit.record(
            actor=actor,
            action=AuditAction.RESET_CHECK_IN,
            school=school,
            target=visit,
            client=client,
            pupil=str(pupil.pk),
            room=str(room.pk),
            over_capacity=bool(visit.over_capacity_reason),
        )
    return visit


# --- Check-out and seclusion ----------------------------------------------------------------


class CheckOutRefused(Exception):
    pass


def build_seclusion_record(
    *,
    actor,
    visit,
    started_at,
    ended_at,
    staff_involved,
    what_happened_before,
    deescalation_tried,
    necessity,
    necessity_detail,
    pupil_injured,
    staff_injured,
    injuries="",
    medical_attention="",
    location="",
) -> RestrictiveIntervention:
    """The statutory record of a seclusion in the Reset Area: the incident log's restrictive-
    intervention record (kind "seclusion", no incident), with the same required fields, recorded
    by ``actor``. Its follow-up (parent report, debrief, statements) is the incident log's.
    Part of ``check_out`` / ``record_seclusion``, inside their transaction."""
    errors = {}
    staff = list(staff_involved or [])
    necessity = list(necessity or [])
    if started_at is None:
        errors["started_at"] = "When did the pupil start being prevented from leaving?"
    if ended_at is None:
        errors["ended_at"] = "When were they free to leave again?"
    if started_at and ended_at and ended_at <= started_at:
        errors["ended_at"] = "The end must be after the start."
    if started_at and started_at < visit.arrived_at - timedelta(minutes=1):
        errors["started_at"] = "The seclusion cannot start before the pupil arrived."
    if not staff:
        errors["staff_involved"] = "Name the staff involved."
    if not necessity or set(necessity) - set(Necessity.values):
        errors["necessity"] = "Say why it was necessary (at least one reason)."
    if pupil_injured is None:
        errors["pupil_injured"] = "Say whether the pupil was injured."
    if staff_injured is None:
        errors["staff_injured"] = "Say whether staff were injured."
    if (pupil_injured or staff_injured) and not (injuries or "").strip():
        errors["injuries"] = "Describe the injuries."
    record = RestrictiveIntervention(
        pupil=visit.pupil,
        kind=InterventionKind.SECLUSION,
        incident=None,
        started_at=started_at,
        ended_at=ended_at,
        location=(location or "").strip() or visit.room.name,
        what_happened_before=(what_happened_before or "").strip(),
        deescalation_tried=(deescalation_tried or "").strip(),
        necessity=necessity,
        necessity_detail=(necessity_detail or "").strip(),
        pupil_injured=bool(pupil_injured),
        staff_injured=bool(staff_injured),
        injuries=(injuries or "").strip(),
        medical_attention=(medical_attention or "").strip(),
        positive_handling_plan=SupportPlan.objects.filter(
            pupil=visit.pupil, kind=PlanKind.POSITIVE_HANDLING
        )
        .current()
        .first(),
        recorded_by=actor,
    )
    try:
        record.full_clean(exclude=[*errors, "incident", "positive_handling_plan", "pupil"])
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    record.save()
    record.staff_involved.set(staff)
    return record


def check_out(
    *,
    actor,
    school,
    visit,
    left_at,
    zone_on_leaving,
    outcome,
    strategies=(),
    outcome_note="",
    notes="",
    free_to_leave=True,
    seclusion=None,
    client=None,
    at=None,
) -> Visit:
    """Close a visit. Minutes out of learning and the stay are worked out here from the times
    and the school day. A visit closed on a later day than it began is marked as corrected.
    Not free to leave = seclusion: ``seclusion`` holds the statutory record's fields.
    ``at``: when the check-out is recorded (now, unless the demo backdates it)."""
    moment = at or timezone.now()
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("room", "pupil").get(pk=visit.pk)
        if visit.left_at is not None:
            raise CheckOutRefused(f"{visit.pupil} was already checked out.")
        if left_at < visit.arrived_at:
            raise ValidationError({"left_time": "They cannot leave before they arrived."})
        if left_at > moment + timedelta(minutes=1):
            raise ValidationError({"left_time": "That time has not happened yet."})
        if not free_to_leave:
            visit.restrictive_intervention = build_seclusion_record(
                actor=actor, visit=visit, **(seclusion or {})
            )
        visit.free_to_leave = free_to_leave
        visit.left_at = left_at
        visit.zone_on_leaving = zone_on_leaving
        visit.outcome = outcome
        visit.outcome_note = outcome_note
        visit.notes = notes
        visit.checked_out_by = actor
        visit.stay_minutes = max(0, round((left_at - visit.arrived_at).total_seconds() / 60))
        visit.minutes_out_of_learning = learning_minutes(
            visit.arrived_at, left_at, Period.objects.filter(school=visit.school_id)
        )
        corrected = timezone.localdate(visit.arrived_at) < timezone.localdate(moment)
        if corrected:
            visit.corrected_at, visit.corrected_by = moment, actor
        visit.save()
        visit.strategies.set(strategies)
        audit.record(
            actor=actor,
            action=AuditAction.RESET_VISIT_CORRECT if corrected else AuditAction.RESET_CHECK_OUT,
            school=school,
            target=visit,
            client=client,
            pupil=str(visit.pupil_id),
            seclusion=str(visit.restrictive_intervention_id or ""),
        )
    return visit


def record_seclusion(*, actor, school, visit, seclusion, client=None) -> RestrictiveIntervention:
    """Record afterwards that a pupil was prevented from leaving during a visit."""
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("room", "pupil").get(pk=visit.pk)
        if visit.restrictive_intervention_id:
            raise CheckOutRefused("This visit already has a seclusion record.")
        record = build_seclusion_record(actor=actor, visit=visit, **seclusion)
        visit.restrictive_intervention, visit.free_to_leave = record, False
        visit.save(update_fields=["restrictive_intervention", "free_to_leave"])
        audit.record(
            actor=actor,
            action=AuditAction.RESET_SECLUSION_RECORD,
            school=school,
            target=visit,
            client=client,
            pupil=str(visit.pupil_id),
            seclusion=str(record.pk),
        )
    return record


# --- The incident a pupil came in after -----------------------------------------------------


@transaction.atomic
def link_incident(*, actor, school, visit, incident, client=None) -> Visit:
    """Link the incident a pupil came in after, once it has been logged."""
    visit.incident, visit.reason = incident, Reason.INCIDENT
    visit.save(update_fields=["incident", "reason"])
    audit.record(
        actor=actor,
        action=AuditAction.RESET_INCIDENT_LINK,
        school=school,
        target=visit,
        client=client,
        pupil=str(visit.pupil_id),
        incident=str(incident.pk),
    )
    return visit
