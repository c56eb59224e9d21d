"""Reads and writes of the Reset Area: school day, rooms, placements, visits, missing pupils.

Writes are plain functions with keyword-only arguments, one transaction each, the audit row
written inside it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from incidents.models import (
    Incident,
    InterventionKind,
    Necessity,
    RestrictiveIntervention,
)
from pupils.models import PlanKind, Pupil, SupportPlan
from semh import audit, school_day
from semh.access import Capability, Role
from semh.models import Period, Term, User

from .models import (
    MissingPupil,
    PlannedPlacement,
    Reason,
    Resolution,
    Room,
    RoomDuty,
    Visit,
    local_day_bounds,
)

# Missing-pupil checks look back this many days, so a day nobody opened the board is still
# checked the next morning (flags are kept until resolved, whatever their age).
MISSING_LOOKBACK_DAYS = 7
# A planned pupil arriving up to this long before their period counts for it.
EARLY_ARRIVAL = timedelta(minutes=15)


def _audit(request, by, school, action, target=None, **detail):
    if request is not None:
        return audit.record_view(request, action, target=target, **detail)
    return audit.record(actor=by, action=action, school=school, target=target, **detail)


def _local(moment) -> datetime:
    """A local (Europe/London) wall-clock datetime without tzinfo, for school-day arithmetic."""
    return timezone.localtime(moment).replace(tzinfo=None)


def aware(day, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


# --- The school day -------------------------------------------------------------------------


def school_periods(school):
    return Period.objects.filter(school=school).order_by("weekday", "starts_at")


@transaction.atomic
def ensure_typical_school_day(school, request=None) -> bool:
    """Give a school with no periods a typical day (P1–P5, break and lunch) on every weekday."""
    created = school_day.ensure_typical_school_day(school)
    if created and request is not None:
        _audit(request, request.user, school, "reset.school_day_typical")
    return created


def learning_minutes(arrived_at, left_at, periods) -> int:
    """Minutes of a stay that fell in learning periods of its weekday(s): breaks and lunch,
    before and after school, do not count. ``periods``: the school's periods."""
    if left_at is None or left_at <= arrived_at:
        return 0
    by_weekday = defaultdict(list)
    for period in periods:
        if period.is_learning:
            by_weekday[period.weekday].append(period)
    start, end = _local(arrived_at), _local(left_at)
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


@transaction.atomic
def save_school_day(*, school, weekday, formset, request) -> None:
    """Save one weekday's periods from the editor's formset. A period with pupils planned into
    it cannot be deleted (ProtectedError; the transaction rolls back)."""
    periods = formset.save(commit=False)
    for period in formset.deleted_objects:
        period.delete()
    for period in periods:
        period.school, period.weekday = school, weekday
        period.save()
    _audit(request, request.user, school, "reset.school_day_update", weekday=weekday)


def period_in_use(period) -> bool:
    return PlannedPlacement.objects.filter(period=period).exists()


@transaction.atomic
def copy_school_day(*, school, from_weekday, request) -> list[str]:
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
    _audit(request, request.user, school, "reset.school_day_copy", weekday=from_weekday)
    return kept


# --- Rooms ----------------------------------------------------------------------------------


@transaction.atomic
def save_room(*, form, request) -> Room:
    created = form.instance._state.adding
    form.instance.school = request.school
    room = form.save()
    _audit(
        request,
        request.user,
        request.school,
        "reset.room_create" if created else "reset.room_update",
        target=room,
        fields=sorted(form.changed_data),
    )
    return room


@transaction.atomic
def set_duty(*, room, day, staff, request) -> None:
    """Who is on duty in the room on ``day`` (replaces the list)."""
    wanted = {u.pk for u in staff}
    RoomDuty.objects.filter(room=room, day=day).exclude(staff_id__in=wanted).delete()
    have = set(RoomDuty.objects.filter(room=room, day=day).values_list("staff_id", flat=True))
    RoomDuty.objects.bulk_create(
        RoomDuty(room=room, day=day, staff_id=pk) for pk in sorted(wanted - have)
    )
    _audit(request, request.user, room.school, "reset.duty_set", target=room, staff=sorted(wanted))


