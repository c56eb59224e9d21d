"""The live board and what staff do at it (check in, check out or correct a visit, record a
seclusion, link the incident), and reading the record: the register, metrics, a pupil's visits."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from incidents.models import Incident
from pupils.selectors import access_pupil, openable_pupil_ids
from semh import audit, params
from semh.access import PUPIL_READERS, Capability
from semh.audit import AuditAction, Client
from semh.calendar import default_range
from semh.decorators import school_view

from .. import metrics
from ..forms.visits import (
    CheckInForm,
    CheckOutForm,
    DateRangeForm,
    LinkIncidentForm,
    add_check_out_errors,
    seclusion_form,
)
from ..models import Reason, Zone
from ..selectors import (
    access_room,
    access_visit,
    board_state,
    check_in_choices,
    day_register,
    linkable_incidents,
    profile_strategies,
    pupil_reset_summary,
    pupil_to_check_in,
    room_taken,
    search_pupils,
    seclusion_carried,
    seclusion_follow_up,
)
from ..services import visits as services

BOARD_VIEWERS = (Capability.RECORD, Capability.DASHBOARDS)
ZONE_BUTTONS = [(z.value, *z.label.split(" — ")) for z in Zone]
CHECK_IN_PAGE = "reset_area/visits/check_in.html"
CHECK_IN_PART = "reset_area/visits/_check_in.html"  # what htmx swaps into the board
SECLUSION_RECORDED = "The seclusion is recorded: below is what it now needs."


def poll_seconds() -> int:
    """How often the live board refreshes itself."""
    return getattr(settings, "SEMH_RESET_BOARD_POLL_SECONDS", 15)


def safe_next(request, fallback: str) -> str:
    """A same-site ``next`` path from the form, or the fallback. Only a path: ``redirect()``
    would look any other word up as a URL name."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def board_url(request, room):
    return reverse("reset_area:board", args=[request.school.slug, room.pk])


def _visit_url(request, visit):
    return reverse("reset_area:visit", args=[request.school.slug, visit.pk])


# --- The live board and checking in ---------------------------------------------------------


@school_view(*BOARD_VIEWERS)
def board(request, room_id):
    """The room's home screen. htmx polls this URL for the live part only, so whatever is being
    typed into the check-in form (outside that part) is never replaced."""
    room = access_room(request.school_access, request.school, room_id)
    audit.record_view(request, AuditAction.RESET_BOARD_VIEW, target=room)  # each refresh too
    context = {"state": board_state(room=room), "poll": poll_seconds()}
    if request.school_access.can(Capability.RECORD):  # a quick note for the pupils they may open
        context["note_pupil_ids"] = openable_pupil_ids(request.school_access, request.school)
    template = "reset_area/visits/_board.html" if request.htmx else "reset_area/visits/board.html"
    return render(request, template, {**context, **_check_in_context(request, room)})


def _check_in_form(request, room, pupil):
    """The check-in form for a pupil just chosen, starting from their placement (the one named
    in the link, else the one running now) or the incident named in the link."""
    choices = check_in_choices(
        request.school_access,
        room=room,
        pupil=pupil,
        placement_id=params.object_id(request.GET.get("placement")),
        incident_id=params.object_id(request.GET.get("incident")),
    )
    placement, after = choices["placement"], choices["after_incident"]
    if after is not None:
        reason = Reason.INCIDENT
    else:
        reason = Reason.PLANNED if placement else Reason.REFERRED
    initial = {
        "pupil": pupil.pk,
        "placement": placement.pk if placement else None,
        "reason": reason,
        "incident": after.pk if after else None,
        "referred_by": after.reported_by_id if after else None,
    }
    return CheckInForm(room=room, incidents=choices["incidents"], initial=initial), placement


def _check_in_context(request, room, form=None, pupil=None, refused=None, q=""):
    placement = None
    if pupil is not None and form is None:
        form, placement = _check_in_form(request, room, pupil)
    taken = room_taken(room, timezone.localdate())
    return {
        "room": room,
        "form": form,
        "pupil": pupil,
        "placement": placement,
        "q": q,
        "results": search_pupils(school=request.school, q=q) if q else [],
        "room_full": taken >= room.capacity,
        "needs_override": refused is not None and refused.code == "full",
        "existing_visit": refused.visit if refused is not None else None,
        "taken": taken,
        "zones": ZONE_BUTTONS,
    }


