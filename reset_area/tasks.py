import logging

from celery import shared_task
from django_scopes import scope, scopes_disabled

logger = logging.getLogger(__name__)


@shared_task
def flag_missing_pupils() -> int:
    """Every minute (config/settings.py CELERY_BEAT_SCHEDULE): flag, in each school with a room in
    use, the planned pupils who have not arrived. Pages only read the flags. One school's failure
    does not stop the others being checked."""
    from reset_area.models import Room
    from reset_area.services.missing import flag_missing_pupils as flag
    from semh.models import School

    with scopes_disabled():
        schools = list(School.objects.filter(pk__in=Room.objects.active().values("school")))
    flagged = 0
    for school in schools:
        try:
            with scope(school=school):
                flagged += flag(school=school)
        except Exception:
            logger.exception("Missing-pupil check failed for school %s", school.pk)
    return flagged
