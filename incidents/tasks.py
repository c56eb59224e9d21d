from celery import shared_task


@shared_task
def discard_stale_incident_drafts() -> int:
    """Daily (config/settings.py CELERY_BEAT_SCHEDULE): unfinished incidents left too long."""
    from incidents.services.log import discard_stale_drafts

    return discard_stale_drafts()
