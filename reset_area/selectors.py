"""Reads of the Reset Area: each object named in a URL (``access_*``: 404 for a bad, unknown or
other school's id, so no view filters by hand) and what each page shows.

Who may open which page is the view's declared capability; within the school, anyone who records
visits may check in and find any pupil of the school (name, year and form only), so rooms,
placements and missing flags are reached through the school alone. What follows the pupil (their
profile's strategies, their incidents) goes through ``Pupil.objects.visible_to``; what a visit shows
follows ``visit_record_open`` below.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from incidents.models import Incident
from incidents.selectors import (
    restrictive_sections,
    visible_incidents,
    visible_restrictive_interventions,
)
from pupils.models import Pupil, PupilProfile
from pupils.selectors import openable_pupil_ids, pupils_visible_to
from semh.access import Capability
from semh.calendar import school_days
from semh.models import Period
from semh.selectors import get_or_404, same_school

from .models import (
    MissingPupil,
    PlannedPlacement,
    Reason,
    Room,
    RoomDuty,
    Visit,
    attended_period,
    aware,
    local_day_bounds,
    overlaps_period,
    wall_clock,
)

# --- One object named in a URL --------------------------------------------------------------


def access_room(viewer, school, room_id) -> Room:
    same_school(viewer, school)
    return get_or_404(Room.objects.filter(school=school), room_id)


# Who sees what of a visit, the one rule. Running the room (checking pupils in and out: RECORD)
# needs each pupil's name, times, zone and reason, for any pupil of the school. The rest of a visit
# (notes, outcome note, strategies, its seclusion, the pupil's other visits) is for those who may
# open the pupil (the pupils app's rule); anyone else reaching the Reset Area (its dashboards) is
# shown only visits of pupils they may open.


def runs_the_room(viewer) -> bool:
    return viewer.can(Capability.RECORD)


def mark_record_open(visits, open_pupil_ids) -> list:
    """Each visit with ``record_open``: whether the viewer may see all of it (``open_pupil_ids``
    from ``pupils.selectors.openable_pupil_ids``, fetched once per request)."""
    for visit in visits:
        visit.record_open = visit.pupil_id in open_pupil_ids
    return visits


def access_visit(viewer, school, visit_id) -> Visit:
    """The visit, with ``record_open`` (see above); 404 unless the viewer may open its pupil or
    runs the room."""
    same_school(viewer, school)
    visit = get_or_404(
        Visit.objects.filter(school=school).select_related(
            "room", "pupil", "period", "referred_by", "incident", "restrictive_intervention"
        ),
        visit_id,
    )
    visit.record_open = pupils_visible_to(viewer, school).filter(pk=visit.pupil_id).exists()
    if not (visit.record_open or runs_the_room(viewer)):
        raise Http404
    return visit


def access_placement(viewer, school, placement_id) -> PlannedPlacement:
    same_school(viewer, school)
    return get_or_404(
        PlannedPlacement.objects.filter(room__school=school).select_related(
            "room", "pupil", "period"
        ),
        placement_id,
    )


def access_missing(viewer, school, missing_id) -> MissingPupil:
    same_school(viewer, school)
    return get_or_404(
        MissingPupil.objects.filter(placement__room__school=school).select_related(
            "placement__pupil", "placement__room", "placement__period"
        ),
        missing_id,
    )


def access_period(viewer, school, period_id) -> Period:
    same_school(viewer, school)
    return get_or_404(Period.objects.filter(school=school), period_id)


def pupil_to_check_in(viewer, school, pupil_id) -> Pupil | None:
    """An on-roll pupil of the school named in a check-in link or form, or None (then the page
    offers the search instead): anyone who records visits may check in any pupil of the school."""
    same_school(viewer, school)
    if not pupil_id:
        return None
    try:
        return Pupil.objects.filter(school=school).on_roll().get(pk=pupil_id)
    except (Pupil.DoesNotExist, ValueError, ValidationError):
        return None


# --- Rooms and the school day ---------------------------------------------------------------


def rooms_with_occupancy(school, today=None):
    """The school's rooms, each with ``in_now``: the pupils checked in to it today."""
    start, _ = local_day_bounds(today or timezone.localdate())
    return list(
        Room.objects.filter(school=school).annotate(
            in_now=Count(
                "visits", filter=Q(visits__left_at__isnull=True, visits__arrived_at__gte=start)
            )
        )
    )


def school_periods(school, weekday=None):
    periods = Period.objects.filter(school=school).order_by("weekday", "starts_at")
    return periods if weekday is None else periods.filter(weekday=weekday)


def duty_staff_ids(room, day) -> list:
    return list(RoomDuty.objects.filter(room=room, day=day).values_list("staff_id", flat=True))


# --- The timetable --------------------------------------------------------------------------


