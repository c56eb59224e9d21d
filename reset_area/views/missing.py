"""Resolving a missing-pupil flag: arrived, absent from school, or session cancelled."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from semh.access import Capability
from semh.audit import Client
from semh.decorators import school_view

from ..forms.missing import ResolveMissingForm
from ..models import Resolution
from ..selectors import access_missing
from ..services import missing as services
from .visits import board_url, safe_next

# What one tap on the board may record (no note).
QUICK_RESOLUTIONS = (Resolution.ABSENT, Resolution.CANCELLED)


@school_view(Capability.RECORD)
def resolve_missing(request, missing_id):
    """Resolve a missing-pupil flag, with a note if need be."""
    missing = access_missing(request.school_access, request.school, missing_id)
    back = safe_next(request, board_url(request, missing.placement.room))
    form = ResolveMissingForm(request.POST or None, initial={"resolution": request.GET.get("as")})
    if request.method == "POST" and form.is_valid():
        services.resolve_missing(
            actor=request.user,
            school=request.school,
            missing=missing,
            resolution=form.cleaned_data["resolution"],
            note=form.cleaned_data["note"],
            client=Client.of(request),
        )
        messages.success(request, f"Resolved: {missing.placement.pupil}.")
        return redirect(back)
    return render(
        request,
        "reset_area/missing/resolve_missing.html",
        {"missing": missing, "form": form, "next": back},
    )


@school_view(Capability.RECORD)
@require_POST
def quick_resolve(request, missing_id):
    """One tap on the board: absent from school, or session cancelled (no note)."""
    missing = access_missing(request.school_access, request.school, missing_id)
    resolution = request.POST.get("resolution")
    if resolution in QUICK_RESOLUTIONS:
        services.resolve_missing(
            actor=request.user,
            school=request.school,
            missing=missing,
            resolution=resolution,
            client=Client.of(request),
        )
        messages.success(request, f"Resolved: {missing.placement.pupil}.")
    else:
        messages.error(request, "Choose how it was resolved.")
    return redirect(safe_next(request, board_url(request, missing.placement.room)))
