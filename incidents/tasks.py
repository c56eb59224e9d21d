from celery import shared_task


@shared_task
def discard_stale_incident_drafts() -> int:
    from incidents.services import discard_stale_drafts

    return discard_stale_drafts()
