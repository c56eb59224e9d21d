"""The Reset Area's rooms and their set-up (SENCo): rooms, who is on duty, the school day."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from semh import params
from semh.access import RESET_AREA_READERS, Capability
from semh.audit import Client
from semh.decorators import school_view
from semh.models import Weekday
from semh.submissions import submit

from ..forms.rooms import CopyDayForm, DutyForm, PeriodFormSet, RoomForm
from ..models import Room
from ..selectors import (
    access_room,
    duty_staff_ids,
    pupil_to_check_in,
    rooms_with_occupancy,
    school_periods,
)
from ..services import rooms as services


@school_view(*RESET_AREA_READERS)
def index(request):
    """The school's rooms. With ``?pupil=`` (and ``&incident=``, from an incident whose outcome
    was the Reset Area) it is the first step of checking that pupil in: choose the room."""
    rooms = rooms_with_occupancy(request.school)
    pupil, check_in_query = None, ""
    if request.school_access.can(Capability.RECORD) and "pupil" in request.GET:
        pupil_id = params.object_id(request.GET["pupil"])
        pupil = pupil_to_check_in(request.school_access, request.school, pupil_id)
    if pupil is not None:
        incident_id = params.object_id(request.GET.get("incident"))
        incident = {"incident": incident_id} if incident_id else {}
        check_in_query = urlencode({"pupil": pupil.pk, **incident})
        in_use = [room for room in rooms if room.is_active]
        if len(in_use) == 1:
            url = reverse("reset_area:check_in", args=[request.school.slug, in_use[0].pk])
            return redirect(f"{url}?{check_in_query}")
    return render(
        request,
        "reset_area/rooms/index.html",
        {"rooms": rooms, "checking_in": pupil, "check_in_query": check_in_query},
    )


@school_view(Capability.EDIT_PUPILS)
def room_create(request):
    return _room_form(request, None)


@school_view(Capability.EDIT_PUPILS)
def room_edit(request, room_id):
    return _room_form(request, access_room(request.school_access, request.school, room_id))


def _room_form(request, room):
    instance = room or Room(school=request.school)
    form = RoomForm(request.POST or None, instance=instance, school=request.school)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in ("name", "capacity", "is_active")}
        context = {"actor": request.user, "school": request.school, "client": Client.of(request)}
        if room is None:
            saved = submit(form, services.create_room, **context, **fields)
        else:
            saved = submit(form, services.update_room, **context, room=room, **fields)
        if saved is not None:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("reset_area:index", school_slug=request.school.slug)
    return render(
        request,
        "reset_area/rooms/room_form.html",
        {"form": form, "room": instance, "is_new": room is None},
    )


@school_view(Capability.RECORD)
def duty(request, room_id):
    room = access_room(request.school_access, request.school, room_id)
    today = timezone.localdate()
    initial = {"staff": duty_staff_ids(room, today)}
    form = DutyForm(request.POST or None, school=request.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_duty(
            actor=request.user,
            school=request.school,
            room=room,
            day=today,
            staff=form.cleaned_data["staff"],
            client=Client.of(request),
        )
        messages.success(request, "Staff on duty saved.")
        return redirect("reset_area:board", school_slug=request.school.slug, room_id=room.pk)
    return render(
        request, "reset_area/rooms/duty_form.html", {"room": room, "form": form, "today": today}
    )


# --- The school day -------------------------------------------------------------------------

PERIOD_IN_USE = (
    "A period you removed has pupils planned into it: take them off the timetable first. "
    "Nothing was changed."
)


@school_view(Capability.EDIT_PUPILS)
def school_day(request):
    """The school day, weekday by weekday: periods, breaks and lunch."""
    periods = list(school_periods(request.school))
    days = [
        {"weekday": value, "name": label, "periods": [p for p in periods if p.weekday == value]}
        for value, label in Weekday.choices
    ]
    return render(
        request,
        "reset_area/rooms/school_day.html",
        {"days": days, "copy_form": CopyDayForm(), "has_periods": bool(periods)},
    )


@school_view(Capability.EDIT_PUPILS)
def school_day_edit(request):
    """Edit one weekday's periods (``?day=0`` is Monday)."""
    weekday = params.weekday(request.GET.get("day"))
    queryset = school_periods(request.school, weekday)
    formset = PeriodFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        changed, removed = formset.changes()
        try:
            services.save_school_day(
                actor=request.user,
                school=request.school,
                weekday=weekday,
                periods=changed,
                removed=removed,
                client=Client.of(request),
            )
        except ProtectedError:
            messages.error(request, PERIOD_IN_USE)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Saved {Weekday(weekday).label}.")
            return redirect("reset_area:school_day", school_slug=request.school.slug)
    return render(
        request,
        "reset_area/rooms/school_day_edit.html",
        {"formset": formset, "weekday": Weekday(weekday)},
    )


@school_view(Capability.EDIT_PUPILS)
@require_POST
def school_day_copy(request):
    form = CopyDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a day to copy.")
        return redirect("reset_area:school_day", school_slug=request.school.slug)
    kept = services.copy_school_day(
        actor=request.user,
        school=request.school,
        from_weekday=form.cleaned_data["from_weekday"],
        client=Client.of(request),
    )
    messages.success(request, "Copied to every weekday.")
    if kept:
        messages.info(request, f"Kept (pupils are planned into them): {', '.join(kept)}.")
    return redirect("reset_area:school_day", school_slug=request.school.slug)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def school_day_typical(request):
    if services.set_up_typical_school_day(
        actor=request.user, school=request.school, client=Client.of(request)
    ):
        messages.success(request, "A typical school day is set up for every weekday. Adjust it.")
    else:
        messages.info(request, "The school day is already set up.")
    return redirect("reset_area:school_day", school_slug=request.school.slug)
