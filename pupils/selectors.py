"""Reads for pupil pages: a fixed number of queries however much a pupil has on record."""

from django.db.models import Prefetch

from pupils.models import (
    AgencyInvolvement,
    Meeting,
    MeetingAction,
    ParentContact,
    PupilProfile,
    SupportPlan,
)


def pupil_page_sections(pupil) -> dict:
    """Everything the pupil page shows beyond the header."""
    plans = list(
        SupportPlan.objects.filter(pupil=pupil)
        .select_related("owner")
        .prefetch_related("targets")
        .order_by("kind", "-cycle")
    )
    meetings = list(
        Meeting.objects.filter(pupil=pupil).prefetch_related(
            Prefetch("actions", queryset=MeetingAction.objects.select_related("owner"))
        )
    )
    return {
        "profile": PupilProfile.objects.filter(pupil=pupil)
        .select_related("last_reviewed_by")
        .first(),
        "current_plans": [p for p in plans if p.status != "closed"],
        "closed_plans": [p for p in plans if p.status == "closed"],
        "contacts": list(ParentContact.objects.filter(pupil=pupil).select_related("recorded_by")),
        "agencies": list(AgencyInvolvement.objects.filter(pupil=pupil)),
        "meetings": meetings,
        "open_actions": [a for m in meetings for a in m.actions.all() if a.done_on is None],
    }
