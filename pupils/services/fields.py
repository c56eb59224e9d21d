"""Setting a record's fields from the plain values a service was given."""

from django.db import models


def _current(instance, field, value):
    """The field's value now, and ``value`` in the same terms (ids for a foreign key, so an
    unset one reads as None instead of raising)."""
    if field.many_to_one:
        new = value.pk if isinstance(value, models.Model) else value
        return getattr(instance, field.attname), new
    return getattr(instance, field.name), value


def assign(instance, values: dict, *, allowed) -> list[str]:
    """Set ``values`` on ``instance``; returns the names of the fields whose value changed, sorted
    (for a new instance: those that differ from the model's defaults). A name outside
    ``allowed`` is a caller's mistake, not input to ignore."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no editable field {sorted(unknown)}")
    changed = []
    for name, value in values.items():
        now, new = _current(instance, instance._meta.get_field(name), value)
        if now != new:
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)
