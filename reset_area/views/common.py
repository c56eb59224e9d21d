"""What every Reset Area view shares: who may do what, and objects of the viewer's school."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from semh.access import Capability

from ..models import MissingPupil, Room, Visit

RECORDERS = (Capability.RECORD,)
BOARD_VIEWERS = (Capability.RECORD, Capability.DASHBOARDS)
SETUP = (Capability.EDIT_PUPILS,)
TIMETABLE_VIEWERS = (Capability.RECORD, Capability.DASHBOARDS, Capability.EDIT_PUPILS)
METRICS = (Capability.DASHBOARDS,)
PUPIL_READERS = (Capability.VIEW_ALL_PUPILS, Capability.VIEW_CASELOAD_PUPILS)


def room_for(request, room_id) -> Room:
    return get_object_or_404(Room, pk=room_id, school=request.school)


def visit_for(request, visit_id) -> Visit:
    return get_object_or_404(
        Visit.objects.select_related(
            "room", "pupil", "period", "referred_by", "incident", "restrictive_intervention"
        ),
        pk=visit_id,
        school=request.school,
    )


def missing_for(request, missing_id) -> MissingPupil:
    return get_object_or_404(
        MissingPupil.objects.select_related(
            "placement__pupil", "placement__room", "placement__period"
        ),
        pk=missing_id,
        placement__room__school=request.school,
    )


def poll_seconds() -> int:
    """How often the live board refreshes itself."""
    return getattr(settings, "SEMH_RESET_BOARD_POLL_SECONDS", 15)


def safe_next(request, fallback: str) -> str:
    """A same-site ``next`` address from the form, or the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback
