"""Sessions: a group's register for a day (taken on a phone), cancelling a session, a past
session and a group's list of sessions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from semh import audit, params
from semh.access import INTERVENTION_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

from ..forms.sessions import CancelSessionForm, RegisterForm
from ..models import Attendance
from ..schedule import due_days_around, is_due
from ..selectors import (
    access_group,
    access_session,
    group_sessions,
    register_rows,
    session_marks,
    session_on,
)
from ..services import sessions as services


def _day(request):
    return params.day(request.GET.get("day"), timezone.localdate())


def register_url(school, group, day):
    url = reverse("interventions:register", args=[school.slug, group.pk])
    return f"{url}?day={day:%Y-%m-%d}"


# How the saved message counts each mark: "4 attended, 1 absent".
COUNTED_AS = {
    Attendance.ATTENDED: "attended",
    Attendance.ABSENT: "absent",
    Attendance.REFUSED: "refused",
}


def saved_message(session, marks) -> str:
    """'Register saved for Tuesday Lego (4 attended, 1 absent)': the marks' counts in order."""
    counts = [(sum(1 for m in marks.values() if m[0] == a), word) for a, word in COUNTED_AS.items()]
    parts = [f"{n} {word}" for n, word in counts if n]
    return f"Register saved for {session.group.name} ({', '.join(parts) or 'nobody enrolled'})."


@school_view(Capability.RECORD)
def register(request, group_id):
    """The register of a group for ``?day=`` (today by default): one tap per pupil."""
    viewer, school = request.school_access, request.school
    group, day = access_group(viewer, school, group_id), _day(request)
    session = session_on(group, day)
    form = RegisterForm(
        request.POST or None,
        school=school,
        actor=request.user,
        rows=register_rows(group, day, session),
        session=session,
    )
    if request.method == "POST" and form.is_valid():
        marks = form.marks()
        saved = submit(
            form,
            services.record_session,
            actor=request.user,
            school=school,
            group=group,
            held_on=day,
            marks=marks,
            client=Client.of(request),
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, saved_message(saved, marks))
            return redirect("school_home", school.slug)
    audit.record_page_view(request, AuditAction.SESSION_VIEW, target=group, day=day.isoformat())
    return _register_page(request, group, day, session, form)


def _register_page(request, group, day, session, form):
    cancel_form = CancelSessionForm(initial={"reason": session.cancel_reason if session else ""})
    today = timezone.localdate()
    previous, following = due_days_around(group, day, today=today)
    return render(
        request,
        "interventions/sessions/register.html",
        {
            "group": group,
            "day": day,
            "session": session,
            "form": form,
            "cancel_form": cancel_form,
            "due": is_due(group, day),
            "future": day > today,
            "previous": previous,
            "next": following,
        },
    )


@school_view(Capability.RECORD)
@require_POST
def cancel(request, group_id):
    """Mark the day's session cancelled, every pupil "session cancelled", with the reason."""
    viewer, school = request.school_access, request.school
    group, day = access_group(viewer, school, group_id), _day(request)
    form = CancelSessionForm(request.POST)
    if form.is_valid() and submit(
        form,
        services.cancel_session,
        actor=request.user,
        school=school,
        group=group,
        held_on=day,
        reason=form.cleaned_data["reason"],
        client=Client.of(request),
    ):
        messages.success(request, f"{group.name} on {day:%A %d/%m/%Y} recorded as cancelled.")
        return redirect("school_home", school.slug)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect(register_url(school, group, day))


@school_view(*INTERVENTION_READERS)
def session_detail(request, session_id):
    """A past register, read-only; those who record may re-take it."""
    session = access_session(request.school_access, request.school, session_id)
    audit.record_page_view(request, AuditAction.SESSION_VIEW, target=session)
    return render(
        request,
        "interventions/sessions/session_detail.html",
        {
            "session": session,
            "group": session.group,
            "marks": session_marks(session),
            "cancelled_mark": Attendance.CANCELLED,
        },
    )


@school_view(*INTERVENTION_READERS)
def group_sessions_page(request, group_id):
    """A group's sessions, newest first, with attendance counts."""
    group = access_group(request.school_access, request.school, group_id)
    sessions = group_sessions(group)
    cancelled = sum(1 for s in sessions if s.cancelled)
    return render(
        request,
        "interventions/sessions/group_sessions.html",
        {
            "group": group,
            "sessions": sessions,
            "delivered": len(sessions) - cancelled,
            "cancelled": cancelled,
        },
    )
