"""Import pupils from the school's MIS: upload → preview → confirm (SENCo only)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pupils.forms_imports import ImportUploadForm
from pupils.imports import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    ImportConflict,
    ImportFileError,
    ImportRefused,
    apply_import,
    discard_import,
    preview_import,
    start_import,
)
from pupils.models import PupilImport
from semh.access import Capability
from semh.decorators import school_view


def _import_for(request, import_id) -> PupilImport:
    """A batch of this school, or 404."""
    try:
        return PupilImport.objects.select_related("uploaded_by").get(
            pk=import_id, school=request.school
        )
    except PupilImport.DoesNotExist:
        raise Http404 from None


def _to_preview(request, pupil_import):
    return redirect(
        "pupils:import_preview", school_slug=request.school.slug, import_id=pupil_import.pk
    )


@school_view(Capability.EDIT_PUPILS)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pupil_import = start_import(
            school=request.school,
            user=request.user,
            filename=form.cleaned_data["file"].name,
            text=form.cleaned_data["text"],
            request=request,
        )
        return _to_preview(request, pupil_import)
    recent = PupilImport.objects.filter(school=request.school).select_related("uploaded_by")[:10]
    return render(
        request,
        "pupils/imports/upload.html",
        {
            "form": form,
            "recent": recent,
            "columns": COLUMNS,
            "max_mb": MAX_BYTES // 1024 // 1024,
            "max_rows": MAX_ROWS,
        },
    )


@school_view(Capability.EDIT_PUPILS)
def import_preview(request, import_id):
    pupil_import = _import_for(request, import_id)
    preview, problem = None, ""
    if pupil_import.status == PupilImport.Status.PREVIEWED:
        try:
            preview = preview_import(school=request.school, text=pupil_import.content)
        except ImportFileError as error:
            problem = error.message
    return render(
        request,
        "pupils/imports/preview.html",
        {"pupil_import": pupil_import, "preview": preview, "problem": problem},
    )


@school_view(Capability.EDIT_PUPILS)
@require_POST
def import_confirm(request, import_id):
    pupil_import = _import_for(request, import_id)
    try:
        outcome = apply_import(pupil_import=pupil_import, user=request.user, request=request)
    except ImportRefused as refused:
        messages.error(request, f"Nothing was imported: {refused.message}")
    except ImportConflict:
        messages.error(
            request,
            "Nothing was imported: the pupils changed while importing (someone may have added "
            "one of these UPNs). Upload the file again to see a fresh preview.",
        )
    else:
        if outcome.done:
            messages.success(
                request,
                f"Imported: {outcome.created} new, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged.",
            )
        else:
            messages.info(request, "This file was already dealt with; nothing was changed.")
    return _to_preview(request, pupil_import)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def import_discard(request, import_id):
    pupil_import = _import_for(request, import_id)
    if discard_import(pupil_import=pupil_import, user=request.user, request=request):
        messages.success(request, "Upload discarded; nothing was imported.")
    return redirect("pupils:import", school_slug=request.school.slug)
