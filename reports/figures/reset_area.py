"""Reset Area use: visits, minutes out of learning, the returned-to-lesson rate, and planned
against unplanned visits.

Every figure is ``reset_area.metrics.summary`` (one query, shared by the four figures of a scope)
over the visits of the range
(``reset_area.metrics.visits_between``: the day the pupil arrived decides the period), so the
Reset Area's own metrics page and these figures count the same way. Minutes out of learning are
the ones stored when a visit closes (``reset_area.services.visits.learning_minutes``: the minutes
of the stay inside learning periods of the school day). A visit is planned when its reason is
"Planned session" (checked in for a timetabled placement); every other reason is unplanned.
"""

from reset_area.metrics import summary, visits_between
from reset_area.models import Reason

from . import Figure, Scope
from .cohorts import shown_share


def _summary(scope: Scope) -> dict:
    """The one aggregate over the scope's visits that every figure here reads (one query)."""

    def compute():
        visits = visits_between(scope.school, scope.first, scope.last)
        if scope.pupils is not None:
            visits = visits.filter(pupil__in=scope.pupils)
        return summary(visits)

    return scope.once("reset_area_summary", compute)


def reset_visits(scope: Scope) -> Figure:
    row = _summary(scope)
    return Figure(
        key="reset_visits",
        title="Reset Area visits",
        definition=(
            "Visits to the Reset Area that began (check-in time) in the period, open or closed, "
            "and how many different pupils made them."
        ),
        value={"visits": row["visits"], "pupils": row["pupils"]},
    )


def reset_minutes_out_of_learning(scope: Scope) -> Figure:
    row = _summary(scope)
    return Figure(
        key="reset_minutes_out_of_learning",
        title="Minutes out of learning in the Reset Area",
        definition=(
            "Minutes of Reset Area stays that fell in learning periods of the school day (not "
            "breaks, lunch, before or after school), for visits that began in the period and "
            "have been checked out; a visit still open counts no minutes."
        ),
        value={"minutes": row["minutes"], "closed_visits": row["closed"]},
    )


def reset_returned_to_lesson(scope: Scope) -> Figure:
    row = _summary(scope)
    return Figure(
        key="reset_returned_to_lesson",
        title="Returned to lesson after the Reset Area",
        definition=(
            "Of the visits that began in the period and have been checked out, how many ended "
            'with the outcome "Returned to lesson"; visits still open are not counted. The share '
            "is shown from five checked-out visits."
        ),
        value={
            "returned": row["returned"],
            "closed_visits": row["closed"],
            "share": shown_share(row["returned"], row["closed"]),
        },
    )


def reset_planned_visits(scope: Scope) -> Figure:
    row = _summary(scope)
    return Figure(
        key="reset_planned_visits",
        title="Planned and unplanned Reset Area visits",
        definition=(
            'Visits that began in the period: planned when checked in as a "Planned session" '
            "(a timetabled placement); unplanned for every other reason (referred by staff, "
            "self-referral, following an incident), shown by reason."
        ),
        value={
            "planned": row["planned"],
            "unplanned": row["unplanned"],
            "rows": [
                {"reason": value, "label": label, "visits": row[f"reason_{value}"]}
                for value, label in Reason.choices
            ],
        },
        columns=[("label", "Reason"), ("visits", "Visits")],
    )
