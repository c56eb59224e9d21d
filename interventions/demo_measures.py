"""Demo SDQ results for seed_demo: a teacher SDQ at the start of each enrolment and another near
its end (exit) or, while it runs, a review; most pupils improve by 2–6 points of total
difficulties, some stay the same, a few get worse. Written through ``record_result``."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Enrolment, MeasureDefinition, MeasureResult, ResultPoint
from .services.measures import record_result

DIFFICULTIES = ("emotional", "conduct", "hyperactivity", "peer")
# Baseline ranges of a pupil referred for SEMH support (teacher SDQ), per subscale.
BASELINE = {"emotional": (3, 8), "conduct": (2, 6), "hyperactivity": (4, 9), "peer": (2, 6)}


def _change(rng) -> int:
    """Points of total difficulties the pupil improves by (negative: worse)."""
    roll = rng.random()
    if roll < 0.72:
        return rng.randint(2, 6)
    if roll < 0.9:
        return 0
    return -rng.randint(1, 3)


def _after(rng, before: dict, better_by: int) -> dict:
    after = dict(before)
    step = -1 if better_by > 0 else 1
    for _ in range(abs(better_by)):
        movable = [k for k in DIFFICULTIES if 0 <= after[k] + step <= 10]
        if not movable:
            break
        after[rng.choice(movable)] += step
    after["prosocial"] = min(10, max(0, before["prosocial"] + (1 if better_by > 2 else 0)))
    return after


def seed_measures(*, school, groups, rng):
    if not groups:
        return
    today = timezone.localdate()
    with scopes_disabled():
        sdq = MeasureDefinition.objects.get(key="sdq-teacher", school__isnull=True)
        enrolments = (
            Enrolment.objects.filter(group__in=groups)
            .exclude(
                pk__in=MeasureResult.objects.filter(enrolment__isnull=False).values("enrolment")
            )
            .select_related("group", "pupil")
        )
        for enrolment in enrolments:
            _seed_one(school, sdq, enrolment, today, rng)


def _seed_one(school, sdq, enrolment, today, rng):
    group = enrolment.group
    start = enrolment.starts_on + timedelta(days=rng.randint(0, 4))
    if start >= today:
        return
    before = {k: rng.randint(*BASELINE[k]) for k in DIFFICULTIES}
    before["prosocial"] = rng.randint(3, 7)
    common = {
        "actor": group.lead,
        "school": school,
        "pupil": enrolment.pupil,
        "definition": sdq,
        "completed_by": "Class teacher",
        "enrolment": enrolment,
    }
    record_result(point=ResultPoint.BASELINE, taken_on=start, subscale_scores=before, **common)
    end = enrolment.ends_on or group.ended_on or group.planned_end_on
    point = ResultPoint.EXIT if end <= today else ResultPoint.REVIEW
    later = min(end, today) - timedelta(days=rng.randint(0, 3))
    if later <= start + timedelta(weeks=3):
        return
    after = _after(rng, before, _change(rng))
    record_result(point=point, taken_on=later, subscale_scores=after, **common)