def timetable_week(school, room, monday) -> dict:
    """The room's week from ``monday``: periods × weekdays, with who is planned into each."""
    days = [monday + timedelta(days=i) for i in range(5)]
    periods = list(Period.objects.filter(school=school).order_by("starts_at", "weekday"))
    cells = {p.pk: {"period": p, "day": days[p.weekday], "placements": []} for p in periods}
    for placement in (
        PlannedPlacement.objects.filter(room=room)
        .overlapping(days[0], days[-1])
        .select_related("pupil", "period")
        .order_by("pupil__legal_last_name")
    ):
        day = days[placement.period.weekday]
        still_on = placement.removed_on is None or placement.removed_on > day
        if placement.starts_on <= day <= placement.ends_on and still_on:
            cells[placement.period_id]["placements"].append(placement)
    rows = {}
    for p in periods:
        row = rows.setdefault(
            (p.starts_at, p.name), {"period": p, "cells": [None] * 5, "is_learning": p.is_learning}
        )
        row["cells"][p.weekday] = cells[p.pk]
    return {"days": days, "rows": list(rows.values())}


# --- The live board -------------------------------------------------------------------------


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
    missing_now: list  # due this period, not yet flagged (the beat task flags them each minute)
    needing_correction: list
    on_duty: list
    periods_today: list = field(default_factory=list)

    @property
    def missing_count(self):
        return len(self.missing) + len(self.missing_now)

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
    """Everything the live board shows, in a fixed number of queries however busy the room.

    Only reads: missing pupils are flagged by the beat task every minute
    (``reset_area.tasks.flag_missing_pupils``); a planned pupil due since then, not yet flagged, is
    shown as missing now (``missing_now``) from the same rule, without writing."""
    at = at or timezone.now()
    local = wall_clock(at)
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
        spans[pupil_id].append((wall_clock(arrived), wall_clock(left) if left else None))
    missing = list(
        MissingPupil.objects.unresolved()
        .filter(placement__room=room)
        .select_related("placement__pupil", "placement__period")
        .order_by("day", "placement__period__starts_at")[:100]
    )
    flagged_today = set(  # resolved or not: a resolved flag (absent, cancelled) is settled
        MissingPupil.objects.filter(placement__in=planned, day=today).values_list(
            "placement_id", flat=True
        )
    )
    school_day = bool(school_days(room.school, today, today))
    after = timedelta(minutes=settings.SEMH_RESET_MISSING_AFTER_MINUTES)
    expected, coming_up, missing_now = [], [], []
    for p in planned:
        if p.pk in flagged_today or attended_period(spans[p.pupil_id], today, p.period):
            continue
        due = aware(today, p.period.starts_at) + after
        if p.period != current:
            coming_up.append(Expected(p, due))
        elif due <= at and school_day and p.expects_pupil_on(today):
            missing_now.append(Expected(p, due))
        else:
            expected.append(Expected(p, due))
    return BoardState(
        room=room,
        at=at,
        current_period=current,
        next_period=next_period,
        in_now=in_now,
        expected=expected,
        coming_up=coming_up,
        missing=missing,
        missing_now=missing_now,
        needing_correction=list(
            Visit.objects.filter(room=room).needing_correction(today).select_related("pupil")
        ),
        on_duty=[
            d.staff for d in RoomDuty.objects.filter(room=room, day=today).select_related("staff")
        ],
        periods_today=periods_today,
    )


def room_taken(room, day) -> int:
    """How many pupils are in the room now (checked in on ``day`` and not out)."""
    return Visit.objects.filter(room=room).in_now(day).count()


# --- Checking a pupil in --------------------------------------------------------------------


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


def linkable_incidents(viewer, pupil, *, at=None, days=7):
    """Recent incidents involving the pupil that the viewer can see: any, if they may open the
    pupil; otherwise those they reported or were involved in (the incident log's own rule)."""
    at = at or timezone.now()
    incidents = Incident.objects.filter(
        involvements__pupil=pupil, occurred_at__gte=at - timedelta(days=days)
    )
    if not Pupil.objects.visible_to(viewer).filter(pk=pupil.pk).exists():
        involved = Incident.staff_involved.through.objects.filter(user=viewer.user)
        incidents = incidents.filter(
            Q(reported_by=viewer.user) | Q(pk__in=involved.values("incident"))
        )
    return incidents.select_related("category").order_by("-occurred_at").distinct()


def _chosen(queryset, value):
    try:
        return queryset.filter(pk=value).first() if value else None
    except (ValueError, ValidationError):
        return None