@school_view(Capability.RECORD)
def check_in(request, room_id):
    """Find a pupil, then one tap on their zone checks them in."""
    viewer, school = request.school_access, request.school
    room = access_room(viewer, school, room_id)
    if not room.is_active:
        messages.error(request, f"{room.name} is not in use: choose another room.")
        return redirect("reset_area:index", school_slug=school.slug)
    data = request.POST if request.method == "POST" else request.GET
    pupil = pupil_to_check_in(viewer, school, params.object_id(data.get("pupil")))
    if request.method != "POST":
        context = _check_in_context(request, room, pupil=pupil, q=params.text(request.GET.get("q")))
        return render(request, CHECK_IN_PART if request.htmx else CHECK_IN_PAGE, context)
    incidents = linkable_incidents(viewer, pupil) if pupil else Incident.objects.none()
    form, refused = CheckInForm(request.POST, room=room, incidents=incidents), None
    if form.is_valid():
        try:
            visit = services.check_in(
                actor=request.user,
                school=school,
                room=room,
                client=Client.of(request),
                **form.check_in_fields(),
            )
        except services.CheckInRefused as error:
            form.add_error(None, error.message)
            refused = error
        else:
            messages.success(request, f"{visit.pupil} checked in.")
            return redirect(board_url(request, room))
    context = _check_in_context(request, room, form=form, pupil=pupil, refused=refused)
    return render(request, CHECK_IN_PAGE, context)


@school_view(Capability.RECORD)
def pupil_search(request, room_id):
    """Search-as-you-type results: links that open the check-in form for a pupil, or (``pick``)
    radio buttons for the placement form. Name, year and form only."""
    room = access_room(request.school_access, request.school, room_id)
    q = params.text(request.GET.get("q"))
    if not request.htmx:
        url = reverse("reset_area:check_in", args=[request.school.slug, room.pk])
        return redirect(f"{url}?{urlencode({'q': q})}")
    return render(
        request,
        "reset_area/visits/_pupil_results.html",
        {
            "room": room,
            "q": q,
            "results": search_pupils(school=request.school, q=q),
            "pick": bool(request.GET.get("pick")),
        },
    )


# --- One visit ------------------------------------------------------------------------------


@school_view(Capability.RECORD)
def check_out(request, visit_id):
    """Check a pupil out, or correct a visit left open on an earlier day; not free to leave,
    with the seclusion's statutory record (the incidents app's one form and service)."""
    visit = access_visit(request.school_access, request.school, visit_id)
    if not visit.is_open:
        messages.info(request, f"{visit.pupil} was already checked out.")
        return redirect(_visit_url(request, visit))
    at, data = timezone.now(), (request.POST if request.method == "POST" else None)
    form = CheckOutForm(data, visit=visit, at=at)
    checked = data is not None and form.is_valid()
    carried = seclusion_carried(request.school_access, visit)
    seclusion = form.seclusion_form(school=request.school, actor=request.user, carried=carried)
    if checked and (not form.secluded or seclusion.is_valid()):
        try:
            services.check_out(
                actor=request.user,
                school=request.school,
                visit=visit,
                seclusion=seclusion.record_values() if form.secluded else None,
                client=Client.of(request),
                **form.check_out_fields(),
            )
        except ValidationError as error:
            add_check_out_errors(error, form, seclusion)
        except services.CheckOutRefused as refused:
            messages.info(request, str(refused))
            return redirect(board_url(request, visit.room))
        else:
            return _checked_out(request, visit, form.secluded)
    return _check_out_page(request, visit, form, seclusion, at)


def _checked_out(request, visit, secluded):
    """Back to the board, or (after a seclusion) to the visit, which says what is now owed."""
    if not secluded:
        messages.success(request, f"{visit.pupil} checked out.")
        return redirect(safe_next(request, board_url(request, visit.room)))
    messages.success(request, f"{visit.pupil} checked out. {SECLUSION_RECORDED}")
    return redirect(_visit_url(request, visit))


def _check_out_page(request, visit, form, seclusion, at):
    _audit_visit_view(request, visit, "check_out")
    return render(
        request,
        "reset_area/visits/check_out.html",
        {
            "visit": visit,
            "form": form,
            "seclusion": seclusion,
            "correcting": timezone.localdate(visit.arrived_at) < timezone.localdate(at),
            "profile_strategies": profile_strategies(request.school_access, visit.pupil),
        },
    )


def _audit_visit_view(request, visit, page):
    audit.record_page_view(
        request, AuditAction.RESET_VISIT_VIEW, target=visit, pupil=str(visit.pupil_id), page=page
    )


@school_view(*BOARD_VIEWERS)
def visit_detail(request, visit_id):
    visit = access_visit(request.school_access, request.school, visit_id)
    _audit_visit_view(request, visit, "visit")
    return render(
        request,
        "reset_area/visits/visit_detail.html",
        {
            "visit": visit,
            "strategies": list(visit.strategies.all()),
            "seclusion": seclusion_follow_up(request.school_access, visit),
        },
    )


