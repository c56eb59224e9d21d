"""Restrictive interventions (restraint and seclusion) and suspensions, for the SENCo dashboard.

A restrictive intervention belongs to the period in which it started (``started_at``, UK time);
a suspension to the day its incident happened (``occurred_at``). With a cohort, only the
interventions of its pupils count, and only suspensions whose incident's main pupil is in it.

The statutory follow-up has one rule, in the incident log
(``RestrictiveInterventionQuerySet.with_follow_up_state`` / ``outstanding`` and
``RestrictiveIntervention.missing_follow_up``); the figures here count with it, never beside it.
Lengths are the time from start to end, summed (and their median taken) as durations in the
database and turned into minutes once, as ``incidents.analysis.summary`` does.

Shares are the caller's (``cohorts.shown_share``): figures give counts and their totals.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber

from incidents.models import (
    Incident,
    IncidentPupil,
    InterventionKind,
    Outcome,
    ParentReport,
    RestrictiveIntervention,
)
from incidents.selectors import outstanding_restrictive_interventions
from pupils.models import SenStatus
from reset_area.metrics import Median

from . import Figure, Scope

NOT_RECORDED = "Not recorded"
REPEAT_INTERVENTIONS = 2  # a "repeat pupil" had this many restrictive interventions or more

LENGTH = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())


class MedianDuration(Median):
    """The median of a duration column (PostgreSQL's ``percentile_cont`` takes intervals)."""

    output_field = DurationField()


def _minutes(duration: timedelta | None) -> Decimal:
    """A duration in minutes to one decimal place, half up (none: 0)."""
    if duration is None:
        return Decimal("0.0")
    return (Decimal(duration.total_seconds()) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def interventions_in(scope: Scope):
    """The school's restrictive interventions that started in the scope's range (of its cohort's
    pupils when it has one)."""
    records = RestrictiveIntervention.objects.filter(
        pupil__school=scope.school,
        started_at__gte=scope.starts_at,
        started_at__lt=scope.ends_before,
    )
    if scope.pupils is not None:
        records = records.filter(pupil__in=scope.pupils)
    return records.order_by()


def _middle_lengths(records) -> dict:
    """The median length of each kind, read as the one or two middle rows of each kind's lengths
    in order (for databases without ``percentile_cont``, such as SQLite; one query)."""
    middle = (
        records.annotate(
            length=LENGTH,
            place=Window(RowNumber(), partition_by=F("kind"), order_by=LENGTH.asc()),
            of=Window(Count("pk"), partition_by=F("kind")),
        )
        .filter(place__gte=(F("of") + 1) / 2, place__lte=F("of") / 2 + 1)
        .values_list("kind", "length")
    )
    lengths: dict[str, list] = {}
    for kind, length in middle:  # at most two rows of each kind
        lengths.setdefault(kind, []).append(length)
    return {kind: sum(found, timedelta()) / len(found) for kind, found in lengths.items()}


def restrictive_by_kind(scope: Scope) -> Figure:
    """Restraints and seclusions: how many, their total and median length in minutes."""
    records = interventions_in(scope)
    on_postgres = connection.vendor == "postgresql"
    sums = {"count": Count("pk"), "total": Sum(LENGTH)}
    if on_postgres:
        sums["median"] = MedianDuration(LENGTH)
    found = {row["kind"]: row for row in records.values("kind").annotate(**sums)}
    if not on_postgres:
        for kind, median in _middle_lengths(records).items():
            found[kind]["median"] = median
    rows = []
    for kind in InterventionKind:  # every kind, none included
        row = found.get(kind.value, {})
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "count": row.get("count", 0),
                "total_minutes": _minutes(row.get("total")),
                "median_minutes": _minutes(row["median"]) if row else None,
            }
        )
    return Figure(
        key="restrictive_by_kind",
        title="Restraints and seclusions",
        definition=(
            "Restrictive interventions (restraint or seclusion) that started in the period, by "
            "type: how many, and the total and median length in minutes from the start time to "
            "the end time recorded."
        ),
        value=rows,
        columns=[
            ("label", "Type"),
            ("count", "Number"),
            ("total_minutes", "Total minutes"),
            ("median_minutes", "Median minutes"),
        ],
    )