def school_staff(school):
    """Active staff of the school, for referred-by, duty and seclusion pickers."""
    return (
        User.objects.filter(
            memberships__school=school,
            memberships__is_active=True,
            memberships__role__in=[r for r in Role if r != Role.ADMIN],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


# --- Planned placements ---------------------------------------------------------------------


def cell_count(*, room, period, first_day, last_day, exclude_pupil=None) -> int:
    """Most pupils planned into one room/period on any one date of a range (capacity check)."""
    qs = PlannedPlacement.objects.filter(room=room, period=period).overlapping(first_day, last_day)
    if exclude_pupil is not None:
        qs = qs.exclude(pupil=exclude_pupil)
    return qs.count()


@transaction.atomic
def add_placement(*, room, pupil, period, starts_on, ends_on, purpose, request) -> PlannedPlacement:
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
        created_by=request.user,
        created_at=timezone.now(),
    )
    _audit(
        request,
        request.user,
        room.school,
        "reset.placement_add",
        target=placement,
        pupil=str(pupil.pk),
        room=str(room.pk),
    )
    return placement


@transaction.atomic
def remove_placement(*, placement, request, on=None) -> PlannedPlacement:
    """Take a placement off the timetable from today; past sessions stay on the registers."""
    day = on or timezone.localdate()
    if placement.removed_on is not None and placement.removed_on <= day:
        return placement
    placement.removed_on = max(day, placement.starts_on)
    placement.removed_by = request.user
    placement.save(update_fields=["removed_on", "removed_by"])
    _audit(
        request,
        request.user,
        placement.room.school,
        "reset.placement_remove",
        target=placement,
        pupil=str(placement.pupil_id),
    )
    return placement


# --- Check-in and check-out -----------------------------------------------------------------


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


def placement_for(*, room, pupil, moment):
    """The pupil's planned placement in this room for the period running (or about to)."""
    local = _local(moment)
    soon = (datetime.combine(local.date(), local.time()) + EARLY_ARRIVAL).time()
    return (
        PlannedPlacement.objects.active_on(local.date())
        .filter(room=room, pupil=pupil, period__starts_at__lte=soon)
        .filter(period__ends_at__gt=local.time())
        .order_by("period__starts_at")
        .first()
    )


def check_in(
    *,
    room,
    pupil,
    reason,
    zone_on_arrival,
    by,
    referred_by=None,
    incident=None,
    placement=None,
    over_capacity_reason="",
    request=None,
    at=None,
) -> Visit:
    """Check a pupil in. The room row is locked for the count-and-insert (PostgreSQL), so two
    staff checking in at the same moment cannot silently exceed capacity: beyond capacity needs
    ``over_capacity_reason``. A pupil with an open visit anywhere cannot be checked in."""
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
            placement = placement_for(room=room, pupil=pupil, moment=at)
        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    school=room.school,
                    room=room,
                    pupil=pupil,
                    placement=placement,
                    period=Period.objects.filter(school=room.school).at(at),
                    arrived_at=at,
                    reason=reason,
                    referred_by=referred_by,
                    incident=incident if reason == Reason.INCIDENT else None,
                    zone_on_arrival=zone_on_arrival,
                    over_capacity_reason=over_capacity_reason if present >= room.capacity else "",
                    checked_in_by=by,
                )
        except IntegrityError:
            # Another room checked the same pupil in a moment ago (the partial unique index).
            existing = Visit.objects.open().filter(pupil=pupil).select_related("room", "pupil")
            raise CheckInRefused(
                open_visit_message(existing.first(), today) if existing else "Already checked in.",
                "already_in",
            ) from None
        _resolve_missing_on_arrival(visit=visit, by=by, at=at)
        _audit(
            request,
            by,
            room.school,
            "reset.check_in",
            target=visit,
            pupil=str(pupil.pk),
            room=str(room.pk),
            over_capacity=bool(visit.over_capacity_reason),
        )
    return visit


