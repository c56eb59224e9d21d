"""The demo incidents: a term with patterns a SENCo would spot, written through the services."""

import datetime

from django_scopes import scope, scopes_disabled

from incidents import analysis
from incidents.models import Incident, RestrictiveIntervention
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent


def seed(cast, today=datetime.date(2026, 11, 23)):
    import random

    from incidents.demo import seed_incidents
    from tests.factories import PupilFactory

    staff = {role: cast.user(role) for role in Role}
    with scopes_disabled():
        pupils = cast.pupils_a + PupilFactory.create_batch(8, school=cast.school_a)
        created = seed_incidents(
            school=cast.school_a, pupils=pupils, staff=staff, rng=random.Random(7), today=today
        )
    return pupils, created


def test_demo_incidents_show_the_patterns_a_senco_would_spot(cast):
    from incidents.models import SafeguardingConcern

    pupils, created = seed(cast)
    mondays, rising = pupils[0], pupils[1]
    start, end = datetime.date(2026, 8, 31), datetime.date(2026, 11, 22)
    with scope(school=cast.school_a):
        everyone = Incident.objects.all()
        grid = analysis.weekday_period_heatmap(
            cast.school_a, start, end, everyone.filter(involvements__pupil=mondays)
        )
        weeks = analysis.counts_by_week(
            cast.school_a, start, end, everyone.filter(involvements__pupil=rising)
        )
        restraints = RestrictiveIntervention.objects.filter(incident__isnull=False)
        outstanding = restraints.outstanding().count()
        total = analysis.summary(cast.school_a, start, end, everyone)
        concerns = SafeguardingConcern.objects.count()
        suspended = everyone.filter(outcome="suspension", suspension_reason__code="PA").count()

    busiest = max(grid["values"], key=grid["values"].get)
    counts = [w["count"] for w in weeks]
    assert created == total["total"] >= 40
    assert busiest == ("Monday", "P4")
    assert grid["values"][busiest] >= 6
    assert sum(counts[-4:]) > 2 * sum(counts[:4])
    assert (restraints.count(), outstanding) == (4, 2)
    assert concerns == 1 and suspended == 1


def test_demo_incidents_are_seeded_once(cast):
    from incidents.demo import ensure_school_day
    from semh.models import Period

    _, first = seed(cast)
    _, again = seed(cast)

    with scopes_disabled():
        assert Incident.objects.filter(school=cast.school_a).count() == first
        assert Period.objects.filter(school=cast.school_a).count() == 35  # 7 a day, Monday–Friday
        ensure_school_day(cast.school_a)
        assert Period.objects.filter(school=cast.school_a).count() == 35
    assert again == 0


def test_demo_incidents_go_through_the_services_and_leave_the_audit_trail(cast):
    _, created = seed(cast)

    with scopes_disabled():
        created_events = AuditEvent.objects.filter(
            action=AuditAction.INCIDENT_CREATE, school=cast.school_a
        )
        restraints = RestrictiveIntervention.objects.filter(incident__isnull=False)
        assert created_events.count() == created
        assert (
            AuditEvent.objects.filter(action=AuditAction.RESTRICTIVE_CREATE).count()
            == restraints.count()
            == 4
        )
        assert AuditEvent.objects.filter(action=AuditAction.CONCERN_CREATE).count() == 1
        reviewed = Incident.objects.filter(school=cast.school_a, status="reviewed")
        assert AuditEvent.objects.filter(action=AuditAction.INCIDENT_REVIEW).count() == (
            reviewed.count()
        )
        for record in restraints:
            assert record.positive_handling_plan is None or (
                record.positive_handling_plan.status == "active"
            )