def _interventions_summary(scope: Scope) -> dict:
    """The one aggregate over the scope's interventions that the injuries, follow-up and SEN
    figures read (one query for the three)."""

    def compute():
        same_day = ParentReport.objects.filter(
            intervention=OuterRef("pk"),
            reported_at__isnull=False,
            reported_at__date=OuterRef("started_at__date"),
        )
        made = ParentReport.objects.filter(intervention=OuterRef("pk"), reported_at__isnull=False)
        return (
            interventions_in(scope)
            .with_parent_report_state()
            .annotate(same_day=Exists(same_day), made=Exists(made))
            .aggregate(
                interventions=Count("pk"),
                with_pupil_injured=Count("pk", filter=Q(pupil_injured=True)),
                with_staff_injured=Count("pk", filter=Q(staff_injured=True)),
                with_either_injured=Count(
                    "pk", filter=Q(pupil_injured=True) | Q(staff_injured=True)
                ),
                parent_report_same_day=Count("pk", filter=Q(same_day=True)),
                parent_report_later=Count("pk", filter=Q(made=True, same_day=False)),
                parent_report_not_made=Count("pk", filter=Q(has_parent_report=True, made=False)),
                parent_report_missing=Count("pk", filter=Q(has_parent_report=False)),
                pupil_debrief=Count("pk", filter=Q(pupil_debrief_at__isnull=False)),
                pupils=Count("pupil", distinct=True),
                sen_support=Count(
                    "pupil", distinct=True, filter=Q(pupil__sen_status=SenStatus.SEN_SUPPORT)
                ),
                ehcp=Count("pupil", distinct=True, filter=Q(pupil__sen_status=SenStatus.EHCP)),
            )
        )

    return scope.once("restrictive_summary", compute)


