"""What the incident log tells the rest of the system, so other apps react without the log
depending on them (the Reset Area links the visit a pupil went to)."""

from django.dispatch import Signal

# Sent once when a new incident is recorded (never for a repeated submit of the same form), with
# ``incident``, ``pupil`` (the primary pupil), ``actor`` (who recorded it), ``client`` (a
# ``semh.audit.Client``) and, until the Reset Area's receiver takes ``actor``/``client``,
# ``request``.
incident_recorded = Signal()
