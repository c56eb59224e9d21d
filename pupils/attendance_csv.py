"""Reading an attendance export (one row per pupil and period): parsing, row checks and the
preview. Nothing here writes; the writes are ``pupils.services.attendance_import``. Decoding,
the size limits and the CSV parsing are the MIS pupil import's (``pupils.mis``).

The rules (the upload page says the same):

- **Matched by UPN within the school.** A UPN the school does not have is a warning in the
  preview and the row is skipped; pupils are never created by this import.
- **One row per pupil and period** (From, To). Importing the same file again changes nothing; a
  corrected file updates the periods it has.
- **Sessions add up.** Present + authorised + unauthorised ≤ possible, all whole numbers ≥ 0.
- **Nothing partial.** Any row error blocks the import; fix the export and upload it again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from pupils.mis import (
    BadValue,
    Column,
    ParsedFile,
    RowError,
    _cell,
    _shown,
    clean_upn,
    parse_csv,
    parse_uk_date,
)
from pupils.models import AttendanceRecord, Pupil, percent, rate_of
from semh.spreadsheet import FORMULA_STARTS

# Headings of our template first, then common variants. Not the MIS exports' own headings: their
# public help pages (SIMS, Arbor, Bromcom) publish none to check against, so a file whose headings
# are not recognised is renamed to the template's (the upload page and README say so).
ATTENDANCE_COLUMNS: tuple[Column, ...] = (
    Column("upn", "UPN", ("UPN", "Unique Pupil Number", "Pupil UPN", "Student UPN"), required=True),
    Column("legal_last_name", "Legal surname", ("Legal Surname", "Surname", "Last Name")),
    Column("legal_first_name", "Legal forename", ("Legal Forename", "Forename", "First Name")),
    Column(
        "starts_on",
        "From",
        ("From", "Start Date", "Period Start", "Date From", "Week Beginning", "Week Commencing"),
        required=True,
    ),
    Column("ends_on", "To", ("To", "End Date", "Period End", "Date To"), required=True),
    Column(
        "possible",
        "Possible sessions",
        ("Possible Sessions", "Possible", "Possible Marks", "Sessions Possible"),
        required=True,
    ),
    Column(
        "present",
        "Present",
        ("Present", "Present Sessions", "Attended", "Attended Sessions", "Present Marks"),
        required=True,
    ),
    Column(
        "authorised",
        "Authorised absence",
        ("Authorised Absence", "Authorised Absences", "Authorised", "Authorised Absence Sessions"),
        required=True,
    ),
    Column(
        "unauthorised",
        "Unauthorised absence",
        (
            "Unauthorised Absence",
            "Unauthorised Absences",
            "Unauthorised",
            "Unauthorised Absence Sessions",
        ),
        required=True,
    ),
    Column("late", "Late", ("Late", "Lates", "Late Sessions")),
    Column(
        "not_required",
        "Attendance not required",
        ("Attendance Not Required", "Not Required", "Not Required Sessions"),
    ),
)
TEMPLATE_HEADINGS = [c.headings[0] for c in ATTENDANCE_COLUMNS]
COUNT_FIELDS = ("possible", "present", "authorised", "unauthorised", "late", "not_required")
MAX_SESSIONS = 1000  # more than a school year has (about 380)
EXAMPLE = "UPN, Legal Surname, From, To, Possible Sessions, Present …"


def parse_attendance_csv(text: str) -> ParsedFile:
    return parse_csv(text, ATTENDANCE_COLUMNS, noun="rows", example=EXAMPLE)


def clean_count(value: str, label: str, required: bool) -> int | None:
    if not value:
        if required:
            raise BadValue(f"{label} is missing.")
        return None
    number = value.replace(",", "")
    if number.endswith(".0"):
        number = number[:-2]
    if not number.isascii() or not number.isdigit():
        raise BadValue(f"{label} “{_shown(value)}” is not a whole number of sessions.")
    if int(number) > MAX_SESSIONS:
        raise BadValue(f"{label} {_shown(value)} is more sessions than a school year has.")
    return int(number)


def clean_period_date(value: str, label: str) -> datetime.date:
    if not value:
        raise BadValue(f"{label} date is missing.")
    try:
        day = parse_uk_date(value)
    except BadValue:
        raise BadValue(f"{label} “{_shown(value)}” is not a date (dd/mm/yyyy).") from None
    if not datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise BadValue(f"{label} {day:%d/%m/%Y} is not a plausible school date.")
    return day


@dataclass
class AttendanceRow:
    number: int
    raw: dict[str, str]
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    pupil: Pupil | None = None
    existing: AttendanceRecord | None = None

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.pupil is None:
            return "skip"
        if self.existing is None:
            return "create"
        return "update" if self.changes else "unchanged"

    @property
    def changes(self) -> list[str]:
        if self.existing is None:
            return []
        return [
            f
            for f in COUNT_FIELDS
            if f in self.values and getattr(self.existing, f) != self.values[f]
        ]

    @property
    def name(self) -> str:
        if self.pupil is not None:
            return self.pupil.full_name
        return (
            f"{self.raw.get('legal_first_name', '')} {self.raw.get('legal_last_name', '')}".strip()
        )

    @property
    def upn(self) -> str:
        return self.values.get("upn") or self.raw.get("upn", "")

    @property
    def rate_shown(self) -> str:
        return percent(rate_of(self.values.get("present"), self.values.get("possible")))


def clean_attendance_row(number: int, cells: list[str], parsed: ParsedFile) -> AttendanceRow:
    row = AttendanceRow(number=number, raw={f: _cell(cells, i) for f, i in parsed.columns.items()})
    by_field = {c.field: c for c in ATTENDANCE_COLUMNS}

    def error(field_name, message):
        row.errors.append(RowError(number, parsed.heading(field_name), message))

    for field_name, value in row.raw.items():
        column = by_field[field_name]
        try:
            if field_name == "upn":
                row.values["upn"] = clean_upn(value)
            elif field_name in ("starts_on", "ends_on"):
                row.values[field_name] = clean_period_date(value, column.label)
            elif field_name in COUNT_FIELDS:
                row.values[field_name] = clean_count(value, column.label, column.required)
            elif value.startswith(FORMULA_STARTS):
                raise BadValue(
                    f"“{_shown(value)}” begins with “{value[0]}”, which a spreadsheet could run "
                    "as a formula. Remove it from the name and upload the file again."
                )
        except BadValue as problem:
            error(field_name, str(problem))
    values = row.values
    if "starts_on" in values and "ends_on" in values and values["ends_on"] < values["starts_on"]:
        error(
            "ends_on",
            f"To {values['ends_on']:%d/%m/%Y} is before From {values['starts_on']:%d/%m/%Y}.",
        )
    counted = [values.get(f) for f in ("possible", "present", "authorised", "unauthorised")]
    if not row.errors and None not in counted:
        possible, present, authorised, unauthorised = counted
        if present + authorised + unauthorised > possible:
            error(
                "present",
                f"Present {present} + authorised {authorised} + unauthorised {unauthorised} is "
                f"more than the {possible} possible sessions.",
            )
    return row


@dataclass
class AttendancePreview:
    parsed: ParsedFile
    rows: list[AttendanceRow]

    @cached_property
    def _by_action(self):
        grouped = {a: [] for a in ("create", "update", "unchanged", "skip", "error")}
        for row in self.rows:
            grouped[row.action].append(row)
        return grouped

    new_rows = property(lambda self: self._by_action["create"])
    update_rows = property(lambda self: self._by_action["update"])
    unchanged_rows = property(lambda self: self._by_action["unchanged"])
    skipped_rows = property(lambda self: self._by_action["skip"])
    error_rows = property(lambda self: self._by_action["error"])

    @property
    def errors(self) -> list[RowError]:
        return [e for row in self.error_rows for e in row.errors]

    @property
    def warnings(self) -> list[RowError]:
        return [w for row in self.rows if not row.errors for w in row.warnings]

    @property
    def warning_rows(self) -> list[AttendanceRow]:
        return [row for row in self.rows if row.warnings and not row.errors]

    @property
    def can_import(self) -> bool:
        return not self.error_rows


def build_attendance_preview(parsed: ParsedFile, pupils: dict, records: dict) -> AttendancePreview:
    """Rows checked and matched: ``pupils`` by UPN, ``records`` by (pupil id, from, to)."""
    rows = []
    first_row_of: dict[tuple, int] = {}
    for number, cells in parsed.rows:
        row = clean_attendance_row(number, cells, parsed)
        if not row.errors:
            key = (row.values["upn"], row.values["starts_on"], row.values["ends_on"])
            if key in first_row_of:
                row.errors.append(
                    RowError(
                        number,
                        parsed.heading("upn"),
                        f"UPN {key[0]} for {key[1]:%d/%m/%Y}–{key[2]:%d/%m/%Y} is also on row "
                        f"{first_row_of[key]}: each pupil and period must appear once.",
                    )
                )
            else:
                first_row_of[key] = number
        if not row.errors:
            row.pupil = pupils.get(row.values["upn"])
            if row.pupil is None:
                row.warnings.append(
                    RowError(
                        number,
                        parsed.heading("upn"),
                        f"No pupil with UPN {row.values['upn']} in this school: the row is "
                        "skipped (add the pupil with the MIS import first).",
                    )
                )
            else:
                row.existing = records.get(
                    (row.pupil.pk, row.values["starts_on"], row.values["ends_on"])
                )
        rows.append(row)
    return AttendancePreview(parsed=parsed, rows=rows)


def preview_attendance(*, school, text: str) -> AttendancePreview:
    """Two queries: the school's pupils with the file's UPNs and their records in its dates."""
    parsed = parse_attendance_csv(text)
    index = parsed.columns["upn"]
    upns = set()
    for _, cells in parsed.rows:
        try:
            upns.add(clean_upn(_cell(cells, index)))
        except BadValue:
            continue
    pupils = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=list(upns)).order_by()}
    records = {
        (r.pupil_id, r.starts_on, r.ends_on): r
        for r in AttendanceRecord.objects.filter(pupil__in=list(pupils.values())).order_by()
    }
    return build_attendance_preview(parsed, pupils, records)
