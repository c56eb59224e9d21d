"""The demo Reset Area: rooms, a school day, placements and a term of visits, seeded once."""

import random
from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import RestrictiveIntervention
from reset_area.demo import seed_reset_area
from reset_area.models import MissingPupil, PlannedPlacement, Room, Visit
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AcademicYear, AuditEvent, Period, Term
from tests.factories import PupilFactory


def counts(school):
    with scopes_disabled():
        return {
            "rooms": Room.objects.filter(school=school).count(),
            "periods": Period.objects.filter(school=school).count(),
            "placements": PlannedPlacement.objects.filter(room__school=school).count(),
            "visits": Visit.objects.filter(school=school).count(),
            "missing": MissingPupil.objects.filter(placement__room__school=school).count(),
            "seclusions": RestrictiveIntervention.objects.filter(kind="seclusion").count(),
        }


def test_seed_reset_area_builds_a_term_of_visits_once(cast):
    school = cast.school_a
    today = timezone.localdate()
    with scopes_disabled():
        year = AcademicYear.objects.create(
            school=school,
            name="demo",
            starts_on=today - timedelta(days=120),
            ends_on=today + timedelta(days=200),
        )
        # Ten weeks of this term so far.
        Term.objects.create(
            school=school,
            academic_year=year,
            season="autumn",
            starts_on=today - timedelta(weeks=10),
            ends_on=today + timedelta(weeks=4),
        )
        pupils = PupilFactory.create_batch(30, school=school, sen_status="K", primary_need="SEMH")
    staff = {role: cast.user(role) for role in Role}

    seed_reset_area(school=school, pupils=pupils, staff=staff, rng=random.Random("t"))
    first = counts(school)
    seed_reset_area(school=school, pupils=pupils, staff=staff, rng=random.Random("t"))

    assert counts(school) == first
    assert first["rooms"] == 2 and first["periods"] == 35 and first["placements"] >= 6
    assert first["visits"] > 200 and first["missing"] > 0 and first["seclusions"] == 2
    with scopes_disabled():
        assert Visit.objects.needing_correction(today).count() == 1
        assert RestrictiveIntervention.objects.outstanding().filter(kind="seclusion").count() == 1
        closed = Visit.objects.filter(left_at__isnull=False)
        assert not closed.filter(minutes_out_of_learning__isnull=True).exists()
        assert (
            closed.filter(reason="planned").exists() and closed.exclude(reason="planned").exists()
        )
        # Written through the services: each visit checked in (and each closed one out) once.
        checked_in = AuditEvent.objects.filter(action=AuditAction.RESET_CHECK_IN)
        checked_out = AuditEvent.objects.filter(action=AuditAction.RESET_CHECK_OUT)
        assert checked_in.count() == first["visits"] and checked_out.count() == closed.count()
        assert AuditEvent.objects.filter(action=AuditAction.RESET_MISSING_RESOLVE).exists()
