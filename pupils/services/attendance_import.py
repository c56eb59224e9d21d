"""Writes of the attendance import: keep an upload to preview, apply it in one transaction, or
discard it. Reading the file is ``pupils.attendance_csv``; the batch is a ``PupilImport`` of
kind *attendance*, claimed and refused like the MIS pupil import's."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from pupils.attendance_csv import preview_attendance
from pupils.mis import ImportFileError
from pupils.models import AttendanceRecord, PupilImport
from pupils.services.mis_import import BATCH_SIZE, ImportConflict, ImportOutcome, ImportRefused
from semh import audit
from semh.audit import AuditAction

KIND = PupilImport.Kind.ATTENDANCE
RECORD_FIELDS = ("possible", "present", "authorised", "unauthorised", "late", "not_required")


@transaction.atomic
def start_attendance_import(
    *, actor, school, filename: str, text: str, encoding: str = "UTF-8", client=None
) -> PupilImport:
    """Keep the decoded file as a batch to preview (no attendance is written)."""
    preview = preview_attendance(school=school, text=text)
    batch = PupilImport.objects.create(
        school=school,
        kind=KIND,
        uploaded_by=actor,
        filename=(filename or "attendance.csv").replace("\\", "/").rsplit("/", 1)[-1][:255],
        content=text,
        encoding=encoding,
        row_count=len(preview.rows),
        error_count=len(preview.error_rows),
    )
    audit.record(
        actor=actor,
        action=AuditAction.ATTENDANCE_IMPORT_UPLOAD,
        school=school,
        target=batch,
        client=client,
        rows=batch.row_count,
        error_rows=batch.error_count,
    )
    return batch


def apply_attendance_import(*, actor, school, batch: PupilImport, client=None) -> ImportOutcome:
    """Write a previewed batch in one transaction, or nothing (``ImportRefused`` for row errors,
    ``ImportConflict`` if the records changed underneath)."""
    try:
        with transaction.atomic():
            return _apply(actor=actor, school=school, batch=batch, client=client)
    except IntegrityError:
        raise ImportConflict from None


def _apply(*, actor, school, batch, client) -> ImportOutcome:
    pending = PupilImport.objects.filter(
        pk=batch.pk, school=school, kind=KIND, status=PupilImport.Status.PREVIEWED
    )
    if not pending.update(status=PupilImport.Status.IMPORTED, imported_at=timezone.now()):
        return ImportOutcome(done=False)
    try:
        preview = preview_attendance(school=school, text=batch.content)
    except ImportFileError as error:
        raise ImportRefused(error.message) from None
    if not preview.can_import:
        rows = len(preview.error_rows)
        raise ImportRefused(
            f"{rows} row{'s have' if rows > 1 else ' has'} errors. Fix them in the export and "
            "upload the file again.",
            error_rows=rows,
        )
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
    outcome = ImportOutcome(
        done=True,
        created=len(preview.new_rows),
        updated=len(preview.update_rows),
        unchanged=len(preview.unchanged_rows),
    )
    PupilImport.objects.filter(pk=batch.pk).update(
        content="",
        row_count=len(preview.rows),
        error_count=0,
        created_count=outcome.created,
        updated_count=outcome.updated,
    )
    audit.record(
        actor=actor,
        action=AuditAction.ATTENDANCE_IMPORT,
        school=school,
        target=batch,
        client=client,
        rows=len(preview.rows),
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        skipped=len(preview.skipped_rows),
    )
    batch.refresh_from_db()
    return outcome


@transaction.atomic
def discard_attendance_import(*, actor, school, batch: PupilImport, client=None) -> bool:
    discarded = PupilImport.objects.filter(
        pk=batch.pk, school=school, kind=KIND, status=PupilImport.Status.PREVIEWED
    ).update(status=PupilImport.Status.DISCARDED, content="")
    if discarded:
        audit.record(
            actor=actor,
            action=AuditAction.ATTENDANCE_IMPORT_DISCARD,
            school=school,
            target=batch,
            client=client,
        )
        batch.refresh_from_db()
    return bool(discarded)