def _resolve_missing_on_arrival(*, visit, by, at):
    """A late arrival resolves today's missing flag for the period they arrived in."""
    local = _local(at)
    MissingPupil.objects.unresolved().filter(
        placement__pupil=visit.pupil,
        day=local.date(),
        placement__period__starts_at__lte=local.time(),
        placement__period__ends_at__gt=local.time(),
    ).update(resolution=Resolution.ARRIVED, resolved_at=at, resolved_by=by, visit=visit)


class CheckOutRefused(Exception):
    pass


def build_seclusion_record(
    *,
    visit,
    recorded_by,
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
    intervention record (kind "seclusion", no incident), with the same required fields. Its
    follow-up (parent report, debrief, statements) is the incident log's."""
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
        recorded_by=recorded_by,
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
    visit,
    left_at,
    zone_on_leaving,
    outcome,
    by,
    strategies=(),
    outcome_note="",
    notes="",
    free_to_leave=True,
    seclusion=None,
    request=None,
) -> Visit:
    """Close a visit. Minutes out of learning and the stay are worked out here from the times
    and the school day. A visit closed on a later day than it began is marked as corrected.
    Not free to leave = seclusion: ``seclusion`` holds the statutory record's fields."""
    moment = timezone.now()
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
                visit=visit, recorded_by=by, **(seclusion or {})
            )
        visit.free_to_leave = free_to_leave
        visit.left_at = left_at
        visit.zone_on_leaving = zone_on_leaving
        visit.outcome = outcome
        visit.outcome_note = outcome_note
        visit.notes = notes
        visit.checked_out_by = by
        visit.stay_minutes = max(0, round((left_at - visit.arrived_at).total_seconds() / 60))
        visit.minutes_out_of_learning = learning_minutes(
            visit.arrived_at, left_at, Period.objects.filter(school=visit.school_id)
        )
        corrected = timezone.localdate(visit.arrived_at) < timezone.localdate(moment)
        if corrected:
            visit.corrected_at, visit.corrected_by = moment, by
        visit.save()
        visit.strategies.set(strategies)
        _audit(
            request,
            by,
            visit.room.school,
            "reset.visit_correct" if corrected else "reset.check_out",
            target=visit,
            pupil=str(visit.pupil_id),
            seclusion=str(visit.restrictive_intervention_id or ""),
        )
    return visit


def record_seclusion(*, visit, by, seclusion, request=None) -> RestrictiveIntervention:
    """Record afterwards that a pupil was prevented from leaving during a visit."""
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("room", "pupil").get(pk=visit.pk)
        if visit.restrictive_intervention_id:
            raise CheckOutRefused("This visit already has a seclusion record.")
        record = build_seclusion_record(visit=visit, recorded_by=by, **seclusion)
        visit.restrictive_intervention, visit.free_to_leave = record, False
        visit.save(update_fields=["restrictive_intervention", "free_to_leave"])
        _audit(
            request,
            by,
            visit.room.school,
            "reset.seclusion_record",
            target=visit,
            pupil=str(visit.pupil_id),
            seclusion=str(record.pk),
        )
    return record


@transaction.atomic
def link_incident(*, visit, incident, request) -> Visit:
    """Link the incident a pupil came in after, once it has been logged."""
    visit.incident, visit.reason = incident, Reason.INCIDENT
    visit.save(update_fields=["incident", "reason"])
    _audit(
        request,
        request.user,
        visit.school,
        "reset.incident_link",
        target=visit,
        pupil=str(visit.pupil_id),
        incident=str(incident.pk),
    )
    return visit


# --- Missing pupils -------------------------------------------------------------------------


def _school_days(school, first, last):
    """Weekdays between two dates that fall in a term (every weekday when no terms are set)."""
    terms = list(Term.objects.filter(school=school).values_list("starts_on", "ends_on"))
    day, days = first, []
    while day <= last:
        in_term = not terms or any(s <= day <= e for s, e in terms)
        if day.weekday() < 5 and in_term:
            days.append(day)
        day += timedelta(days=1)
    return days


