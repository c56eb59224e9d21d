"""Writes of the MIS pupil import: the shared batch flow (``services.import_batches``) with the
pupils as its rows.

Reading and validating the file is ``pupils.mis``; the rules are in its docstring.
"""

from django.utils import timezone

from pupils.mis import ImportPreview, preview_import
from pupils.models import Pupil, PupilImport
from pupils.services.import_batches import (
    BATCH_SIZE,
    ImportConflict,
    ImportKind,
    ImportOutcome,
    ImportRefused,
    apply_batch,
    discard_batch,
    start_batch,
)
from semh.audit import AuditAction

__all__ = [
    "ImportConflict",
    "ImportOutcome",
    "ImportRefused",
    "apply_import",
    "discard_import",
    "start_import",
    "write_pupils",
]


def write_pupils(*, school, preview: ImportPreview, batch=None) -> None:
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


PUPIL_IMPORT = ImportKind(
    kind=PupilImport.Kind.PUPILS,
    read=preview_import,
    write=write_pupils,
    default_filename="upload.csv",
    fix_where="the MIS export",
    upload_action=AuditAction.PUPIL_IMPORT_UPLOAD,
    import_action=AuditAction.PUPIL_IMPORT,
    discard_action=AuditAction.PUPIL_IMPORT_DISCARD,
)


def start_import(*, actor, school, filename: str, text: str, encoding="UTF-8", client=None):
    """Keep the decoded file as a batch to preview (nothing is written to pupils)."""
    return start_batch(
        PUPIL_IMPORT,
        actor=actor,
        school=school,
        filename=filename,
        text=text,
        encoding=encoding,
        client=client,
    )


def apply_import(*, actor, school, pupil_import: PupilImport, client=None) -> ImportOutcome:
    """Import a previewed batch of pupils in one transaction, or nothing at all."""
    return apply_batch(PUPIL_IMPORT, actor=actor, school=school, batch=pupil_import, client=client)


def discard_import(*, actor, school, pupil_import: PupilImport, client=None) -> bool:
    return discard_batch(
        PUPIL_IMPORT, actor=actor, school=school, batch=pupil_import, client=client
    )