def check_in_choices(viewer, *, room, pupil, placement_id=None, incident_id=None, at=None):
    """What the check-in form starts from for this pupil: their placement (the one named, else
    the one running now), the incidents they may link, and the incident named in the link."""
    at = at or timezone.now()
    if placement_id:
        placement = _chosen(PlannedPlacement.objects.filter(room=room, pupil=pupil), placement_id)
    else:
        placement = PlannedPlacement.objects.for_arrival(room=room, pupil=pupil, moment=at)
    incidents = linkable_incidents(viewer, pupil)
    return {
        "placement": placement,
        "incidents": incidents,
        "after_incident": _chosen(incidents, incident_id),
    }


def profile_strategies(viewer, pupil) -> list:
    """The pupil's own "what helps me" strategies, for staff who may open the pupil."""
    if not Pupil.objects.visible_to(viewer).filter(pk=pupil.pk).exists():
        return []
    profile = PupilProfile.objects.filter(pupil=pupil).first()
    return profile.strategies if profile else []


# --- A visit's seclusion -------------------------------------------------------------------


def seclusion_carried(viewer, visit) -> dict:
    """What the seclusion record of ``visit`` need not ask again: what happened before (why the
    pupil came and, if the viewer may read it, the incident they came after) and the
    de-escalation tried (the strategies ticked at check-out). The record shows them, editable."""
    arrived = timezone.localtime(visit.arrived_at)
    why = visit.get_reason_display()
    why = why[:1].lower() + why[1:]
    if visit.referred_by_id and visit.reason == Reason.REFERRED:
        why = f"{why} ({visit.referred_by.name})"
    elif visit.referred_by_id:
        why = f"{why}, referred by {visit.referred_by.name}"
    zone = visit.get_zone_on_arrival_display().split(" — ")[0].lower()
    before = f"Came to {visit.room.name} at {arrived:%H:%M}, {why}; {zone} zone on arrival."
    incident = visit.incident
    if incident and visible_incidents(viewer).filter(pk=incident.pk).exists():
        before += f" The incident ({timezone.localtime(incident.occurred_at):%H:%M}): "
        before += incident.behaviour.strip()
    return {
        "what_happened_before": before,
        "deescalation_tried": "; ".join(s.label for s in visit.strategies.all()),
    }


def seclusion_follow_up(viewer, visit) -> dict | None:
    """The visit's seclusion and what its statutory follow-up still owes (the report to parents,
    each member of staff's statement, the pupil debrief), for the visit page: the confirmation
    once a seclusion is recorded. ``can_open``: the viewer may open the record (the incidents
    app's rule); otherwise only the times and place are shown, and nothing at all to a viewer who
    may not open the pupil (``visit`` from ``access_visit``)."""
    if not visit.restrictive_intervention_id:
        return None
    record = (
        visible_restrictive_interventions(viewer)
        .with_follow_up_state()
        .filter(pk=visit.restrictive_intervention_id)
        .first()
    )
    if record is None:
        if not visit.record_open:
            return None  # a room runner who may not open the pupil: no seclusion details
        return {"intervention": visit.restrictive_intervention, "can_open": False}
    sections = restrictive_sections(record, viewer)
    owing = [s["user"] for s in sections["intervention_staff"] if not s["has_statement"]]
    return {**sections, "can_open": True, "statements_owed_by": owing}


# --- The school's home page -----------------------------------------------------------------


def home_reset_area(viewer, at=None):
    """The Reset Area block of a school's home page: missing pupils (a safety feature, flagged
    every minute by the beat task and shown until resolved) and visits left open, for those who
    run or oversee the Reset Area. Only reads."""
    if not (viewer.can(Capability.RECORD) or viewer.can(Capability.DASHBOARDS)):
        return None
    school = viewer.school
    at = at or timezone.now()
    rooms = list(Room.objects.filter(school=school).active())
    if not rooms:
        return {"rooms": [], "missing": [], "needing_correction": [], "missing_count": 0}
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


# --- Records --------------------------------------------------------------------------------


def day_register(viewer, *, room, day) -> dict:
    """A room's register for one day: each planned session against attendance (in any room),
    its missing flag and resolution; and every visit to the room that day. Each visit and row has
    ``record_open``: notes and seclusions are shown only where the viewer may open the pupil."""
    open_ids = openable_pupil_ids(viewer, room.school)
    visits = Visit.objects.filter(room=room).on_day(day)
    if not runs_the_room(viewer):
        visits = visits.filter(pupil_id__in=open_ids)
    visits = mark_record_open(
        list(
            visits.select_related(
                "pupil", "period", "referred_by", "restrictive_intervention"
            ).order_by("arrived_at")
        ),
        open_ids,
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
            if overlaps_period(
                wall_clock(v.arrived_at),
                wall_clock(v.left_at) if v.left_at else None,
                day,
                p.period,
            )
        ]
        rows.append(
            {
                "placement": p,
                "visits": attended,
                "missing": missing.get(p.pk),
                "record_open": p.pupil_id in open_ids,
            }
        )
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
