"""Writes of the MIS import: keep an upload to preview, apply it in one transaction, or discard it.

Reading and validating the file is ``pupils.mis``; the rules are in its docstring.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from pupils.mis import ImportFileError, ImportPreview, preview_import
from pupils.models import Pupil, PupilImport
from semh import audit
from semh.audit import AuditAction

BATCH_SIZE = 500


class ImportRefused(Exception):
    """The batch has row errors (or no longer reads), so it is not imported (nothing partial)."""

    def __init__(self, message: str, error_rows: int = 0):
        super().__init__(message)
        self.message = message
        self.error_rows = error_rows


class ImportConflict(Exception):
    """The pupils changed under the import (e.g. someone added one of its UPNs meanwhile)."""


@dataclass(frozen=True)
class ImportOutcome:
    done: bool  # False: the batch was not pending (already imported or discarded)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def start_import(
    *, actor, school, filename: str, text: str, encoding: str = "UTF-8", client=None
) -> PupilImport:
    """Keep the decoded file (and the encoding it was read as) as a batch to preview (nothing is
    written to pupils)."""
    preview = preview_import(school=school, text=text)
    pupil_import = PupilImport.objects.create(
        school=school,
        uploaded_by=actor,
        filename=(filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1][:255],
        content=text,
        encoding=encoding,
        row_count=len(preview.rows),
        error_count=len(preview.error_rows),
    )
    audit.record(
        actor=actor,
        action=AuditAction.PUPIL_IMPORT_UPLOAD,
        school=school,
        target=pupil_import,
        client=client,
        rows=pupil_import.row_count,
        error_rows=pupil_import.error_count,
    )
    return pupil_import


def write_pupils(*, school, preview: ImportPreview) -> None:
    """Create the new pupils and update the changed ones: a few bulk queries, no per-row save."""
    Pupil.objects.bulk_create(
        [Pupil(school=school, **row.values) for row in preview.new_rows], batch_size=BATCH_SIZE
    )
    changed_fields = {f for row in preview.update_rows for f in row.changes}
    if not changed_fields:
        return
    now = timezone.now()
    pupils = []
    for row in preview.update_rows:
        for field_name in row.changes:
            setattr(row.existing, field_name, row.values[field_name])
        row.existing.updated_at = now  # bulk_update skips auto_now
        pupils.append(row.existing)
    Pupil.objects.bulk_update(
        pupils, sorted(changed_fields | {"updated_at"}), batch_size=BATCH_SIZE
    )


def apply_import(*, actor, school, pupil_import: PupilImport, client=None) -> ImportOutcome:
    """Import a previewed batch in one transaction, or nothing at all.

    Raises ``ImportRefused`` if any row has an error and ``ImportConflict`` if the pupils changed
    underneath (e.g. a UPN added by someone else meanwhile); in both cases nothing is saved.
    """
    try:
        with transaction.atomic():
            return _apply(actor=actor, school=school, pupil_import=pupil_import, client=client)
    except IntegrityError:
        raise ImportConflict from None


def _apply(*, actor, school, pupil_import, client) -> ImportOutcome:
    pending = PupilImport.objects.filter(
        pk=pupil_import.pk, school=school, status=PupilImport.Status.PREVIEWED
    )
    # Claim the batch: a second confirm (double click, two tabs) finds nothing to claim.
    if not pending.update(status=PupilImport.Status.IMPORTED, imported_at=timezone.now()):
        return ImportOutcome(done=False)
    try:
        preview = preview_import(school=school, text=pupil_import.content)
    except ImportFileError as error:  # rolls the claim back too
        raise ImportRefused(error.message) from None
    if not preview.can_import:
        rows = len(preview.error_rows)
        raise ImportRefused(
            f"{rows} row{'s have' if rows > 1 else ' has'} errors. Fix them in the MIS export "
            "and upload the file again.",
            error_rows=rows,
        )
    write_pupils(school=school, preview=preview)
    outcome = ImportOutcome(
        done=True,
        created=len(preview.new_rows),
        updated=len(preview.update_rows),
        unchanged=len(preview.unchanged_rows),
    )
    PupilImport.objects.filter(pk=pupil_import.pk, school=school).update(
        content="",
        row_count=len(preview.rows),
        error_count=0,
        created_count=outcome.created,
        updated_count=outcome.updated,
    )
    audit.record(
        actor=actor,
        action=AuditAction.PUPIL_IMPORT,
        school=school,
        target=pupil_import,
        client=client,
        rows=len(preview.rows),
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
    )
    pupil_import.refresh_from_db()
    return outcome


@transaction.atomic
def discard_import(*, actor, school, pupil_import: PupilImport, client=None) -> bool:
    """Throw a previewed batch away (its text is cleared). False if it was not pending."""
    discarded = PupilImport.objects.filter(
        pk=pupil_import.pk, school=school, status=PupilImport.Status.PREVIEWED
    ).update(status=PupilImport.Status.DISCARDED, content="")
    if discarded:
        audit.record(
            actor=actor,
            action=AuditAction.PUPIL_IMPORT_DISCARD,
            school=school,
            target=pupil_import,
            client=client,
        )
        pupil_import.refresh_from_db()
    return bool(discarded)
