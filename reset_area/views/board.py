"""The live board and what staff do at it: check in, check out, missing pupils, duty."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from incidents.models import Incident
from pupils.models import Pupil, PupilProfile
from semh.access import Capability
from semh.decorators import school_view

from .. import services
from ..forms import (
    CheckInForm,
    CheckOutForm,
    DutyForm,
    LinkIncidentForm,
    ResolveMissingForm,
    SeclusionForm,
)
from ..models import PlannedPlacement, Reason, Room, RoomDuty, Visit, Zone, local_day_bounds
from .common import (
    BOARD_VIEWERS,
    RECORDERS,
    TIMETABLE_VIEWERS,
    missing_for,
    poll_seconds,
    room_for,
    safe_next,
    visit_for,
)

ZONE_BUTTONS = [(z.value, *z.label.split(" — ")) for z in Zone]


def _board_url(request, room):
    return reverse("reset_area:board", args=[request.school.slug, room.pk])


@school_view(*TIMETABLE_VIEWERS)
def index(request):
    """The school's rooms. With ``?pupil=`` (and ``&incident=``, from an incident whose outcome
    was the Reset Area) it is the first step of checking that pupil in: choose the room."""
    start, _ = local_day_bounds(timezone.localdate())
    rooms = list(
        Room.objects.filter(school=request.school).annotate(
            in_now=Count(
                "visits", filter=Q(visits__left_at__isnull=True, visits__arrived_at__gte=start)
            )
        )
    )
    pupil = None
    if request.school_access.can(Capability.RECORD) and "pupil" in request.GET:
        pupil = _chosen_pupil(request, request.GET["pupil"])
    check_in_query = ""
    if pupil is not None:
        check_in_query = urlencode(
            {
                "pupil": pupil.pk,
                **({"incident": request.GET["incident"]} if "incident" in request.GET else {}),
            }
        )
        in_use = [room for room in rooms if room.is_active]
        if len(in_use) == 1:
            url = reverse("reset_area:check_in", args=[request.school.slug, in_use[0].pk])
            return redirect(f"{url}?{check_in_query}")
    return render(
        request,
        "reset_area/index.html",
        {"rooms": rooms, "checking_in": pupil, "check_in_query": check_in_query},
    )


@school_view(*BOARD_VIEWERS)
def board(request, room_id):
    """The room's home screen. htmx polls this URL for the live part only, so whatever is being
    typed into the check-in form (outside that part) is never replaced."""
    room = room_for(request, room_id)
    context = {"state": services.board_state(room=room), "room": room, "poll": poll_seconds()}
    if request.htmx:
        return render(request, "reset_area/_board.html", context)
    return render(request, "reset_area/board.html", {**context, **_check_in_context(request, room)})


def _check_in_context(request, room, form=None, pupil=None, needs_override=False, q=""):
    at = timezone.now()
    placement = None
    if pupil is not None and form is None:
        placement_id = request.GET.get("placement")
        placement = (
            PlannedPlacement.objects.filter(room=room, pupil=pupil, pk=placement_id).first()
            if placement_id
            else services.placement_for(room=room, pupil=pupil, moment=at)
        )
        incidents = services.linkable_incidents(access=request.school_access, pupil=pupil)
        after_incident = _chosen_incident(incidents, request.GET.get("incident"))
        if after_incident is not None:
            reason = Reason.INCIDENT
        else:
            reason = Reason.PLANNED if placement else Reason.REFERRED
        form = CheckInForm(
            room=room,
            incidents=incidents,
            initial={
                "pupil": pupil.pk,
                "placement": placement.pk if placement else None,
                "reason": reason,
                "incident": after_incident.pk if after_incident else None,
                "referred_by": after_incident.reported_by_id if after_incident else None,
            },
        )
    taken = Visit.objects.filter(room=room).in_now(timezone.localdate(at)).count()
    return {
        "room": room,
        "form": form,
        "pupil": pupil,
        "placement": placement,
        "q": q,
        "results": services.search_pupils(school=request.school, q=q) if q else [],
        "room_full": taken >= room.capacity,
        "needs_override": needs_override,
        "taken": taken,
        "zones": ZONE_BUTTONS,
    }


def _chosen_incident(incidents, value):
    try:
        return incidents.filter(pk=value).first() if value else None
    except (ValueError, ValidationError):
        return None


def _chosen_pupil(request, value):
    try:
        return Pupil.objects.filter(school=request.school).on_roll().get(pk=value)
    except (Pupil.DoesNotExist, ValueError, ValidationError):
        return None


@school_view(*RECORDERS)
def check_in(request, room_id):
    """Find a pupil, then one tap on their zone checks them in."""
    room = room_for(request, room_id)
    if not room.is_active:
        messages.error(request, f"{room.name} is not in use: choose another room.")
        return redirect("reset_area:index", school_slug=request.school.slug)
    if request.method != "POST":
        pupil = _chosen_pupil(request, request.GET.get("pupil"))
        context = _check_in_context(request, room, pupil=pupil, q=request.GET.get("q", ""))
        template = "reset_area/_check_in.html" if request.htmx else "reset_area/check_in.html"
        return render(request, template, context)
    pupil = _chosen_pupil(request, request.POST.get("pupil"))
    incidents = (
        services.linkable_incidents(access=request.school_access, pupil=pupil)
        if pupil
        else Incident.objects.none()
    )
    form = CheckInForm(request.POST, room=room, incidents=incidents)
    needs_override, existing = False, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.check_in(
                room=room,
                by=request.user,
                request=request,
                **{k: data[k] for k in ("pupil", "reason", "zone_on_arrival", "referred_by")},
                incident=data["incident"],
                placement=data["placement"],
                over_capacity_reason=data["over_capacity_reason"],
            )
        except services.CheckInRefused as refused:
            form.add_error(None, refused.message)
            needs_override = refused.code == "full"
            existing = refused.visit
        else:
            messages.success(request, f"{visit.pupil} checked in.")
            return redirect(_board_url(request, room))
    context = _check_in_context(
        request, room, form=form, pupil=pupil, needs_override=needs_override
    )
    return render(request, "reset_area/check_in.html", {**context, "existing_visit": existing})


@school_view(*RECORDERS)
def pupil_search(request, room_id):
    """Search-as-you-type results: links that open the check-in form for a pupil, or (``pick``)
    radio buttons for the placement form. Name, year and form only."""
    room = room_for(request, room_id)
    q = request.GET.get("q", "")
    if not request.htmx:
        url = reverse("reset_area:check_in", args=[request.school.slug, room.pk])
        return redirect(f"{url}?{urlencode({'q': q})}")
    return render(
        request,
        "reset_area/_pupil_results.html",
        {
            "room": room,
            "q": q,
            "results": services.search_pupils(school=request.school, q=q),
            "pick": bool(request.GET.get("pick")),
        },
    )


def _profile_strategies(request, pupil):
    """The pupil's own "what helps me" strategies, for staff who may open the pupil."""
    if not Pupil.objects.visible_to(request.school_access).filter(pk=pupil.pk).exists():
        return []
    profile = PupilProfile.objects.filter(pupil=pupil).first()
    return profile.strategies if profile else []


