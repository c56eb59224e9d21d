"""The SENCo's set-up: rooms, the school day, and the weekly timetable of planned placements."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from semh.decorators import school_view
from semh.models import Period, Term, Weekday

from .. import services
from ..forms import (
    CopyDayForm,
    PeriodFormSet,
    PlacementForm,
    PupilPickForm,
    RoomForm,
    parse_day,
    week_start,
)
from ..models import PlannedPlacement, Room
from .common import SETUP, TIMETABLE_VIEWERS, room_for


@school_view(*SETUP)
def room_create(request):
    return _room_form(request, Room(school=request.school))


@school_view(*SETUP)
def room_edit(request, room_id):
    return _room_form(request, room_for(request, room_id))


def _room_form(request, room):
    is_new = room._state.adding
    form = RoomForm(request.POST or None, instance=room, school=request.school)
    if request.method == "POST" and form.is_valid():
        room = services.save_room(form=form, request=request)
        messages.success(request, f"Saved {room.name}.")
        return redirect("reset_area:index", school_slug=request.school.slug)
    return render(
        request,
        "reset_area/room_form.html",
        {"form": form, "room": room, "is_new": is_new},
    )


def _timetable_url(request, room, monday):
    url = reverse("reset_area:timetable", args=[request.school.slug, room.pk])
    return f"{url}?week={monday:%Y-%m-%d}"


@school_view(*TIMETABLE_VIEWERS)
def timetable(request, room_id):
    """The room's week: periods × weekdays, who is planned into each, and places left."""
    room = room_for(request, room_id)
    today = timezone.localdate()
    monday = week_start(parse_day(request.GET.get("week"), today))
    days = [monday + timedelta(days=i) for i in range(5)]
    periods = list(Period.objects.filter(school=request.school).order_by("starts_at", "weekday"))
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
    return render(
        request,
        "reset_area/timetable.html",
        {
            "room": room,
            "monday": monday,
            "days": days,
            "rows": list(rows.values()),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "this_week": week_start(today),
        },
    )


def _default_end(school, day):
    term = Term.objects.filter(school=school).containing(day).first()
    return term.ends_on if term else day + timedelta(weeks=6)


@school_view(*SETUP)
def placement_create(request, room_id):
    """Plan a pupil into one period of the week, from the timetable grid."""
    room = room_for(request, room_id)
    today = timezone.localdate()
    monday = week_start(parse_day(request.GET.get("week"), today))
    starts_on = max(today, monday)
    period = Period.objects.filter(school=request.school, pk=request.GET.get("period") or 0).first()
    data = request.POST if request.method == "POST" else None
    pick = PupilPickForm(data, school=request.school)
    form = PlacementForm(
        data,
        school=request.school,
        initial={
            "period": period,
            "starts_on": starts_on,
            "ends_on": _default_end(request.school, starts_on),
        },
    )
    if data is not None and pick.is_valid() and form.is_valid():
        try:
            placement = services.add_placement(
                room=room, pupil=pick.cleaned_data["pupil"], request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Planned {placement.pupil} into {placement.period}.")
            return redirect(_timetable_url(request, room, monday))
    q = request.GET.get("q", "")
    chosen = pick.cleaned_data.get("pupil") if pick.is_bound and pick.is_valid() else None
    return render(
        request,
        "reset_area/placement_form.html",
        {
            "room": room,
            "form": form,
            "pick": pick,
            "chosen": chosen,
            "q": q,
            "results": services.search_pupils(school=request.school, q=q) if q else [],
            "monday": monday,
            "period": period,
        },
    )


@school_view(*SETUP)
@require_POST
def placement_remove(request, placement_id):
    placement = get_object_or_404(
        PlannedPlacement.objects.select_related("room", "pupil", "period"),
        pk=placement_id,
        room__school=request.school,
    )
    services.remove_placement(placement=placement, request=request)
    messages.success(request, f"Removed {placement.pupil} from {placement.period} from today.")
    monday = week_start(parse_day(request.POST.get("week"), timezone.localdate()))
    return redirect(_timetable_url(request, placement.room, monday))


@school_view(*SETUP)
def school_day(request):
    """The school day, weekday by weekday: periods, breaks and lunch."""
    periods = list(services.school_periods(request.school))
    days = [
        {"weekday": value, "name": label, "periods": [p for p in periods if p.weekday == value]}
        for value, label in Weekday.choices
    ]
    return render(
        request,
        "reset_area/school_day.html",
        {"days": days, "copy_form": CopyDayForm(), "has_periods": bool(periods)},
    )


@school_view(*SETUP)
def school_day_edit(request):
    """Edit one weekday's periods (``?day=0`` is Monday)."""
    weekday = parse_weekday(request.GET.get("day"))
    queryset = Period.objects.filter(school=request.school, weekday=weekday).order_by("starts_at")
    formset = PeriodFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        try:
            services.save_school_day(
                school=request.school, weekday=weekday, formset=formset, request=request
            )
        except ProtectedError:
            messages.error(
                request,
                "A period you removed has pupils planned into it: take them off the timetable "
                "first. Nothing was changed.",
            )
        else:
            messages.success(request, f"Saved {Weekday(weekday).label}.")
            return redirect("reset_area:school_day", school_slug=request.school.slug)
    return render(
        request,
        "reset_area/school_day_edit.html",
        {"formset": formset, "weekday": Weekday(weekday)},
    )


def parse_weekday(value) -> int:
    try:
        weekday = int(value)
    except (TypeError, ValueError):
        return 0
    return weekday if weekday in Weekday.values else 0


@school_view(*SETUP)
@require_POST
def school_day_copy(request):
    form = CopyDayForm(request.POST)
    if form.is_valid():
        kept = services.copy_school_day(
            school=request.school, from_weekday=form.cleaned_data["from_weekday"], request=request
        )
        messages.success(request, "Copied to every weekday.")
        if kept:
            messages.info(request, f"Kept (pupils are planned into them): {', '.join(kept)}.")
    else:
        messages.error(request, "Choose a day to copy.")
    return redirect("reset_area:school_day", school_slug=request.school.slug)


@school_view(*SETUP)
@require_POST
def school_day_typical(request):
    if services.ensure_typical_school_day(request.school, request=request):
        messages.success(request, "A typical school day is set up for every weekday. Adjust it.")
    else:
        messages.info(request, "The school day is already set up.")
    return redirect("reset_area:school_day", school_slug=request.school.slug)
