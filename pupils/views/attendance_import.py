"""Import school attendance from the MIS: upload → preview → confirm (SENCo only)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pupils.attendance_csv import ATTENDANCE_COLUMNS, TEMPLATE_HEADINGS, preview_attendance
from pupils.forms.attendance_import import AttendanceUploadForm
from pupils.mis import MAX_BYTES, MAX_ROWS, ImportFileError
from pupils.models import PupilImport
from pupils.selectors import access_import, recent_imports
from pupils.services.attendance_import import (
    apply_attendance_import,
    discard_attendance_import,
    start_attendance_import,
)
from pupils.services.mis_import import ImportConflict, ImportRefused
from semh.access import Capability
from semh.audit import Client
from semh.decorators import school_view
from semh.spreadsheet import csv_response

KIND = PupilImport.Kind.ATTENDANCE
CONFLICT = (
    "Nothing was imported: the attendance changed while importing. Upload the file again to see "
    "a fresh preview."
)


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _to_preview(request, batch):
    return redirect(
        "pupils:attendance_import_preview",
        school_slug=request.school.slug,
        attendance_import_id=batch.pk,
    )


@school_view(Capability.EDIT_PUPILS)
def attendance_upload(request):
    form = AttendanceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = start_attendance_import(
            **_who(request),
            filename=form.cleaned_data["file"].name,
            text=form.cleaned_data["text"],
            encoding=form.cleaned_data["encoding"],
        )
        return _to_preview(request, batch)
    context = {
        "form": form,
        "recent": recent_imports(request.school, kind=KIND),
        "columns": ATTENDANCE_COLUMNS,
        "max_mb": MAX_BYTES // 1024 // 1024,
        "max_rows": MAX_ROWS,
    }
    return render(request, "pupils/attendance_import/upload.html", context)


@school_view(Capability.EDIT_PUPILS)
def attendance_template(request):
    """The documented template: headings and one example row."""
    example = ["A123456789012", "Smith", "Ann", "07/09/2026", "11/09/2026", 10, 9, 1, 0, 0, 0]
    return csv_response(
        school=request.school,
        filename="attendance-template.csv",
        header=TEMPLATE_HEADINGS,
        rows=[example],
    )


@school_view(Capability.EDIT_PUPILS)
def attendance_preview(request, attendance_import_id):
    batch = access_import(request.school_access, request.school, attendance_import_id, kind=KIND)
    preview, problem = None, ""
    if batch.status == PupilImport.Status.PREVIEWED:
        try:
            preview = preview_attendance(school=request.school, text=batch.content)
        except ImportFileError as error:
            problem = error.message
    context = {"batch": batch, "preview": preview, "problem": problem}
    return render(request, "pupils/attendance_import/preview.html", context)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def attendance_confirm(request, attendance_import_id):
    batch = access_import(request.school_access, request.school, attendance_import_id, kind=KIND)
    try:
        outcome = apply_attendance_import(**_who(request), batch=batch)
    except ImportRefused as refused:
        messages.error(request, f"Nothing was imported: {refused.message}")
    except ImportConflict:
        messages.error(request, CONFLICT)
    else:
        if outcome.done:
            messages.success(
                request,
                f"Attendance imported: {outcome.created} new, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged.",
            )
        else:
            messages.info(request, "This file was already dealt with; nothing was changed.")
    return _to_preview(request, batch)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def attendance_discard(request, attendance_import_id):
    batch = access_import(request.school_access, request.school, attendance_import_id, kind=KIND)
    if discard_attendance_import(**_who(request), batch=batch):
        messages.success(request, "Upload discarded; nothing was imported.")
    return redirect("pupils:attendance_import", school_slug=request.school.slug)
