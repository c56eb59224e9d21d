"""Writes of the Reset Area's set-up: rooms, who is on duty, and the school day they run by."""

from django.db import transaction

from semh import audit, school_day
from semh.audit import AuditAction
from semh.models import Period
from semh.submissions import unique_or_invalid

from ..models import PlannedPlacement, Room, RoomDuty

ROOM_FIELDS = ("name", "capacity", "is_active")
# Checked by the room form; met here when the same name was saved a moment before.
NAME_TAKEN = "There is already a room with this name."
PERIOD_STARTS_TAKEN = (
    "Another period of this day already starts at that time (perhaps it was saved a moment "
    "ago): check the day below and try again."
)


@transaction.atomic
def create_room(*, actor, school, name, capacity, is_active=True, client=None) -> Room:
    with unique_or_invalid(NAME_TAKEN, field="name"):
        room = Room.objects.create(school=school, name=name, capacity=capacity, is_active=is_active)
    audit.record(
        actor=actor,
        action=AuditAction.RESET_ROOM_CREATE,
        school=school,
        target=room,
        client=client,
        fields=sorted(ROOM_FIELDS),
    )
    return room


@transaction.atomic
def update_room(*, actor, school, room, name, capacity, is_active, client=None) -> Room:
    room = Room.objects.select_for_update().get(pk=room.pk)
    wanted = {"name": name, "capacity": capacity, "is_active": is_active}
    changed = sorted(f for f, value in wanted.items() if getattr(room, f) != value)
    for field, value in wanted.items():
        setattr(room, field, value)
    with unique_or_invalid(NAME_TAKEN, field="name"):
        room.save(update_fields=list(ROOM_FIELDS))
    audit.record(
        actor=actor,
        action=AuditAction.RESET_ROOM_UPDATE,
        school=school,
        target=room,
        client=client,
        fields=changed,
    )
    return room


@transaction.atomic
def set_duty(*, actor, school, room, day, staff, client=None) -> None:
    """Who is on duty in the room on ``day`` (replaces the list)."""
    wanted = {u.pk for u in staff}
    RoomDuty.objects.filter(room=room, day=day).exclude(staff_id__in=wanted).delete()
    have = set(RoomDuty.objects.filter(room=room, day=day).values_list("staff_id", flat=True))
    RoomDuty.objects.bulk_create(
        (RoomDuty(room=room, day=day, staff_id=pk) for pk in sorted(wanted - have)),
        ignore_conflicts=True,  # the same list saved at the same moment: each row once
    )
    audit.record(
        actor=actor,
        action=AuditAction.RESET_DUTY_SET,
        school=school,
        target=room,
        client=client,
        staff=sorted(wanted),
    )


# --- The school day -------------------------------------------------------------------------


@transaction.atomic
def set_up_typical_school_day(*, actor, school, client=None) -> bool:
    """Give a school with no periods the typical day (``semh.school_day``) on every weekday.
    False, and nothing written, when it already has periods."""
    created = school_day.ensure_typical_school_day(school)
    if created:
        audit.record(
            actor=actor, action=AuditAction.RESET_SCHOOL_DAY_TYPICAL, school=school, client=client
        )
    return created


@transaction.atomic
def save_school_day(*, actor, school, weekday, periods, removed=(), client=None) -> None:
    """Save one weekday's periods: ``periods`` are the new or changed ``Period`` rows (unsaved),
    ``removed`` those to delete. A period with pupils planned into it cannot be deleted
    (ProtectedError; the transaction rolls back)."""
    for period in removed:
        period.delete()
    for period in periods:
        period.school, period.weekday = school, weekday
        with unique_or_invalid(PERIOD_STARTS_TAKEN):
            period.save()
    audit.record(
        actor=actor,
        action=AuditAction.RESET_SCHOOL_DAY_UPDATE,
        school=school,
        client=client,
        weekday=weekday,
    )


def period_in_use(period) -> bool:
    return PlannedPlacement.objects.filter(period=period).exists()


@transaction.atomic
def copy_school_day(*, actor, school, from_weekday, client=None) -> list[str]:
    """Make every other weekday's periods match one day's, matching periods by start time.

    Periods with placements in them are kept (and named in the answer) rather than removed.
    """
    source = list(Period.objects.filter(school=school, weekday=from_weekday))
    kept = []
    for weekday in range(5):
        if weekday == from_weekday:
            continue
        existing = {p.starts_at: p for p in Period.objects.filter(school=school, weekday=weekday)}
        wanted = {p.starts_at for p in source}
        for starts_at, period in existing.items():
            if starts_at not in wanted:
                if period_in_use(period):
                    kept.append(str(period))
                else:
                    period.delete()
        for p in source:
            Period.objects.update_or_create(
                school=school,
                weekday=weekday,
                starts_at=p.starts_at,
                defaults={"name": p.name, "ends_at": p.ends_at, "is_learning": p.is_learning},
            )
    audit.record(
        actor=actor,
        action=AuditAction.RESET_SCHOOL_DAY_COPY,
        school=school,
        client=client,
        weekday=from_weekday,
    )
    return kept
