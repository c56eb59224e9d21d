"""The pupils demo data is written through the services, as the demo SENCo (the seed actor)."""

import random

from django_scopes import scopes_disabled

from pupils.demo import seed_pupil_records
from pupils.models import MeetingAction, ParentContact, PupilProfile, SupportPlan
from semh.access import Role
from semh.models import AuditEvent
from tests.factories import PupilFactory


def seed(cast, pupils):
    staff = {role: cast.user(role) for role in Role}
    with scopes_disabled():
        seed_pupil_records(pupils=pupils, staff=staff, rng=random.Random("test"))


def test_demo_records_are_written_by_the_services_and_leave_an_audit_trail(cast):
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        pupils = PupilFactory.create_batch(12, school=cast.school_a)

    seed(cast, pupils)

    with scopes_disabled():
        plans = list(SupportPlan.objects.filter(pupil__in=pupils))
        profiles = list(PupilProfile.objects.filter(pupil__in=pupils))
        done = list(MeetingAction.objects.filter(meeting__pupil__in=pupils, done_on__isnull=False))
        contacts = ParentContact.objects.filter(pupil__in=pupils).count()
    with scopes_disabled():
        created = set(
            AuditEvent.objects.filter(action="plan.create", actor=senco).values_list(
                "object_id", flat=True
            )
        )
    cycles = {str(p.pk) for p in plans if p.previous_cycle_id is None}
    assert plans and created == cycles
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="plan.next_cycle").count() == len(plans) - len(
            cycles
        )
    assert {p.last_reviewed_by for p in profiles} == {senco}
    assert done and {a.done_by for a in done} == {cast.user(Role.ASSISTANT)}
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="parent_contact.create").count() == contacts


def test_seeding_twice_adds_nothing(cast):
    with scopes_disabled():
        pupils = PupilFactory.create_batch(6, school=cast.school_a)
    seed(cast, pupils)
    with scopes_disabled():
        before = AuditEvent.objects.count()

    seed(cast, pupils)

    with scopes_disabled():
        assert AuditEvent.objects.count() == before


def test_demo_gives_sen_pupils_weeks_of_mostly_positive_notes_and_check_ins(cast):
    from pupils.models import DailyNote, WellbeingCheckIn

    with scopes_disabled():
        pupils = PupilFactory.create_batch(4, school=cast.school_a, sen_status="K")

    seed(cast, pupils)

    with scopes_disabled():
        notes = list(DailyNote.objects.filter(pupil__in=pupils))
        check_ins = WellbeingCheckIn.objects.filter(pupil__in=pupils).count()
        audited = AuditEvent.objects.filter(action="pupils.daily_note_create").count()
    positives = [n for n in notes if n.kind == "positive"]
    assert len(positives) > len(notes) / 2
    assert check_ins >= 4 * 10
    assert audited == len(notes)
