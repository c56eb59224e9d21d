"""Import school attendance from the MIS: upload → preview → confirm (SENCo only)."""

from django.views.decorators.http import require_POST

from pupils.attendance_csv import ATTENDANCE_COLUMNS, TEMPLATE_HEADINGS
from pupils.forms.attendance_import import AttendanceUploadForm
from pupils.services.attendance_import import ATTENDANCE_IMPORT
from pupils.views.import_batches import ImportPages
from semh.access import Capability
from semh.decorators import school_view
from semh.spreadsheet import csv_response

PAGES = ImportPages(
    kind=ATTENDANCE_IMPORT,
    form_class=AttendanceUploadForm,
    columns=ATTENDANCE_COLUMNS,
    url_name="pupils:attendance_import",
    id_kwarg="attendance_import_id",
    templates="pupils/attendance_import",
    imported="Attendance imported",
    conflict=(
        "Nothing was imported: the attendance changed while importing. Upload the file again to "
        "see a fresh preview."
    ),
)


@school_view(Capability.EDIT_PUPILS)
def attendance_upload(request):
    return PAGES.upload(request)


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
    return PAGES.preview(request, attendance_import_id)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def attendance_confirm(request, attendance_import_id):
    return PAGES.confirm(request, attendance_import_id)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def attendance_discard(request, attendance_import_id):
    return PAGES.discard(request, attendance_import_id)
