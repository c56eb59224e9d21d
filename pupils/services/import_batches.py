"""The flow every CSV import shares: keep an upload as a ``PupilImport`` batch to preview, apply it
once in one transaction (or nothing), or discard it.

Each import describes its own parts in an ``ImportKind`` (how to read its file, how to write its
rows, its audit actions) and calls ``start_batch``, ``apply_batch`` and ``discard_batch``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from pupils.mis import ImportFileError
from pupils.models import PupilImport
from semh import audit

BATCH_SIZE = 500


class ImportRefused(Exception):
    """The batch has row errors (or no longer reads), so it is not imported (nothing partial)."""

    def __init__(self, message: str, error_rows: int = 0):
        super().__init__(message)
        self.message = message
        self.error_rows = error_rows


class ImportConflict(Exception):
    """The rows changed under the import (e.g. someone added one of its UPNs meanwhile)."""


@dataclass(frozen=True)
class ImportOutcome:
    done: bool  # False: the batch was not pending (already imported or discarded)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _no_details(preview) -> dict:
    return {}


@dataclass(frozen=True)
class ImportKind:
    """What one import brings to the shared flow."""

    kind: str  # PupilImport.Kind
    read: Callable  # (school=, text=) -> a preview with rows, new/update/unchanged/error rows
    write: Callable  # (school=, batch=, preview=) -> None: saves the new and changed rows
    default_filename: str
    fix_where: str  # "the MIS export": where the SENCo fixes row errors
    upload_action: str
    import_action: str
    discard_action: str
    audit_details: Callable = field(default=_no_details)  # preview -> extra audit fields


def _base_name(filename: str, default: str) -> str:
    return (filename or default).replace("\\", "/").rsplit("/", 1)[-1][:255]


@transaction.atomic
def start_batch(
    kind: ImportKind, *, actor, school, filename: str, text: str, encoding="UTF-8", client=None
) -> PupilImport:
    """Keep the decoded file (and the encoding it was read as) as a batch to preview; nothing
    else is written."""
    preview = kind.read(school=school, text=text)
    batch = PupilImport.objects.create(
        school=school,
        kind=kind.kind,
        uploaded_by=actor,
        filename=_base_name(filename, kind.default_filename),
        content=text,
        encoding=encoding,
        row_count=len(preview.rows),
        error_count=len(preview.error_rows),
    )
    audit.record(
        actor=actor,
        action=kind.upload_action,
        school=school,
        target=batch,
        client=client,
        rows=batch.row_count,
        error_rows=batch.error_count,
    )
    return batch


def apply_batch(kind: ImportKind, *, actor, school, batch: PupilImport, client=None):
    """Import a previewed batch in one transaction, or nothing at all.

    Raises ``ImportRefused`` if any row has an error and ``ImportConflict`` if the rows changed
    underneath; in both cases nothing is saved. A batch no longer pending is left alone
    (``ImportOutcome(done=False)``).
    """
    try:
        with transaction.atomic():
            return _apply(kind, actor=actor, school=school, batch=batch, client=client)
    except IntegrityError:
        raise ImportConflict from None


def _pending(kind: ImportKind, school, batch):
    return PupilImport.objects.filter(
        pk=batch.pk, school=school, kind=kind.kind, status=PupilImport.Status.PREVIEWED
    )


def _apply(kind: ImportKind, *, actor, school, batch, client) -> ImportOutcome:
    # Claim the batch: a second confirm (double click, two tabs) finds nothing to claim.
    claimed = _pending(kind, school, batch).update(
        status=PupilImport.Status.IMPORTED, imported_at=timezone.now()
    )
    if not claimed:
        return ImportOutcome(done=False)
    try:
        preview = kind.read(school=school, text=batch.content)
    except ImportFileError as error:  # rolls the claim back too
        raise ImportRefused(error.message) from None
    if not preview.can_import:
        rows = len(preview.error_rows)
        raise ImportRefused(
            f"{rows} row{'s have' if rows > 1 else ' has'} errors. Fix them in {kind.fix_where} "
            "and upload the file again.",
            error_rows=rows,
        )
    kind.write(school=school, batch=batch, preview=preview)
    outcome = ImportOutcome(
        done=True,
        created=len(preview.new_rows),
        updated=len(preview.update_rows),
        unchanged=len(preview.unchanged_rows),
    )
    PupilImport.objects.filter(pk=batch.pk, school=school).update(
        content="",
        row_count=len(preview.rows),
        error_count=0,
        created_count=outcome.created,
        updated_count=outcome.updated,
    )
    audit.record(
        actor=actor,
        action=kind.import_action,
        school=school,
        target=batch,
        client=client,
        rows=len(preview.rows),
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        **kind.audit_details(preview),
    )
    batch.refresh_from_db()
    return outcome


@transaction.atomic
def discard_batch(kind: ImportKind, *, actor, school, batch: PupilImport, client=None) -> bool:
    """Throw a previewed batch away (its text is cleared). False if it was not pending."""
    discarded = _pending(kind, school, batch).update(
        status=PupilImport.Status.DISCARDED, content=""
    )
    if discarded:
        audit.record(
            actor=actor,
            action=kind.discard_action,
            school=school,
            target=batch,
            client=client,
        )
        batch.refresh_from_db()
    return bool(discarded)
