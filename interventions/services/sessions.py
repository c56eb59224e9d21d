"""Writes of a group's sessions: taking the register, and cancelling a session.

One session per group per day. The group's row is locked while its register is saved, so a
double tap, or two assistants saving the same day's register at once, save one after the other
onto the same ``Session`` (the later save's marks win); never two rows.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from semh import audit
from semh.access import PUPIL_FACING_ROLES
from semh.audit import AuditAction
from semh.selectors import staff_with_roles

from ..models import Attendance, Group, Session, SessionAttendance
from ..schedule import enrolled_on, is_due

# What a register may mark a pupil (a whole session is cancelled with ``cancel_session``).
REGISTER_MARKS = (Attendance.ATTENDED, Attendance.ABSENT, Attendance.REFUSED)


def _check_day(group, day: date, *, future_allowed=False) -> None:
    if not future_allowed and day > timezone.localdate():
        raise ValidationError({"held_on": ["A register cannot be taken for a day still to come."]})
    if not is_due(group, day):
        raise ValidationError({"held_on": [f"{group.name} does not meet on {day:%A %d/%m/%Y}."]})


def _check_deliverer(school, person) -> None:
    if not staff_with_roles(school, PUPIL_FACING_ROLES).filter(pk=person.pk).exists():
        raise ValidationError({"delivered_by": ["Choose a member of staff of this school."]})


def _locked(group) -> Group:
    return Group.objects.select_for_update().get(pk=group.pk)


def _session_of(group, day, *, actor, delivered_by, **fields) -> Session:
    """The day's session of the (locked) group, made or updated with ``fields``."""
    values = {"delivered_by": delivered_by, "recorded_by": actor, "recorded_at": timezone.now()}
    values.update(fields)
    session, _ = Session.objects.update_or_create(group=group, held_on=day, defaults=values)
    return session


def _clean_marks(marks: dict, enrolments) -> list[tuple]:
    """(enrolment, attendance, reason, engagement) for every enrolled pupil: a pupil the register
    left unmarked attended (the register's default); a mark for anyone else is refused."""
    by_id = {str(e.pk): e for e in enrolments}
    strays = {str(k) for k in marks} - set(by_id)
    if strays:
        raise ValidationError("Some of those pupils are not in this group on that day.")
    given = {str(k): v for k, v in marks.items()}
    cleaned = []
    for key, enrolment in by_id.items():
        attendance, reason, engagement = given.get(key, (Attendance.ATTENDED, "", None))
        if attendance not in REGISTER_MARKS:
            raise ValidationError(f"Choose attended, absent or refused for {enrolment.pupil}.")
        if engagement is not None:
            if attendance != Attendance.ATTENDED:
                raise ValidationError(
                    f"Engagement is rated only for a pupil who attended ({enrolment.pupil})."
                )
            if not 1 <= int(engagement) <= 5:
                raise ValidationError(f"Rate {enrolment.pupil}'s engagement from 1 to 5.")
        cleaned.append((enrolment, attendance, (reason or "").strip()[:200], engagement))
    return cleaned


def _replace_marks(session, rows) -> None:
    SessionAttendance.objects.filter(session=session).delete()
    SessionAttendance.objects.bulk_create(
        SessionAttendance(
            session=session,
            enrolment=enrolment,
            attendance=attendance,
            reason=reason,
            engagement=engagement,
        )
        for enrolment, attendance, reason, engagement in rows
    )


@transaction.atomic
def record_session(
    *, actor, school, group, held_on, delivered_by, marks, note="", client=None
) -> Session:
    """Take (or re-take) the register of ``group`` for ``held_on``. ``marks``: {enrolment id:
    (attendance, reason, engagement or None)}; an enrolled pupil left out attended. Saving the same
    day again updates the one session and replaces its marks."""
    if group.school_id != school.pk:
        raise ValidationError("That group is not one of this school's.")
    group = _locked(group)
    _check_day(group, held_on)
    _check_deliverer(school, delivered_by)
    rows = _clean_marks(marks, list(enrolled_on(group, held_on)))
    session = _session_of(
        group,
        held_on,
        actor=actor,
        delivered_by=delivered_by,
        cancelled=False,
        cancel_reason="",
        note=(note or "").strip()[:500],
    )
    _replace_marks(session, rows)
    audit.record(
        actor=actor,
        action=AuditAction.SESSION_RECORD,
        school=school,
        target=session,
        client=client,
        group=str(group.pk),
        day=held_on.isoformat(),
        attended=sum(1 for r in rows if r[1] == Attendance.ATTENDED),
        marked=len(rows),
    )
    return session


@transaction.atomic
def cancel_session(
    *, actor, school, group, held_on, reason, delivered_by=None, client=None
) -> Session:
    """Record that ``group``'s session on ``held_on`` did not run (a trip, staff absence…): every
    enrolled pupil is marked "session cancelled", which no figure counts. A session may be
    cancelled ahead of its day; a register taken since is replaced."""
    if group.school_id != school.pk:
        raise ValidationError("That group is not one of this school's.")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError({"reason": ["Say why the session did not run."]})
    group = _locked(group)
    _check_day(group, held_on, future_allowed=True)
    delivered_by = delivered_by or group.lead
    enrolments = list(enrolled_on(group, held_on))
    session = _session_of(
        group,
        held_on,
        actor=actor,
        delivered_by=delivered_by,
        cancelled=True,
        cancel_reason=reason,
    )
    _replace_marks(session, [(e, Attendance.CANCELLED, "", None) for e in enrolments])
    audit.record(
        actor=actor,
        action=AuditAction.SESSION_RECORD,
        school=school,
        target=session,
        client=client,
        group=str(group.pk),
        day=held_on.isoformat(),
        cancelled=True,
    )
    return session