@school_view(*RECORDERS)
def check_out(request, visit_id):
    """Check a pupil out, or correct a visit left open on an earlier day."""
    visit = visit_for(request, visit_id)
    if not visit.is_open:
        messages.info(request, f"{visit.pupil} was already checked out.")
        return redirect("reset_area:visit", school_slug=request.school.slug, visit_id=visit.pk)
    at = timezone.now()
    data = request.POST if request.method == "POST" else None
    form = CheckOutForm(data, visit=visit, at=at)
    seclusion = SeclusionForm(data, visit=visit)
    if data is not None and form.is_valid() and (not form.secluded or seclusion.is_valid()):
        try:
            services.check_out(
                visit=visit,
                by=request.user,
                request=request,
                left_at=form.cleaned_data["left_at"],
                **{
                    k: form.cleaned_data[k]
                    for k in ("zone_on_leaving", "outcome", "outcome_note", "notes", "strategies")
                },
                free_to_leave=not form.secluded,
                seclusion=seclusion.record_fields() if form.secluded else None,
            )
        except ValidationError as error:
            _attach(error, form, seclusion)
        except services.CheckOutRefused as refused:
            messages.info(request, str(refused))
            return redirect(_board_url(request, visit.room))
        else:
            messages.success(request, f"{visit.pupil} checked out.")
            return redirect(safe_next(request, _board_url(request, visit.room)))
    return render(
        request,
        "reset_area/check_out.html",
        {
            "visit": visit,
            "form": form,
            "seclusion": seclusion,
            "correcting": timezone.localdate(visit.arrived_at) < timezone.localdate(at),
            "profile_strategies": _profile_strategies(request, visit.pupil),
        },
    )


