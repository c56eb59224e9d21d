"""Writes of the daily log: quick notes, a day's engagement summary, wellbeing check-ins."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import DailyNote, NoteKind, Target, WellbeingCheckIn
from pupils.services.fields import assign
from semh import audit
from semh.audit import AuditAction
from semh.models import Period
from semh.submissions import submitted_once

NOTE_FIELDS = ("kind", "on_day", "period", "engagement", "zone", "target", "text")
CHECK_IN_FIELDS = ("at", "zone", "feeling", "words", "by")


def _check_note(note, school):
    if (
        note.target_id is not None
        and not Target.objects.filter(pk=note.target_id, plan__pupil=note.pupil).exists()
    ):
        raise ValidationError({"target": ["Choose one of this pupil's targets."]})
    if (
        note.period_id is not None
        and not Period.objects.filter(pk=note.period_id, school=school).exists()
    ):
        raise ValidationError({"period": ["Choose one of this school's periods."]})


@submitted_once
@transaction.atomic
def record_note(*, actor, school, pupil, client=None, **details) -> DailyNote:
    """A note on ``pupil``'s day (``details``: fields of ``NOTE_FIELDS``). The target, if any,
    must be one of this pupil's; the period one of this school's."""
    note = DailyNote(pupil=pupil, recorded_by=actor)
    assign(note, details, allowed=NOTE_FIELDS)
    _check_note(note, school)
    if len(note.text) > 1000:
        raise ValidationError({"text": ["Keep the note to 1,000 characters."]})
    note.save()
    audit.record(
        actor=actor,
        action=AuditAction.DAILY_NOTE_CREATE,
        school=school,
        target=note,
        client=client,
        pupil=str(pupil.pk),
        kind=note.kind,
    )
    return note


@transaction.atomic
def record_daily_summary(*, actor, school, pupil, on_day, rows, client=None) -> list[DailyNote]:
    """The day at a glance: ``rows`` is a list of ``(period, engagement, zone)``; each row with an
    engagement or a zone replaces that period's engagement note for the day (one per period)."""
    saved = []
    for period, engagement, zone in rows:
        if period.school_id != school.pk:
            raise ValidationError("Choose one of this school's periods.")
        DailyNote.objects.filter(
            pupil=pupil, on_day=on_day, period=period, kind=NoteKind.ENGAGEMENT
        ).delete()
        if engagement is None and not zone:
            continue
        saved.append(
            DailyNote.objects.create(
                pupil=pupil,
                kind=NoteKind.ENGAGEMENT,
                on_day=on_day,
                period=period,
                engagement=engagement,
                zone=zone or "",
                recorded_by=actor,
            )
        )
    audit.record(
        actor=actor,
        action=AuditAction.DAILY_SUMMARY_SAVE,
        school=school,
        target=pupil,
        client=client,
        pupil=str(pupil.pk),
        day=on_day.isoformat(),
        periods=len(saved),
    )
    return saved


@submitted_once
@transaction.atomic
def record_check_in(*, actor, school, pupil, client=None, **details) -> WellbeingCheckIn:
    """How ``pupil`` is feeling now (``details``: fields of ``CHECK_IN_FIELDS``; a zone or a
    feelings score is needed)."""
    check_in = WellbeingCheckIn(pupil=pupil, recorded_by=actor)
    assign(check_in, details, allowed=CHECK_IN_FIELDS)
    if check_in.at is None:
        check_in.at = timezone.now()
    if not check_in.zone and check_in.feeling is None:
        raise ValidationError({"zone": ["Choose a zone or a feelings score."]})
    check_in.save()
    audit.record(
        actor=actor,
        action=AuditAction.CHECK_IN_CREATE,
        school=school,
        target=check_in,
        client=client,
        pupil=str(pupil.pk),
    )
    return check_in
