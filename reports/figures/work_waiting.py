"""Work waiting, as of now: incidents in the review queue, open meeting and follow-up actions
(overdue among them), and pupils missing from the Reset Area.

These are snapshots of today, whatever period the dashboard shows, so there is nothing to set
them against. Each counts the queryset its own page lists: the review queue is
``incidents.selectors.review_queue``; an action is open and overdue by
``semh.models.ActionItemQuerySet`` (``open``, ``overdue``); a missing pupil is
``MissingPupil.objects.unresolved()``. With a cohort, only its pupils' records are counted.
"""

from django.db.models import Count, Q
from django.utils import timezone

from incidents.models import FollowUpAction, IncidentPupil
from incidents.selectors import review_queue
from pupils.models import MeetingAction
from reset_area.models import MissingPupil

from . import Figure, Scope


def _of_cohort(queryset, scope: Scope, pupil: str):
    if scope.pupils is None:
        return queryset
    return queryset.filter(**{f"{pupil}__in": scope.pupils.values("pk")})


def _of_cohort_incidents(queryset, scope: Scope, incident: str):
    """Incidents' records where one of the cohort's pupils was involved (main pupil or not)."""
    if scope.pupils is None:
        return queryset
    involved = IncidentPupil.objects.filter(pupil__in=scope.pupils.values("pk"))
    return queryset.filter(**{f"{incident}__in": involved.values("incident")})


def review_queue_waiting(scope: Scope) -> Figure:
    queue = _of_cohort_incidents(review_queue(scope.school), scope, "pk")
    row = queue.aggregate(
        waiting=Count("pk"), restrictive=Count("pk", filter=Q(has_restrictive=True))
    )
    return Figure(
        key="review_queue_waiting",
        title="Incidents waiting for review",
        definition=(
            "Incidents submitted and not yet reviewed, now (the review queue), and how many of "
            "them include a restrictive intervention (those come first in the queue)."
        ),
        value={"waiting": row["waiting"], "restrictive": row["restrictive"]},
    )


def _open_and_overdue(queryset, today) -> dict:
    return queryset.open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(pk__in=queryset.overdue(today).values("pk")))
    )


def open_actions(scope: Scope) -> Figure:
    today = timezone.localdate()
    meeting = _open_and_overdue(
        _of_cohort(
            MeetingAction.objects.filter(meeting__pupil__school=scope.school),
            scope,
            "meeting__pupil",
        ),
        today,
    )
    follow_up = _of_cohort_incidents(
        FollowUpAction.objects.filter(incident__school=scope.school), scope, "incident"
    )
    incident = _open_and_overdue(follow_up, today)
    rows = [
        {"kind": "meeting", "label": "Actions from meetings", **meeting},
        {"kind": "follow_up", "label": "Follow-up actions from incident reviews", **incident},
    ]
    return Figure(
        key="open_actions",
        title="Open meeting and follow-up actions",
        definition=(
            f"Actions agreed at meetings about pupils, and follow-up actions set when an incident "
            f"was reviewed, not yet marked done, now; overdue when their due date is before today "
            f"({today:%d/%m/%Y}). Actions with no due date are open but never overdue."
        ),
        value={
            "open": meeting["open"] + incident["open"],
            "overdue": meeting["overdue"] + incident["overdue"],
            "rows": rows,
        },
        columns=[("label", "Actions"), ("open", "Open"), ("overdue", "Overdue")],
    )


def missing_pupils_now(scope: Scope) -> Figure:
    missing = _of_cohort(
        MissingPupil.objects.unresolved().filter(placement__room__school=scope.school),
        scope,
        "placement__pupil",
    )
    row = missing.aggregate(missing=Count("pk"), pupils=Count("placement__pupil", distinct=True))
    return Figure(
        key="missing_pupils_now",
        title="Pupils missing from the Reset Area",
        definition=(
            "Planned Reset Area sessions whose pupil had not arrived a few minutes after the "
            "period began and that nobody has resolved yet (arrived, absent from school, session "
            "cancelled), now, whatever day they were flagged; and how many different pupils."
        ),
        value={"missing": row["missing"], "pupils": row["pupils"]},
    )
