"""Writes of the weekly timetable: pupils planned into a room for one period over a date range."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from semh import audit
from semh.audit import AuditAction
from semh.calendar import term_containing

from ..models import PlannedPlacement, Room

# A placement planned outside every term runs this long unless the SENCo says otherwise.
PLACEMENT_WEEKS_OUTSIDE_TERM = 6


def default_end(school, day):
    """When a placement starting on ``day`` ends unless the SENCo says otherwise: the end of the
    term, else six weeks on. (Not a reporting range: that is ``semh.calendar.default_range``.)"""
    term = term_containing(school, day)
    return term.ends_on if term else day + timedelta(weeks=PLACEMENT_WEEKS_OUTSIDE_TERM)


def cell_count(*, room, period, first_day, last_day, exclude_pupil=None) -> int:
    """Most pupils planned into one room/period on any one date of a range (capacity check)."""
    qs = PlannedPlacement.objects.filter(room=room, period=period).overlapping(first_day, last_day)
    if exclude_pupil is not None:
        qs = qs.exclude(pupil=exclude_pupil)
    return qs.count()


@transaction.atomic
def add_placement(
    *, actor, school, room, pupil, period, starts_on, ends_on, purpose, client=None, at=None
) -> PlannedPlacement:
    """Plan a pupil into a room for one period of the week. The room row is locked for the
    count-and-insert, so two plans cannot fill the last place twice. ``at``: when it was planned
    (now, unless the demo backdates it)."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    taken = cell_count(room=room, period=period, first_day=starts_on, last_day=ends_on)
    if taken >= room.capacity:
        raise ValidationError(
            f"{period} is full in {room.name} ({taken} of {room.capacity} planned) for some of "
            "those dates."
        )
    clash = (
        PlannedPlacement.objects.filter(pupil=pupil, period=period)
        .overlapping(starts_on, ends_on)
        .select_related("room")
        .first()
    )
    if clash:
        raise ValidationError(f"{pupil} is already planned into {clash.room.name} then.")
    placement = PlannedPlacement.objects.create(
        room=room,
        pupil=pupil,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        purpose=purpose,
        created_by=actor,
        created_at=at or timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.RESET_PLACEMENT_ADD,
        school=school,
        target=placement,
        client=client,
        pupil=str(pupil.pk),
        room=str(room.pk),
    )
    return placement


@transaction.atomic
def remove_placement(*, actor, school, placement, on=None, client=None) -> PlannedPlacement:
    """Take a placement off the timetable from today; past sessions stay on the registers."""
    day = on or timezone.localdate()
    if placement.removed_on is not None and placement.removed_on <= day:
        return placement
    placement.removed_on = max(day, placement.starts_on)
    placement.removed_by = actor
    placement.save(update_fields=["removed_on", "removed_by"])
    audit.record(
        actor=actor,
        action=AuditAction.RESET_PLACEMENT_REMOVE,
        school=school,
        target=placement,
        client=client,
        pupil=str(placement.pupil_id),
    )
    return placement
