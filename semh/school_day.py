"""The school day every part of the system shares (incidents pre-fill the period; the Reset Area
plans by it and counts minutes out of learning against it)."""

from datetime import time

from django.db import transaction

from semh.models import Period, School

# A typical UK secondary day: five lessons with a break and lunch that are not learning time.
TYPICAL_DAY = [
    ("P1", time(8, 50), time(9, 50), True),
    ("P2", time(9, 50), time(10, 50), True),
    ("Break", time(10, 50), time(11, 10), False),
    ("P3", time(11, 10), time(12, 10), True),
    ("Lunch", time(12, 10), time(13, 0), False),
    ("P4", time(13, 0), time(14, 0), True),
    ("P5", time(14, 0), time(15, 0), True),
]


def ensure_typical_school_day(school) -> bool:
    """Give a school with no periods the typical day on every weekday; False if it has periods.
    Two at once (a double click) are serialised on the school's row: the second finds the
    first's periods."""
    with transaction.atomic():
        School.objects.select_for_update(no_key=True).filter(pk=school.pk).first()
        if Period.objects.filter(school=school).exists():
            return False
        Period.objects.bulk_create(
            Period(
                school=school, weekday=weekday, name=name, starts_at=s, ends_at=e, is_learning=lr
            )
            for weekday in range(5)
            for name, s, e, lr in TYPICAL_DAY
        )
        return True