def _overlaps(arrived, left, day, period) -> bool:
    """Was a stay (local wall-clock times) in at some point of this period on that day?"""
    if arrived.date() != day:
        return False
    start, end = datetime.combine(day, period.starts_at), datetime.combine(day, period.ends_at)
    return arrived < end and (left or datetime.combine(day, time.max)) > start


def _attended(spans, day, period) -> bool:
    """Was the pupil in (any room) at some point of this period on that day?"""
    return any(_overlaps(arrived, left, day, period) for arrived, left in spans)


def flag_missing_pupils(*, school, at=None) -> int:
    """Flag planned sessions whose pupil had not arrived ``SEMH_RESET_MISSING_AFTER_MINUTES``
    after the period began. Flags are rows, kept until someone resolves them. Reads a bounded
    window (the last few days), a fixed number of queries. Returns how many were flagged."""
    at = at or timezone.now()
    local_now = _local(at)
    today = local_now.date()
    first = today - timedelta(days=MISSING_LOOKBACK_DAYS)
    after = timedelta(minutes=settings.SEMH_RESET_MISSING_AFTER_MINUTES)
    placements = list(
        PlannedPlacement.objects.filter(room__school=school, room__is_active=True)
        .overlapping(first, today)
        .select_related("period", "pupil")
    )
    if not placements:
        return 0
    days = _school_days(school, first, today)
    spans = defaultdict(list)
    for pupil_id, arrived, left in (
        Visit.objects.filter(school=school, pupil_id__in={p.pupil_id for p in placements})
        .between(first, today)
        .values_list("pupil_id", "arrived_at", "left_at")
    ):
        spans[pupil_id].append((_local(arrived), _local(left) if left else None))
    flagged = set(
        MissingPupil.objects.filter(placement__in=placements, day__gte=first).values_list(
            "placement_id", "day"
        )
    )
    new = []
    for p in placements:
        since = max(p.starts_on, timezone.localdate(p.created_at))
        for day in days:
            if not (since <= day <= p.ends_on) or day.weekday() != p.period.weekday:
                continue
            if p.removed_on is not None and p.removed_on <= day:
                continue
            if p.pupil.left_on is not None and p.pupil.left_on <= day:
                continue
            if datetime.combine(day, p.period.starts_at) + after > local_now:
                continue
            if (p.pk, day) in flagged or _attended(spans[p.pupil_id], day, p.period):
                continue
            new.append(MissingPupil(placement=p, day=day, detected_at=at))
    MissingPupil.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def resolve_missing(*, missing, resolution, by, note="", request=None) -> MissingPupil:
    """Resolve a missing flag: arrived (late), absent from school, or session cancelled."""
    if resolution not in Resolution.values:
        raise ValidationError("Choose how this was resolved.")
    with transaction.atomic():
        missing = (
            MissingPupil.objects.select_for_update()
            .select_related("placement__room__school", "placement__period")
            .get(pk=missing.pk)
        )
        if missing.resolved_at is not None:
            return missing
        at = timezone.now()
        visit = None
        if resolution == Resolution.ARRIVED:
            start = aware(missing.day, missing.placement.period.starts_at)
            _, end = local_day_bounds(missing.day)
            visit = (
                Visit.objects.filter(
                    pupil_id=missing.placement.pupil_id,
                    arrived_at__gte=start - EARLY_ARRIVAL,
                    arrived_at__lt=end,
                )
                .order_by("arrived_at")
                .first()
            )
        missing.resolution, missing.note, missing.visit = resolution, note.strip(), visit
        missing.resolved_at, missing.resolved_by = at, by
        missing.save()
        _audit(
            request,
            by,
            missing.placement.room.school,
            "reset.missing_resolve",
            target=missing,
            pupil=str(missing.placement.pupil_id),
            resolution=resolution,
        )
    return missing


