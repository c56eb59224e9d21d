"""Amending a submitted incident: never overwritten in place, each change kept with who, when and
why, so the record as first submitted is always recoverable."""

from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.models import Incident, IncidentAmendment
from incidents.selectors import AMENDABLE_FIELDS, display_value, primary_pupil_id
from semh import audit
from semh.audit import AuditAction


def amendment_changes(incident, values: dict) -> dict:
    """``{field: {"from": shown before, "to": shown after}}`` for each field ``values`` changes
    as people read it (a time's seconds, say, are not a change)."""
    candidate = Incident(**{n: v for n, v in values.items() if n != "strategies"})
    strategies = list(values.get("strategies") or [])
    changes = {}
    for name in AMENDABLE_FIELDS:
        if name not in values:
            continue
        old = display_value(incident, name)
        new = display_value(candidate, name, strategies=strategies)
        if old != new:
            changes[name] = {"from": old, "to": new}
    return changes


@transaction.atomic
def amend_incident(*, actor, school, incident, values: dict, reason: str, client=None):
    """Apply what ``values`` (new values of ``AMENDABLE_FIELDS``; ``strategies`` a list) changes as
    one amendment. Raises ``ValidationError`` when nothing changes."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    unknown = set(values) - set(AMENDABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not amendable: {sorted(unknown)}")
    changes = amendment_changes(incident, values)
    if not changes:
        raise ValidationError("Nothing has changed: change a field, or go back.")
    plain = [n for n in changes if n != "strategies"]
    for name in plain:
        setattr(incident, name, values[name])
    if plain:
        incident.save(update_fields=plain)
    if "strategies" in changes:
        incident.strategies.set(values["strategies"])
    amendment = IncidentAmendment.objects.create(
        incident=incident, author=actor, reason=reason, changes=changes
    )
    audit.record(
        actor=actor,
        action=AuditAction.INCIDENT_AMEND,
        school=school,
        target=incident,
        client=client,
        pupil=primary_pupil_id(incident),
        amendment=amendment.pk,
        fields=sorted(changes),
    )
    return amendment
