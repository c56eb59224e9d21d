"""Pupils of concern: whose incidents or Reset Area minutes rose markedly against their own recent
weeks, or whose wellbeing check-ins fell, as of the scope's last day.

The rule (``CONCERN_RULE``), per pupil: this fortnight (the 14 days to the last day) against the
six weeks before it, taken as three fortnights and averaged:
- incidents as the main pupil: at least 2 this fortnight, and at least twice the baseline average;
- Reset Area minutes out of learning: at least 60 this fortnight, and at least twice the baseline;
- wellbeing check-ins: at least 3 in each window, and the fortnight's mean score at least 1 point
  below the baseline's (zones score red 1, blue 2, yellow 3, green 4; a feelings score as given).
Four queries (three windows and the pupils listed), whatever the number of pupils or records.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Avg, Case, Count, F, IntegerField, Q, Sum, When

from incidents.models import IncidentPupil
from pupils.models import ZONE_SCORE, Pupil, WellbeingCheckIn
from reset_area.models import Visit

from . import Figure, Scope

FORTNIGHT = 14
BASELINE_FORTNIGHTS = 3  # six weeks
MIN_INCIDENTS, MIN_MINUTES, MIN_CHECK_INS = 2, 60, 3
RISE = 2  # "markedly": at least twice the baseline average
FALL = Decimal("1")  # check-ins: a whole point lower on average

CONCERN_RULE = (
    "This fortnight (the 14 days to the last day) against the six weeks before it (as an average "
    "fortnight): incidents as the main pupil at least 2 and at least twice the baseline; or Reset "
    "Area minutes out of learning at least 60 and at least twice the baseline; or, with 3 or more "
    "check-ins in each, the fortnight's mean check-in a point or more below the baseline's."
)


def _windows(scope: Scope):
    recent_first = scope.last - timedelta(days=FORTNIGHT - 1)
    baseline_first = recent_first - timedelta(days=FORTNIGHT * BASELINE_FORTNIGHTS)
    at = Scope(scope.school, recent_first, scope.last)
    return at.starts_at, Scope(scope.school, baseline_first, recent_first).starts_at, at.ends_before


def _rose(recent, baseline_total, minimum) -> bool:
    return recent >= minimum and recent * BASELINE_FORTNIGHTS >= RISE * baseline_total


def pupils_of_concern(scope: Scope) -> Figure:
    recent_from, baseline_from, until = _windows(scope)
    recent = Q(moment__gte=recent_from, moment__lt=until)
    baseline = Q(moment__gte=baseline_from, moment__lt=recent_from)

    def windows(queryset, moment, value, aggregate):
        rows = (
            queryset.filter(**{f"{moment}__gte": baseline_from, f"{moment}__lt": until})
            .alias(moment=F(moment))
            .values("pupil")
            .annotate(
                recent=aggregate(value, filter=recent),
                baseline=aggregate(value, filter=baseline),
                recent_n=Count("pk", filter=recent),
                baseline_n=Count("pk", filter=baseline),
            )
        )
        return {row["pupil"]: row for row in rows}

    main = IncidentPupil.objects.filter(is_primary=True, incident__school=scope.school)
    visits = Visit.objects.filter(school=scope.school)
    check_ins = WellbeingCheckIn.objects.filter(pupil__school=scope.school).annotate(
        points=Case(
            *[When(zone=zone, then=points) for zone, points in ZONE_SCORE.items()],
            default="feeling",
            output_field=IntegerField(),
        )
    )
    if scope.pupils is not None:
        main, visits, check_ins = (
            q.filter(pupil__in=scope.pupils.values("pk")) for q in (main, visits, check_ins)
        )
    incidents = windows(main, "incident__occurred_at", "pk", Count)
    minutes = windows(visits, "arrived_at", "minutes_out_of_learning", Sum)
    feelings = windows(check_ins, "at", "points", Avg)

    reasons: dict = {}
    for pupil, row in incidents.items():
        if _rose(row["recent"], row["baseline"], MIN_INCIDENTS):
            reasons.setdefault(pupil, []).append(
                f"{row['recent']} incidents this fortnight, "
                f"{row['baseline']} in the six weeks before"
            )
    for pupil, row in minutes.items():
        if _rose(row["recent"] or 0, row["baseline"] or 0, MIN_MINUTES):
            reasons.setdefault(pupil, []).append(
                f"{row['recent'] or 0} minutes out of learning in the Reset Area this fortnight, "
                f"{row['baseline'] or 0} in the six weeks before"
            )
    for pupil, row in feelings.items():
        enough = row["recent_n"] >= MIN_CHECK_INS and row["baseline_n"] >= MIN_CHECK_INS
        if enough and Decimal(str(row["baseline"])) - Decimal(str(row["recent"])) >= FALL:
            reasons.setdefault(pupil, []).append(
                f"check-ins averaged {row['recent']:.1f} this fortnight against "
                f"{row['baseline']:.1f} before"
            )
    pupils = {p.pk: p for p in Pupil.objects.filter(pk__in=list(reasons))}
    rows = sorted(
        ({"pupil": pupils[pk], "reasons": why} for pk, why in reasons.items() if pk in pupils),
        key=lambda r: (-len(r["reasons"]), r["pupil"].last_name),
    )
    return Figure("pupils_of_concern", "Pupils of concern", CONCERN_RULE, rows)
