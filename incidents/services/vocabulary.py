"""The school's incident vocabularies (its lists of places, categories, triggers, strategies and
holds): entries are added, renamed, reordered, retired and restored; never deleted."""

from django.db import transaction

from incidents.models import Vocabulary
from semh import audit
from semh.audit import AuditAction
from semh.submissions import unique_or_invalid


def already_listed(label: str) -> str:
    """The message for a label already in its list (checked by the forms; met here when someone
    added the same label a moment before)."""
    return f"“{label}” is already in this list."


@transaction.atomic
def add_vocabulary_entry(*, actor, school, kind: str, label: str, client=None) -> Vocabulary:
    """A new entry at the end of its list."""
    last = Vocabulary.objects.filter(school=school, kind=kind).order_by("-position").first()
    label = label.strip()
    with unique_or_invalid(already_listed(label), field="label"):
        entry = Vocabulary.objects.create(
            school=school, kind=kind, label=label, position=(last.position + 1) if last else 0
        )
    audit.record(
        actor=actor,
        action=AuditAction.VOCABULARY_CREATE,
        school=school,
        target=entry,
        client=client,
        kind=kind,
    )
    return entry


@transaction.atomic
def update_vocabulary_entry(
    *, actor, school, entry, label: str, position: int, client=None
) -> Vocabulary:
    """Rename or reorder an entry (incidents that use it show the new name)."""
    label = label.strip()
    changed = [f for f, v in (("label", label), ("position", position)) if getattr(entry, f) != v]
    if changed:
        entry.label, entry.position = label, position
        with unique_or_invalid(already_listed(label), field="label"):
            entry.save(update_fields=changed)
        audit.record(
            actor=actor,
            action=AuditAction.VOCABULARY_UPDATE,
            school=school,
            target=entry,
            client=client,
            fields=changed,
        )
    return entry


@transaction.atomic
def set_vocabulary_entry_active(*, actor, school, entry, active: bool, client=None) -> Vocabulary:
    """Retire an entry (it leaves the logging form; old incidents keep it) or restore it."""
    if entry.is_active != active:
        entry.is_active = active
        entry.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AuditAction.VOCABULARY_RESTORE if active else AuditAction.VOCABULARY_RETIRE,
            school=school,
            target=entry,
            client=client,
        )
    return entry
