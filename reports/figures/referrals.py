"""Outreach referral figures: what the lead practitioner reads at the top of the service's page,
across the schools it works with.

A service spans schools, so these figures take a ``ServiceScope`` (the service, its schools and
the day they are read on) instead of one school's ``Scope``; otherwise they keep the contract:
a ``Figure`` with its definition, counted in PostgreSQL in a fixed number of queries whatever the
number of referrals or schools, run inside the scope of the service's schools. "Open" is
``ReferralQuerySet.open`` (started, not past the planned exit, not ended); a target's rating is
its latest (``pupils.selectors.latest_rating``); contact by the service is a daily-log entry or
a wellbeing check-in recorded by one of its active staff.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least

from pupils.models import DailyNote, ExitStrategy, Rating, Referral, Target, WellbeingCheckIn
from pupils.selectors import latest_rating
from semh.models import AcademicYear, ServiceMembership

from . import Figure
from .cohorts import shown_share

ENDING_SOON_DAYS = 28  # "in the next 4 weeks": the planned exit falls within this many days
NO_CONTACT_DAYS = 14  # "no contact in the last 14 days": today and the 13 days before


@dataclass(frozen=True)
class ServiceScope:
    """An outreach service's referrals from ``schools`` (the schools it works with), read on
    ``on``."""

    service: Any
    schools: list
    on: date


def _referrals(scope: ServiceScope):
    return Referral.objects.filter(service=scope.service, pupil__school__in=scope.schools)


def _open(scope: ServiceScope):
    return _referrals(scope).open(scope.on).order_by()


def referrals_open(scope: ServiceScope) -> Figure:
    counts = dict(
        _open(scope)
        .values("pupil__school")
        .annotate(n=Count("pk"))
        .values_list("pupil__school", "n")
    )
    by_school = [{"school": school, "count": counts.get(school.pk, 0)} for school in scope.schools]
    return Figure(
        key="referrals_open",
        title="Open referrals",
        definition=(
            f"Referrals to the service open on {scope.on:%d/%m/%Y}: begun, not past their planned "
            "exit and not ended by the school; by school and in all."
        ),
        value={"by_school": by_school, "total": sum(counts.values())},
        columns=[("school", "School"), ("count", "Open referrals")],
    )


def referrals_ending_soon(scope: ServiceScope) -> Figure:
    last = scope.on + timedelta(days=ENDING_SOON_DAYS)
    count = _open(scope).filter(planned_end_on__lte=last).count()
    return Figure(
        key="referrals_ending_soon",
        title="Ending in the next 4 weeks",
        definition=(
            f"Open referrals whose planned exit falls from {scope.on:%d/%m/%Y} to "
            f"{last:%d/%m/%Y} (the next {ENDING_SOON_DAYS} days)."
        ),
        value={"count": count},
    )


def referrals_targets_secure(scope: ServiceScope) -> Figure:
    targets = Target.objects.filter(plan=OuterRef("plan")).annotate(rating=latest_rating())
    row = (
        _open(scope)
        .annotate(
            has_rated=Exists(targets.filter(rating__isnull=False)),
            has_secure=Exists(targets.filter(rating__gte=Rating.SECURE)),
        )
        .aggregate(
            rated=Count("pk", filter=Q(has_rated=True)),
            secure=Count("pk", filter=Q(has_secure=True)),
        )
    )
    return Figure(
        key="referrals_targets_secure",
        title="Agreed plans with targets secure or achieved",
        definition=(
            "Of the open referrals whose agreed support plan has at least one target rated, those "
            "with at least one target whose latest rating is Secure or Achieved. The share is "
            "shown from five referrals."
        ),
        value={
            "secure": row["secure"],
            "rated": row["rated"],
            "share": shown_share(row["secure"], row["rated"]),
        },
    )


def referrals_without_recent_contact(scope: ServiceScope) -> Figure:
    since = scope.on - timedelta(days=NO_CONTACT_DAYS - 1)
    staff = ServiceMembership.objects.active().filter(service=scope.service).values("user")
    notes = DailyNote.objects.filter(
        pupil=OuterRef("pupil"), recorded_by__in=staff, on_day__gte=since, on_day__lte=scope.on
    )
    check_ins = WellbeingCheckIn.objects.filter(
        pupil=OuterRef("pupil"),
        recorded_by__in=staff,
        at__date__gte=since,
        at__date__lte=scope.on,
    )
    count = (
        _open(scope)
        .filter(~Exists(notes), ~Exists(check_ins))
        .aggregate(n=Count("pupil", distinct=True))["n"]
    )
    return Figure(
        key="referrals_without_recent_contact",
        title=f"No contact in the last {NO_CONTACT_DAYS} days",
        definition=(
            f"Pupils with an open referral for whom none of the service's staff has written in the "
            f"daily log or recorded a wellbeing check-in from {since:%d/%m/%Y} to "
            f"{scope.on:%d/%m/%Y}."
        ),
        value={"count": count},
    )


def referrals_ended_by_exit_strategy(scope: ServiceScope) -> Figure:
    """Referrals that ended this academic year (of each referring school's own year), by the exit
    strategy planned."""
    year_start = Subquery(
        AcademicYear.objects.filter(
            school=OuterRef("pupil__school"), starts_on__lte=scope.on, ends_on__gte=scope.on
        ).values("starts_on")[:1]
    )
    default_start = date(scope.on.year if scope.on.month >= 9 else scope.on.year - 1, 9, 1)
    counts = dict(
        _referrals(scope)
        .filter(Q(ended_on__lte=scope.on) | Q(planned_end_on__lt=scope.on))
        .annotate(
            # The last day it ran: the day the school ended it, or its planned exit if sooner.
            ended=Least("ended_on", "planned_end_on"),
            year_start=Coalesce(year_start, Value(default_start, output_field=DateField())),
        )
        .filter(ended__gte=F("year_start"))
        .order_by()
        .values("exit_strategy")
        .annotate(n=Count("pk"))
        .values_list("exit_strategy", "n")
    )
    rows = [
        {"exit_strategy": value, "label": label, "count": counts.get(value, 0)}
        for value, label in ExitStrategy.choices
    ]
    return Figure(
        key="referrals_ended_by_exit_strategy",
        title="Referrals ended this academic year, by exit strategy",
        definition=(
            "Referrals that ended this academic year (the referring school's), up to "
            f"{scope.on:%d/%m/%Y}: ended by the school, or past their planned exit, whichever came "
            "first; by the exit strategy planned."
        ),
        value={"rows": rows, "total": sum(counts.values())},
        columns=[("label", "Exit strategy"), ("count", "Referrals ended")],
    )


def service_headlines(scope: ServiceScope) -> list[Figure]:
    """The lead practitioner's figures, in the order the page shows them."""
    return [
        referrals_open(scope),
        referrals_ending_soon(scope),
        referrals_targets_secure(scope),
        referrals_without_recent_contact(scope),
        referrals_ended_by_exit_strategy(scope),
    ]