SECLUSION_FIELDS = {"started_at": "started_time", "ended_at": "ended_time"}


def _attach(error, form, seclusion):
    """Put a service's validation errors on the form fields they concern."""
    for key, messages_ in error.message_dict.items():
        name = SECLUSION_FIELDS.get(key, key)
        target = seclusion if name in seclusion.fields else form
        target.add_error(name if name in target.fields else None, messages_)


@school_view(*BOARD_VIEWERS)
def visit_detail(request, visit_id):
    visit = visit_for(request, visit_id)
    return render(
        request,
        "reset_area/visit_detail.html",
        {"visit": visit, "strategies": list(visit.strategies.all())},
    )


@school_view(*RECORDERS)
def link_incident(request, visit_id):
    """Link the incident the pupil came in after (often logged after the check-in)."""
    visit = visit_for(request, visit_id)
    incidents = services.linkable_incidents(
        access=request.school_access, pupil=visit.pupil, at=visit.arrived_at + timedelta(hours=12)
    )
    form = LinkIncidentForm(request.POST or None, incidents=incidents)
    if request.method == "POST" and form.is_valid():
        services.link_incident(visit=visit, incident=form.cleaned_data["incident"], request=request)
        messages.success(request, "Incident linked.")
        return redirect("reset_area:visit", school_slug=request.school.slug, visit_id=visit.pk)
    return render(request, "reset_area/link_incident.html", {"visit": visit, "form": form})


@school_view(*RECORDERS)
def record_seclusion(request, visit_id):
    """Record afterwards that the pupil was prevented from leaving during this visit."""
    visit = visit_for(request, visit_id)
    if visit.restrictive_intervention_id:
        messages.info(request, "This visit already has a seclusion record.")
        return redirect("reset_area:visit", school_slug=request.school.slug, visit_id=visit.pk)
    form = SeclusionForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_seclusion(
                visit=visit, by=request.user, seclusion=form.record_fields(), request=request
            )
        except ValidationError as error:
            _attach(error, form, form)
        else:
            messages.success(request, "Seclusion recorded. Its follow-up is now outstanding.")
            return redirect("reset_area:visit", school_slug=request.school.slug, visit_id=visit.pk)
    return render(request, "reset_area/seclusion_form.html", {"visit": visit, "form": form})


@school_view(*RECORDERS)
def resolve_missing(request, missing_id):
    """Resolve a missing-pupil flag: arrived, absent from school, or session cancelled."""
    missing = missing_for(request, missing_id)
    back = safe_next(request, _board_url(request, missing.placement.room))
    form = ResolveMissingForm(request.POST or None, initial={"resolution": request.GET.get("as")})
    if request.method == "POST" and form.is_valid():
        services.resolve_missing(
            missing=missing,
            by=request.user,
            request=request,
            resolution=form.cleaned_data["resolution"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"Resolved: {missing.placement.pupil}.")
        return redirect(back)
    return render(
        request,
        "reset_area/resolve_missing.html",
        {"missing": missing, "form": form, "next": back},
    )


@school_view(*RECORDERS)
def duty(request, room_id):
    room = room_for(request, room_id)
    today = timezone.localdate()
    current = RoomDuty.objects.filter(room=room, day=today).values_list("staff_id", flat=True)
    form = DutyForm(request.POST or None, school=request.school, initial={"staff": list(current)})
    if request.method == "POST" and form.is_valid():
        services.set_duty(room=room, day=today, staff=form.cleaned_data["staff"], request=request)
        messages.success(request, "Staff on duty saved.")
        return redirect(_board_url(request, room))
    return render(
        request, "reset_area/duty_form.html", {"room": room, "form": form, "today": today}
    )


@school_view(*RECORDERS)
@require_POST
def quick_resolve(request, missing_id):
    """One tap on the board: absent from school, or session cancelled (no note)."""
    missing = missing_for(request, missing_id)
    resolution = request.POST.get("resolution")
    if resolution in ("absent", "cancelled"):
        services.resolve_missing(
            missing=missing, by=request.user, resolution=resolution, request=request
        )
        messages.success(request, f"Resolved: {missing.placement.pupil}.")
    else:
        messages.error(request, "Choose how it was resolved.")
    return redirect(safe_next(request, _board_url(request, missing.placement.room)))
