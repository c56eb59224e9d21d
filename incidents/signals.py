"""What the incident log tells the rest of the system, so other apps react without the log
depending on them (the Reset Area links the visit a pupil went to)."""

from django.dispatch import Signal

# Sent by ``record_incident`` once a new incident is recorded (never for a repeated submit of the
# same form), inside its transaction, with ``incident``, ``pupil`` (the primary pupil), ``actor``
# (who recorded it) and ``client`` (a ``semh.audit.Client``).
incident_recorded = Signal()
