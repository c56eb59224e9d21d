"""Writes of a Reset Area visit: check-in, check-out (or the correction of a visit left open),
the seclusion record, and the link to the incident the pupil came in after.

A seclusion (the pupil was not free to leave) is the statutory restrictive-intervention record of
the incidents app, written by its one service (``record_restrictive_intervention``, kind
seclusion) inside the visit's own transaction and linked to the visit.

Minutes out of learning and the length of stay are worked out here from the times and the school
day when a visit closes, never typed.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.models import InterventionKind, RestrictiveIntervention
from incidents.services.restrictive import record_restrictive_intervention
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


def _record_seclusion_of(*, actor, school, visit, until, seclusion, client):
    """The seclusion's statutory record, through the incidents app's one service: kind
    seclusion, no incident, its times within the visit (arrival to ``until``), in the room
    unless another place is given. Part of ``check_out`` / ``record_seclusion``, inside their
    transaction (a refused record leaves the visit as it was)."""
    if seclusion is None:
        raise TypeError("A pupil not free to leave needs the seclusion record.")
    values = {**seclusion, "location": (seclusion.get("location") or "").strip()}
    values["location"] = values["location"] or visit.room.name
    return record_restrictive_intervention(
        actor=actor,
        school=school,
        kind=InterventionKind.SECLUSION,
        pupil=visit.pupil,
        window_start=visit.arrived_at,
        window_end=until,
        client=client,
        **values,
    )


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
    Not free to leave = seclusion: ``seclusion`` holds ``record_restrictive_intervention``'s
    record values (``started_at`` … ``support_offered``; ``location`` defaults to the room), its
    window the visit, arrival to ``left_at``; the record is linked to the visit.
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
            visit.restrictive_intervention = _record_seclusion_of(
                actor=actor,
                school=school,
                visit=visit,
                until=left_at,
                seclusion=seclusion,
                client=client,
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


def record_seclusion(
    *, actor, school, visit, seclusion, client=None, at=None
) -> RestrictiveIntervention:
    """Record afterwards that a pupil was prevented from leaving during a visit: ``seclusion``
    as for ``check_out``, its window the visit, arrival to departure (to ``at``, now, while the
    pupil is still in)."""
    moment = at or timezone.now()
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("room", "pupil").get(pk=visit.pk)
        if visit.restrictive_intervention_id:
            raise CheckOutRefused("This visit already has a seclusion record.")
        record = _record_seclusion_of(
            actor=actor,
            school=school,
            visit=visit,
            until=visit.left_at or moment,
            seclusion=seclusion,
            client=client,
        )
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