@school_view(Capability.RECORD)
def link_incident(request, visit_id):
    """Link the incident the pupil came in after (often logged after the check-in)."""
    visit = access_visit(request.school_access, request.school, visit_id)
    incidents = linkable_incidents(
        request.school_access, visit.pupil, at=visit.arrived_at + timedelta(hours=12)
    )
    form = LinkIncidentForm(request.POST or None, incidents=incidents)
    if request.method == "POST" and form.is_valid():
        services.link_incident(
            actor=request.user,
            school=request.school,
            visit=visit,
            incident=form.cleaned_data["incident"],
            client=Client.of(request),
        )
        messages.success(request, "Incident linked.")
        return redirect(_visit_url(request, visit))
    _audit_visit_view(request, visit, "link_incident")
    return render(request, "reset_area/visits/link_incident.html", {"visit": visit, "form": form})


@school_view(Capability.RECORD)
def record_seclusion(request, visit_id):
    """Record afterwards that the pupil was prevented from leaving during this visit."""
    school = request.school
    visit = access_visit(request.school_access, school, visit_id)
    if visit.restrictive_intervention_id:
        messages.info(request, "This visit already has a seclusion record.")
        return redirect(_visit_url(request, visit))
    form = _seclusion_record_form(request, visit)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_seclusion(
                actor=request.user,
                school=school,
                visit=visit,
                seclusion=form.record_values(),
                client=Client.of(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.CheckOutRefused as refused:
            messages.info(request, str(refused))
            return redirect(_visit_url(request, visit))
        else:
            messages.success(request, SECLUSION_RECORDED)
            return redirect(_visit_url(request, visit))
    _audit_visit_view(request, visit, "seclusion")
    return render(request, "reset_area/visits/seclusion_form.html", {"visit": visit, "form": form})


def _seclusion_record_form(request, visit):
    """The record of a seclusion during ``visit``, recorded after the check-out (or while the
    pupil is still in: its times then run to now)."""
    return seclusion_form(
        request.POST or None,
        visit=visit,
        school=request.school,
        actor=request.user,
        until=visit.left_at or timezone.now(),
        carried=seclusion_carried(request.school_access, visit),
    )


# --- Reading the record ---------------------------------------------------------------------


@school_view(*BOARD_VIEWERS)
def register(request, room_id):
    """The day's register for a room: planned against attended, times in and out, outcomes."""
    room = access_room(request.school_access, request.school, room_id)
    today = timezone.localdate()
    day = params.day(request.GET.get("day"), today)
    audit.record_view(request, AuditAction.RESET_REGISTER_VIEW, target=room, day=day.isoformat())
    return render(
        request,
        "reset_area/visits/register.html",
        {
            "room": room,
            "day": day,
            "today": today,
            "previous": day - timedelta(days=3 if day.weekday() == 0 else 1),
            "next": day + timedelta(days=3 if day.weekday() == 4 else 1),
            **day_register(request.school_access, room=room, day=day),
        },
    )


def _range_form(request):
    return DateRangeForm(
        request.GET or None,
        school=request.school,
        default_range=default_range(request.school, timezone.localdate()),
    )


@school_view(Capability.DASHBOARDS)
def metrics_page(request):
    """Metrics for a room (or every room) over any date range."""
    form = _range_form(request)
    first, last = form.range()
    room = form.chosen_room()
    return render(
        request,
        "reset_area/visits/metrics.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "room": room,
            **metrics.room_metrics(request.school, first, last, room=room),
        },
    )


@school_view(Capability.DASHBOARDS)
def pupil_metrics(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = _range_form(request)
    first, last = form.range()
    audit.record_view(
        request, AuditAction.RESET_PUPIL_METRICS_VIEW, target=pupil, pupil=str(pupil.pk)
    )
    return render(
        request,
        "reset_area/visits/pupil_metrics.html",
        {
            "pupil": pupil,
            "form": form,
            "first": first,
            "last": last,
            **metrics.pupil_metrics(pupil, first, last),
        },
    )


@school_view(*PUPIL_READERS)
def pupil_visits(request, pupil_id):
    """The Reset Area section of the pupil page (loaded by htmx), or the same as a page."""
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    audit.record_view(
        request, AuditAction.RESET_PUPIL_VISITS_VIEW, target=pupil, pupil=str(pupil.pk)
    )
    template = (
        "reset_area/visits/_pupil_section.html"
        if request.htmx
        else "reset_area/visits/pupil_visits.html"
    )
    return render(request, template, {"pupil": pupil, **pupil_reset_summary(pupil)})