# --- What pages show ------------------------------------------------------------------------


@dataclass
class Expected:
    placement: PlannedPlacement
    due_missing_at: datetime


@dataclass
class BoardState:
    room: Room
    at: datetime
    current_period: Period | None
    next_period: Period | None
    in_now: list
    expected: list
    coming_up: list
    missing: list
    needing_correction: list
    on_duty: list
    periods_today: list = field(default_factory=list)

    @property
    def taken(self):
        return len(self.in_now)

    @property
    def free_places(self):
        return max(0, self.room.capacity - self.taken)

    @property
    def over_by(self):
        return max(0, self.taken - self.room.capacity)

    @property
    def today(self):
        return timezone.localdate(self.at)


def board_state(*, room, at=None) -> BoardState:
    """Everything the live board shows, in a fixed number of queries however busy the room."""
    at = at or timezone.now()
    flag_missing_pupils(school=room.school, at=at)
    local = _local(at)
    today = local.date()
    periods_today = list(Period.objects.filter(school=room.school, weekday=today.weekday()))
    current = next((p for p in periods_today if p.starts_at <= local.time() < p.ends_at), None)
    upcoming = [p for p in periods_today if p.starts_at > local.time()]
    next_period = upcoming[0] if upcoming else None
    in_now = list(
        Visit.objects.filter(room=room)
        .in_now(today)
        .select_related("pupil", "referred_by", "incident", "placement")
        .order_by("arrived_at")
    )
    planned = list(
        PlannedPlacement.objects.active_on(today)
        .filter(room=room, period__in=[p for p in (current, next_period) if p])
        .select_related("pupil", "period")
    )
    spans = defaultdict(list)
    for pupil_id, arrived, left in (
        Visit.objects.filter(school=room.school, pupil_id__in={p.pupil_id for p in planned})
        .on_day(today)
        .values_list("pupil_id", "arrived_at", "left_at")
    ):
        spans[pupil_id].append((_local(arrived), _local(left) if left else None))
    missing = list(
        MissingPupil.objects.unresolved()
        .filter(placement__room=room)
        .select_related("placement__pupil", "placement__period")
        .order_by("day", "placement__period__starts_at")[:100]
    )
    missing_keys = {(m.placement_id, m.day) for m in missing}
    after = timedelta(minutes=settings.SEMH_RESET_MISSING_AFTER_MINUTES)
    expected, coming_up = [], []
    for p in planned:
        if (p.pk, today) in missing_keys or _attended(spans[p.pupil_id], today, p.period):
            continue
        due = aware(today, p.period.starts_at) + after
        (expected if p.period == current else coming_up).append(Expected(p, due))
    return BoardState(
        room=room,
        at=at,
        current_period=current,
        next_period=next_period,
        in_now=in_now,
        expected=expected,
        coming_up=coming_up,
        missing=missing,
        needing_correction=list(
            Visit.objects.filter(room=room).needing_correction(today).select_related("pupil")
        ),
        on_duty=[
            d.staff for d in RoomDuty.objects.filter(room=room, day=today).select_related("staff")
        ],
        periods_today=periods_today,
    )


def search_pupils(*, school, q, limit=10):
    """On-roll pupils of the school matching every word of ``q`` in their names.

    Anyone who records visits may find any pupil of the school, so only name, year and form are
    shown; ``open_room`` names the room a pupil is in now, if any."""
    words = [w for w in (q or "").split() if w][:3]
    if not words or len("".join(words)) < 2:
        return []
    pupils = Pupil.objects.filter(school=school).on_roll().matching_name(" ".join(words))
    open_room = Visit.objects.open().filter(pupil=OuterRef("pk")).values("room__name")[:1]
    return list(
        pupils.annotate(open_room=Subquery(open_room)).only(
            "id",
            "legal_first_name",
            "legal_last_name",
            "preferred_first_name",
            "preferred_last_name",
            "year_group",
            "form",
        )[:limit]
    )


