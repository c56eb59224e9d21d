"""Reads of interventions: each object named in a URL (``access_*``: 404 for a bad, unknown or
other school's id, so no view filters by hand) and what each page shows.

Registers: anyone who records (RECORD) may take the register of any group of the school, so a
group and its sessions are reached through the school alone, and a register shows each enrolled
pupil's name and nothing else of their record.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404

from semh.access import Capability

from .models import Attendance, Group, Session
from .schedule import counts_for, due_on, enrolled_on, owed_registers


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def _of_viewers_school(viewer, school):
    if viewer.school.pk != school.pk:
        raise Http404


def access_group(viewer, school, group_id) -> Group:
    _of_viewers_school(viewer, school)
    return _get_or_404(
        Group.objects.filter(school=school).select_related("programme", "lead"), group_id
    )


def access_session(viewer, school, session_id) -> Session:
    _of_viewers_school(viewer, school)
    return _get_or_404(
        Session.objects.filter(group__school=school).select_related(
            "group__programme", "delivered_by", "recorded_by"
        ),
        session_id,
    )


# --- Registers --------------------------------------------------------------------------------


def with_counts(sessions):
    """Sessions with ``attended`` and ``marked`` (pupils on the register) counted."""
    return sessions.annotate(
        attended=Count("marks", filter=Q(marks__attendance=Attendance.ATTENDED)),
        marked=Count("marks"),
    )


def register_rows(group, day, session=None) -> list[dict]:
    """Each pupil on the group's register for ``day`` (enrolled that day) with their mark in
    ``session`` when it was taken, and whether the session counts for them (consent given by
    then). Two queries."""
    marks = {}
    if session is not None:
        marks = {m.enrolment_id: m for m in session.marks.all()}
    rows = []
    for enrolment in enrolled_on(group, day):
        rows.append(
            {
                "enrolment": enrolment,
                "pupil": enrolment.pupil,
                "mark": marks.get(enrolment.pk),
                "counts": counts_for(enrolment, day),
            }
        )
    return rows


def session_on(group, day) -> Session | None:
    return Session.objects.filter(group=group, held_on=day).select_related("recorded_by").first()


def group_sessions(group):
    """The group's sessions, newest first, with their counts."""
    return list(
        with_counts(Session.objects.filter(group=group))
        .select_related("delivered_by")
        .order_by("-held_on")
    )


def session_marks(session) -> list:
    return list(
        session.marks.select_related("enrolment__pupil").order_by(
            "enrolment__pupil__legal_last_name", "enrolment__pupil__legal_first_name"
        )
    )


# --- The home page ----------------------------------------------------------------------------


def home_sessions(viewer, school, *, today) -> dict | None:
    """Sessions due today and registers owed, for the home page: a SENCo sees all of the
    school's, others who record the groups they lead or help to run; None for anyone who does
    not take registers. The same seven queries however many groups."""
    if not viewer.can(Capability.RECORD):
        return None
    staff = None if viewer.can(Capability.EDIT_PUPILS) else viewer.user
    groups = due_on(school, today, staff=staff)
    taken = {}
    if groups:
        sessions = Session.objects.filter(group__in=[g.pk for g in groups], held_on=today)
        taken = {s.group_id: s for s in with_counts(sessions)}
    return {
        "today": [{"group": g, "session": taken.get(g.pk)} for g in groups],
        "owed": owed_registers(school, today=today, staff=staff),
        "all_of_school": staff is None,
    }
