"""Import pupils from the school's MIS: upload → preview → confirm (SENCo only)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pupils.forms.mis_import import ImportUploadForm
from pupils.mis import COLUMNS, MAX_BYTES, MAX_ROWS, ImportFileError, preview_import
from pupils.models import PupilImport
from pupils.selectors import access_import, recent_imports
from pupils.services.mis_import import (
    ImportConflict,
    ImportRefused,
    apply_import,
    discard_import,
    start_import,
)
from semh.access import Capability
from semh.audit import Client
from semh.decorators import school_view

CONFLICT = (
    "Nothing was imported: the pupils changed while importing (someone may have added one of "
    "these UPNs). Upload the file again to see a fresh preview."
)


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _to_preview(request, pupil_import):
    return redirect(
        "pupils:import_preview", school_slug=request.school.slug, import_id=pupil_import.pk
    )


@school_view(Capability.EDIT_PUPILS)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pupil_import = start_import(
            **_who(request),
            filename=form.cleaned_data["file"].name,
            text=form.cleaned_data["text"],
            encoding=form.cleaned_data["encoding"],
        )
        return _to_preview(request, pupil_import)
    context = {
        "form": form,
        "recent": recent_imports(request.school),
        "columns": COLUMNS,
        "max_mb": MAX_BYTES // 1024 // 1024,
        "max_rows": MAX_ROWS,
    }
    return render(request, "pupils/mis_import/upload.html", context)


@school_view(Capability.EDIT_PUPILS)
def import_preview(request, import_id):
    pupil_import = access_import(request.school_access, request.school, import_id)
    preview, problem = None, ""
    if pupil_import.status == PupilImport.Status.PREVIEWED:
        try:
            preview = preview_import(school=request.school, text=pupil_import.content)
        except ImportFileError as error:
            problem = error.message
    context = {"pupil_import": pupil_import, "preview": preview, "problem": problem}
    return render(request, "pupils/mis_import/preview.html", context)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def import_confirm(request, import_id):
    pupil_import = access_import(request.school_access, request.school, import_id)
    try:
        outcome = apply_import(**_who(request), pupil_import=pupil_import)
    except ImportRefused as refused:
        messages.error(request, f"Nothing was imported: {refused.message}")
    except ImportConflict:
        messages.error(request, CONFLICT)
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
    pupil_import = access_import(request.school_access, request.school, import_id)
    if discard_import(**_who(request), pupil_import=pupil_import):
        messages.success(request, "Upload discarded; nothing was imported.")
    return redirect("pupils:import", school_slug=request.school.slug)