def linkable_incidents(*, access, pupil, at=None, days=7):
    """Recent incidents involving the pupil that the viewer can see: any, if they may open the
    pupil; otherwise those they reported or were involved in (the incident log's own rule)."""
    at = at or timezone.now()
    incidents = Incident.objects.filter(
        involvements__pupil=pupil, occurred_at__gte=at - timedelta(days=days)
    )
    if not Pupil.objects.visible_to(access).filter(pk=pupil.pk).exists():
        involved = Incident.staff_involved.through.objects.filter(user=access.user)
        incidents = incidents.filter(
            Q(reported_by=access.user) | Q(pk__in=involved.values("incident"))
        )
    return incidents.select_related("category").order_by("-occurred_at").distinct()


def home_reset_area(access, at=None):
    """The Reset Area block of a school's home page: missing pupils (a safety feature, shown
    until resolved) and visits left open, for those who run or oversee the Reset Area."""
    if not (access.can(Capability.RECORD) or access.can(Capability.DASHBOARDS)):
        return None
    school = access.school
    at = at or timezone.now()
    rooms = list(Room.objects.filter(school=school).active())
    if not rooms:
        return {"rooms": [], "missing": [], "needing_correction": [], "missing_count": 0}
    flag_missing_pupils(school=school, at=at)
    missing = MissingPupil.objects.unresolved().filter(placement__room__school=school)
    shown = list(
        missing.select_related("placement__pupil", "placement__period", "placement__room").order_by(
            "-day", "placement__period__starts_at"
        )[:20]
    )
    return {
        "rooms": rooms,
        "missing": shown,
        "missing_count": len(shown) if len(shown) < 20 else missing.count(),
        "needing_correction": list(
            Visit.objects.filter(school=school)
            .needing_correction(timezone.localdate(at))
            .select_related("pupil", "room")[:20]
        ),
    }


def day_register(*, room, day) -> dict:
    """A room's register for one day: each planned session against attendance (in any room),
    its missing flag and resolution; and every visit to the room that day."""
    visits = list(
        Visit.objects.filter(room=room)
        .on_day(day)
        .select_related("pupil", "period", "referred_by", "restrictive_intervention")
        .order_by("arrived_at")
    )
    planned = list(
        PlannedPlacement.objects.active_on(day)
        .filter(room=room)
        .select_related("pupil", "period")
        .order_by("period__starts_at", "pupil__legal_last_name")
    )
    missing = {
        m.placement_id: m
        for m in MissingPupil.objects.filter(placement__in=planned, day=day).select_related(
            "resolved_by"
        )
    }
    by_pupil = defaultdict(list)
    for visit in (
        Visit.objects.filter(pupil__in=[p.pupil_id for p in planned])
        .on_day(day)
        .select_related("room")
    ):
        by_pupil[visit.pupil_id].append(visit)
    rows = []
    for p in planned:
        attended = [
            v
            for v in by_pupil[p.pupil_id]
            if _overlaps(
                _local(v.arrived_at), _local(v.left_at) if v.left_at else None, day, p.period
            )
        ]
        rows.append({"placement": p, "visits": attended, "missing": missing.get(p.pk)})
    return {
        "visits": visits,
        "rows": rows,
        "attended": sum(1 for r in rows if r["visits"]),
        "minutes": sum(v.minutes_out_of_learning or 0 for v in visits),
    }


def pupil_reset_summary(pupil, at=None):
    """The Reset Area part of the pupil page: recent visits and current/future placements."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    visits = (
        Visit.objects.filter(pupil=pupil)
        .select_related("room", "period", "restrictive_intervention")
        .order_by("-arrived_at")
    )
    return {
        "recent_visits": list(visits[:10]),
        "visit_count": visits.count(),
        "open_visit": Visit.objects.open().filter(pupil=pupil).select_related("room").first(),
        "placements": list(
            PlannedPlacement.objects.filter(pupil=pupil, ends_on__gte=today)
            .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=today))
            .select_related("room", "period")
        ),
    }
