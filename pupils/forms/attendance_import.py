from pupils.attendance_csv import parse_attendance_csv
from pupils.forms.mis_import import ImportUploadForm
from pupils.mis import MAX_BYTES, MAX_ROWS


class AttendanceUploadForm(ImportUploadForm):
    """The attendance export to preview; whole-file checks as the pupil import's."""

    parse = staticmethod(parse_attendance_csv)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Attendance export (CSV file)"
        self.fields["file"].help_text = (
            f"A .csv file of up to {MAX_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} rows, one row "
            "per pupil and period (a week or a term), column headings in the first row."
        )
