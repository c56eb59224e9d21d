"""Writes of the attendance import: the shared batch flow (``services.import_batches``) with
attendance records as its rows. Reading the file is ``pupils.attendance_csv``."""

from django.utils import timezone

from pupils.attendance_csv import preview_attendance
from pupils.models import AttendanceRecord, PupilImport
from pupils.services.import_batches import (
    BATCH_SIZE,
    ImportKind,
    ImportOutcome,
    apply_batch,
    discard_batch,
    start_batch,
)
from semh.audit import AuditAction

RECORD_FIELDS = ("possible", "present", "authorised", "unauthorised", "late", "not_required")


def write_attendance(*, school, batch: PupilImport, preview) -> None:
    """Create the new periods and update the changed ones, each marked with the batch."""
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(
                pupil=row.pupil,
                starts_on=row.values["starts_on"],
                ends_on=row.values["ends_on"],
                source=batch,
                **{f: row.values.get(f) for f in RECORD_FIELDS},
            )
            for row in preview.new_rows
        ],
        batch_size=BATCH_SIZE,
    )
    now, records = timezone.now(), []
    for row in preview.update_rows:
        for f in RECORD_FIELDS:
            if f in row.values:
                setattr(row.existing, f, row.values[f])
        row.existing.source, row.existing.updated_at = batch, now
        records.append(row.existing)
    AttendanceRecord.objects.bulk_update(
        records, [*RECORD_FIELDS, "source", "updated_at"], batch_size=BATCH_SIZE
    )


ATTENDANCE_IMPORT = ImportKind(
    kind=PupilImport.Kind.ATTENDANCE,
    read=preview_attendance,
    write=write_attendance,
    default_filename="attendance.csv",
    fix_where="the export",
    upload_action=AuditAction.ATTENDANCE_IMPORT_UPLOAD,
    import_action=AuditAction.ATTENDANCE_IMPORT,
    discard_action=AuditAction.ATTENDANCE_IMPORT_DISCARD,
    audit_details=lambda preview: {"skipped": len(preview.skipped_rows)},
)


def start_attendance_import(
    *, actor, school, filename: str, text: str, encoding="UTF-8", client=None
) -> PupilImport:
    """Keep the decoded file as a batch to preview (no attendance is written)."""
    return start_batch(
        ATTENDANCE_IMPORT,
        actor=actor,
        school=school,
        filename=filename,
        text=text,
        encoding=encoding,
        client=client,
    )


def apply_attendance_import(*, actor, school, batch: PupilImport, client=None) -> ImportOutcome:
    """Write a previewed batch in one transaction, or nothing."""
    return apply_batch(ATTENDANCE_IMPORT, actor=actor, school=school, batch=batch, client=client)


def discard_attendance_import(*, actor, school, batch: PupilImport, client=None) -> bool:
    return discard_batch(ATTENDANCE_IMPORT, actor=actor, school=school, batch=batch, client=client)
