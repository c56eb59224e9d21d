"""What the Reset Area does when something happens elsewhere in the system."""

from django.dispatch import receiver
from django.utils import timezone

from incidents.models import Outcome
from incidents.signals import incident_recorded

from .models import Visit, local_day_bounds
from .services.visits import link_incident


@receiver(incident_recorded)
def link_visit_to_incident(sender, incident, pupil, actor, client=None, **kwargs):
    """An incident whose outcome was "went to the Reset Area" links the visit the pupil is on now
    (checked in first, as happens in a crisis, with "not logged yet" for the incident). With no
    such visit the incident page offers the check-in instead: a visit is never invented.

    The link is the recorder's, through the same service as linking it by hand."""
    if incident.outcome != Outcome.RESET_AREA:
        return
    start, end = local_day_bounds(timezone.localdate(incident.occurred_at))
    visit = (
        Visit.objects.filter(
            school=incident.school_id,
            pupil=pupil,
            incident__isnull=True,
            left_at__isnull=True,
            arrived_at__gte=start,
            arrived_at__lt=end,
        )
        .order_by("-arrived_at")
        .first()
    )
    if visit is not None:
        link_incident(
            actor=actor,
            school=incident.school,
            visit=visit,
            incident=incident,
            client=client,
        )
