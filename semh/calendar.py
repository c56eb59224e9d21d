"""The school year: which academic year a day falls in."""

import datetime

from django.utils import timezone

from semh.models import AcademicYear


def academic_year_start(school, day: datetime.date | None = None) -> datetime.date:
    """First day of the academic year containing ``day`` (the school's own, else 1 September)."""
    day = day or timezone.localdate()
    year = (
        AcademicYear.objects.filter(school=school, starts_on__lte=day, ends_on__gte=day)
        .values_list("starts_on", flat=True)
        .first()
    )
    if year:
        return year
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)
