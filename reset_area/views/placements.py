"""The weekly timetable of a room: who is planned into which period, and planning them (SENCo)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from semh import params
from semh.access import RESET_AREA_READERS, Capability
from semh.audit import Client
from semh.calendar import monday_of
from semh.decorators import school_view

from ..forms.placements import PlacementForm, PupilPickForm
from ..selectors import (
    access_period,
    access_placement,
    access_room,
    search_pupils,
    timetable_week,
)
from ..services import placements as services


def _timetable_url(request, room, monday):
    url = reverse("reset_area:timetable", args=[request.school.slug, room.pk])
    return f"{url}?week={monday:%Y-%m-%d}"


def _week(value):
    return params.week(value, timezone.localdate())


@school_view(*RESET_AREA_READERS)
def timetable(request, room_id):
    """The room's week: periods × weekdays, who is planned into each, and places left."""
    room = access_room(request.school_access, request.school, room_id)
    monday = _week(request.GET.get("week"))
    return render(
        request,
        "reset_area/placements/timetable.html",
        {
            "room": room,
            "monday": monday,
            **timetable_week(request.school, room, monday),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "this_week": monday_of(timezone.localdate()),
        },
    )


@school_view(Capability.EDIT_PUPILS)
def placement_create(request, room_id):
    """Plan a pupil into one period of the week, from the timetable grid."""
    viewer, school = request.school_access, request.school
    room = access_room(viewer, school, room_id)
    monday = _week(request.GET.get("week"))
    period = _period(request, request.GET.get("period"))
    pick, form = _placement_forms(request, period, starts_on=max(timezone.localdate(), monday))
    if request.method == "POST" and pick.is_valid() and form.is_valid():
        try:
            placement = services.add_placement(
                actor=request.user,
                school=school,
                room=room,
                pupil=pick.cleaned_data["pupil"],
                client=Client.of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Planned {placement.pupil} into {placement.period}.")
            return redirect(_timetable_url(request, room, monday))
    return _placement_page(request, room, pick, form, monday=monday, period=period)


def _period(request, value):
    """The period named in ``?period=`` (404 if it is not one of the school's), else None."""
    if not value:
        return None
    return access_period(request.school_access, request.school, params.required_row_id(value))


def _placement_forms(request, period, *, starts_on):
    data = request.POST if request.method == "POST" else None
    initial = {
        "period": period,
        "starts_on": starts_on,
        "ends_on": services.default_end(request.school, starts_on),
    }
    return (
        PupilPickForm(data, school=request.school),
        PlacementForm(data, school=request.school, initial=initial),
    )


def _placement_page(request, room, pick, form, *, monday, period):
    q = params.text(request.GET.get("q"))
    return render(
        request,
        "reset_area/placements/placement_form.html",
        {
            "room": room,
            "form": form,
            "pick": pick,
            "chosen": pick.cleaned_data.get("pupil") if pick.is_bound and pick.is_valid() else None,
            "q": q,
            "results": search_pupils(school=request.school, q=q) if q else [],
            "monday": monday,
            "period": period,
        },
    )


@school_view(Capability.EDIT_PUPILS)
@require_POST
def placement_remove(request, placement_id):
    placement = access_placement(request.school_access, request.school, placement_id)
    services.remove_placement(
        actor=request.user, school=request.school, placement=placement, client=Client.of(request)
    )
    messages.success(request, f"Removed {placement.pupil} from {placement.period} from today.")
    return redirect(_timetable_url(request, placement.room, _week(request.POST.get("week"))))