def _picked(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


def restrictive_injuries(scope: Scope) -> Figure:
    """Interventions in which the pupil, a member of staff, or either was injured."""
    value = _picked(
        _interventions_summary(scope),
        "interventions",
        "with_pupil_injured",
        "with_staff_injured",
        "with_either_injured",
    )
    return Figure(
        key="restrictive_injuries",
        title="Injuries in restrictive interventions",
        definition=(
            "Restrictive interventions that started in the period in which the record says the "
            "pupil was injured, a member of staff was injured, or either (one intervention "
            "with both counts once in 'either'), out of all those interventions."
        ),
        value=value,
    )


def restrictive_repeat_pupils(scope: Scope) -> Figure:
    """Pupils with two or more restrictive interventions in the period, most first."""
    rows = [
        {"pupil_id": str(row["pupil"]), "count": row["count"]}
        for row in interventions_in(scope)
        .values("pupil")
        .annotate(count=Count("pk"))
        .filter(count__gte=REPEAT_INTERVENTIONS)
        .order_by("-count", "pupil")
    ]
    return Figure(
        key="restrictive_repeat_pupils",
        title="Pupils with repeated restrictive interventions",
        definition=(
            f"Pupils who had {REPEAT_INTERVENTIONS} or more restrictive interventions (restraint "
            "or seclusion, together) that started in the period; the list gives each pupil's "
            "number, most first."
        ),
        value={"count": len(rows), "rows": rows},
        columns=[("pupil_id", "Pupil"), ("count", "Restrictive interventions")],
    )


def restrictive_follow_up(scope: Scope) -> Figure:
    """Interventions whose report to parents was made the same day, and those with a debrief."""
    value = _picked(
        _interventions_summary(scope),
        "interventions",
        "parent_report_same_day",
        "parent_report_later",
        "parent_report_not_made",
        "parent_report_missing",
        "pupil_debrief",
    )
    return Figure(
        key="restrictive_follow_up",
        title="Reports to parents and debriefs",
        definition=(
            "Of the restrictive interventions that started in the period: those whose report to "
            "parents was made on the same UK calendar day as the intervention began, made on a "
            "later day, not made with the reason and the local authority recorded instead, or "
            "not yet recorded; and those with a debrief with the pupil recorded (at any time)."
        ),
        value=value,
    )


def restrictive_pupils_sen(scope: Scope) -> Figure:
    """How many pupils had a restrictive intervention, and how many of them have SEN support or
    an EHCP."""
    value = _picked(_interventions_summary(scope), "pupils", "sen_support", "ehcp")
    return Figure(
        key="restrictive_pupils_sen",
        title="Pupils with restrictive interventions: SEN",
        definition=(
            "Pupils who had at least one restrictive intervention that started in the period, and "
            "how many of them have SEN support (K) or an EHCP (E) as their SEN status is recorded "
            "now."
        ),
        value=value,
    )


def restrictive_outstanding(scope: Scope) -> Figure:
    """Every restrictive intervention up to the end of the period whose statutory follow-up is
    still not all in, oldest first, with what is missing."""
    records = outstanding_restrictive_interventions(scope.school).filter(
        started_at__lt=scope.ends_before
    )
    if scope.pupils is not None:
        records = records.filter(pupil__in=scope.pupils)
    rows = [
        {
            "intervention_id": str(record.pk),
            "pupil_id": str(record.pupil_id),
            "kind": record.kind,
            "label": record.get_kind_display(),
            "started_at": record.started_at,
            "missing": record.missing_follow_up(),
        }
        for record in records
    ]
    return Figure(
        key="restrictive_outstanding",
        title="Statutory follow-up still outstanding",
        definition=(
            "Every restrictive intervention that started in the period or before it whose report "
            "to parents (or the recorded reason it was not made), debrief with the pupil or "
            "statement from each member of staff involved is still missing, oldest first, "
            "listed until it is done."
        ),
        value=rows,
        columns=[
            ("started_at", "Started"),
            ("label", "Type"),
            ("pupil_id", "Pupil"),
            ("missing", "Still missing"),
        ],
    )


def suspensions_in(scope: Scope):
    """The school's incidents that happened in the range and ended in a suspension (with a cohort:
    those whose main pupil is in it)."""
    incidents = Incident.objects.filter(
        school=scope.school,
        outcome=Outcome.SUSPENSION,
        occurred_at__gte=scope.starts_at,
        occurred_at__lt=scope.ends_before,
    )
    if scope.pupils is not None:
        incidents = incidents.filter(
            pk__in=IncidentPupil.objects.filter(is_primary=True, pupil__in=scope.pupils).values(
                "incident"
            )
        )
    return incidents.order_by()


def suspensions_by_reason(scope: Scope) -> Figure:
    """Suspensions by DfE reason: how many and how many days, with the totals."""
    incidents = suspensions_in(scope)
    rows = [
        {
            "code": row["code"] or "",
            "label": row["label"] or NOT_RECORDED,
            "count": row["count"],
            "days": row["days"] or Decimal("0.0"),
        }
        for row in incidents.values(
            code=F("suspension_reason__code"), label=F("suspension_reason__label")
        )
        .annotate(count=Count("pk"), days=Sum("suspension_days"))
        .order_by("-count", F("code").asc(nulls_last=True))
    ]
    # Each incident's main pupil, counted once (a join from the incidents to every pupil involved
    # would count an incident once per pupil in the sums above).
    pupils = IncidentPupil.objects.filter(
        is_primary=True, incident__in=incidents.values("pk")
    ).aggregate(n=Count("pupil", distinct=True))["n"]
    return Figure(
        key="suspensions_by_reason",
        title="Suspensions by DfE reason",
        definition=(
            "Incidents that happened in the period with the outcome 'suspension', by the DfE "
            "reason recorded: how many, and the days of suspension added up; the totals also give "
            "how many pupils (each incident's main pupil) were suspended."
        ),
        value={
            "rows": rows,
            "count": sum(row["count"] for row in rows),
            "days": sum((row["days"] for row in rows), Decimal("0.0")),
            "pupils": pupils,
        },
        columns=[
            ("code", "DfE code"),
            ("label", "Reason"),
            ("count", "Suspensions"),
            ("days", "Days"),
        ],
    )
