"""Missing pupils: planned sessions whose pupil had not arrived a few minutes into the period.

A flag is a row, created when first noticed and kept until someone resolves it (arrived late,
absent from school, session cancelled): it never disappears by itself.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from semh import audit
from semh.audit import AuditAction
from semh.calendar import school_days

from ..models import (
    EARLY_ARRIVAL,
    MissingPupil,
    PlannedPlacement,
    Resolution,
    Visit,
    attended_period,
    aware,
    local_day_bounds,
    wall_clock,
)

# Missing-pupil checks look back this many days, so a day nobody opened the board is still
# checked the next morning (flags are kept until resolved, whatever their age).
MISSING_LOOKBACK_DAYS = 7


@transaction.atomic
def flag_missing_pupils(*, school, at=None) -> int:
    """Flag planned sessions whose pupil had not arrived ``SEMH_RESET_MISSING_AFTER_MINUTES``
    after the period began. Flags are rows, kept until someone resolves them. Reads a bounded
    window (the last few days), a fixed number of queries. Returns how many were flagged. Run
    every minute for each school by the beat task (``reset_area.tasks``), never by a page.

    A detection, not anyone's action: idempotent, with no actor and no audit row (the flag keeps
    ``detected_at``; its resolution is audited)."""
    at = at or timezone.now()
    local_now = wall_clock(at)
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
    days = school_days(school, first, today)
    spans = defaultdict(list)
    for pupil_id, arrived, left in (
        Visit.objects.filter(school=school, pupil_id__in={p.pupil_id for p in placements})
        .between(first, today)
        .values_list("pupil_id", "arrived_at", "left_at")
    ):
        spans[pupil_id].append((wall_clock(arrived), wall_clock(left) if left else None))
    flagged = set(
        MissingPupil.objects.filter(placement__in=placements, day__gte=first).values_list(
            "placement_id", "day"
        )
    )
    new = []
    for p in placements:
        for day in days:
            if not p.expects_pupil_on(day):
                continue
            if datetime.combine(day, p.period.starts_at) + after > local_now:
                continue
            if (p.pk, day) in flagged or attended_period(spans[p.pupil_id], day, p.period):
                continue
            new.append(MissingPupil(placement=p, day=day, detected_at=at))
    MissingPupil.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def resolve_missing(
    *, actor, school, missing, resolution, note="", client=None, at=None
) -> MissingPupil:
    """Resolve a missing flag: arrived (late), absent from school, or session cancelled.
    ``at``: when it was resolved (now, unless the demo backdates it)."""
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
        missing.resolved_at, missing.resolved_by = at or timezone.now(), actor
        missing.save()
        audit.record(
            actor=actor,
            action=AuditAction.RESET_MISSING_RESOLVE,
            school=school,
            target=missing,
            client=client,
            pupil=str(missing.placement.pupil_id),
            resolution=resolution,
        )
    return missing


def resolve_on_arrival(*, actor, visit, at) -> int:
    """A late arrival resolves today's missing flag for the period they arrived in (part of the
    check-in, inside its transaction and under its audit row)."""
    local = wall_clock(at)
    return (
        MissingPupil.objects.unresolved()
        .filter(
            placement__pupil=visit.pupil,
            day=local.date(),
            placement__period__starts_at__lte=local.time(),
            placement__period__ends_at__gt=local.time(),
        )
        .update(resolution=Resolution.ARRIVED, resolved_at=at, resolved_by=actor, visit=visit)
    )
