"""What provision costs, planned for the whole run and to date, and where the hourly cost of a
group comes from (the cost table: a person's own rate beats their roles')."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from interventions.costs import cost_of
from interventions.models import Group
from interventions.services.provision import create_group, hourly_cost_for
from semh.access import Role
from semh.models import Membership
from tests.factories.interventions import (
    EnrolmentFactory,
    GroupFactory,
    ProgrammeFactory,
    SessionFactory,
    StaffCostFactory,
)


@pytest.fixture
def costed_group(cast, clock):
    """1.5 staff hours a session at £14.50, 12 planned; 5 delivered and 1 cancelled so far,
    3 pupils."""
    today = clock.today
    with scopes_disabled():
        group = GroupFactory(
            programme=ProgrammeFactory(school=cast.school_a),
            lead=cast.user(Role.ASSISTANT),
            starts_on=today - timedelta(weeks=8),
            planned_end_on=today + timedelta(weeks=6),
            planned_sessions=12,
            staff_hours_per_session=Decimal("1.5"),
            hourly_cost=Decimal("14.50"),
        )
        for pupil in cast.pupils_a[:3]:
            EnrolmentFactory(group=group, pupil=pupil)
        for week in range(1, 6):
            SessionFactory(group=group, held_on=today - timedelta(weeks=week))
        SessionFactory(
            group=group, held_on=today - timedelta(weeks=6), cancelled=True, cancel_reason="Trip"
        )
    return group


def test_cost_is_planned_for_the_whole_run_and_to_date(costed_group, clock):
    with scopes_disabled():
        cost = cost_of(costed_group, on=clock.today)

    assert cost.per_session == Decimal("21.75")  # 1.5 h × £14.50
    assert cost.planned_total == Decimal("261.00")  # 12 × £21.75
    assert cost.delivered_sessions == 5  # the cancelled session is not costed
    assert cost.to_date_total == Decimal("108.75")  # 5 × £21.75
    assert cost.planned_per_pupil == Decimal("87.00")  # £261.00 / 3
    assert cost.to_date_per_pupil == Decimal("36.25")  # £108.75 / 3


def test_the_group_page_labels_planned_and_to_date_costs(client, login, cast, costed_group):
    login(cast.user(Role.SENCO))

    page = client.get(
        reverse("interventions:group_detail", args=[cast.school_a.slug, costed_group.pk])
    ).content.decode()

    assert "£21.75 a session" in page
    assert "Planned (whole run)" in page and "To date (25/11/2026)" in page
    assert "£261.00" in page and "£108.75" in page
    assert "£87.00 (3 pupils)" in page and "£36.25 (3 pupils)" in page
    assert "5 delivered of 12 planned" in page


def test_a_persons_own_rate_beats_their_roles_and_roles_give_the_highest(cast):
    school = cast.school_a
    senco, assistant = cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    with scopes_disabled():
        StaffCostFactory(school=school, role=Role.ASSISTANT, hourly_cost=Decimal("14.50"))
        StaffCostFactory(school=school, role=Role.TEACHER, hourly_cost=Decimal("32.00"))
        StaffCostFactory(school=school, role=Role.SENCO, hourly_cost=Decimal("38.00"))
        # The assistant is also a teacher here: the higher of the two roles' rates.
        Membership.objects.create(user=assistant, school=school, role=Role.TEACHER)
        assert hourly_cost_for(school, assistant) == Decimal("32.00")
        StaffCostFactory(school=school, role="", staff=senco, hourly_cost=Decimal("35.20"))
        assert hourly_cost_for(school, senco) == Decimal("35.20")
        assert hourly_cost_for(school, cast.user(Role.SLT)) is None


def test_a_new_group_keeps_the_leads_rate_from_the_cost_table(cast, clock):
    school, senco, assistant = cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    with scopes_disabled():
        cost_row = StaffCostFactory(school=school, role=Role.ASSISTANT, hourly_cost=Decimal("14.5"))
        group = create_group(
            actor=senco,
            school=school,
            programme=ProgrammeFactory(school=school),
            name="Tuesday ELSA",
            lead=assistant,
            weekday=1,
            starts_at="13:15",
            room="",
            starts_on=clock.today,
            planned_end_on=clock.today + timedelta(weeks=12),
            planned_sessions=12,
            staff_hours_per_session=Decimal("1.5"),
            hourly_cost=None,
            funding_stream=None,
        )
        cost_row.hourly_cost = Decimal("16.00")  # a pay rise later
        cost_row.save()
        group.refresh_from_db()

    assert group.hourly_cost == Decimal("14.50")


def test_the_group_form_asks_for_a_figure_when_the_cost_table_has_none(client, login, cast, clock):
    login(cast.user(Role.SENCO))
    with scopes_disabled():
        programme = ProgrammeFactory(school=cast.school_a)
    url = reverse("interventions:group_create", args=[cast.school_a.slug])
    data = {
        "programme": programme.pk,
        "name": "Friday mentoring",
        "lead": cast.user(Role.TEACHER).pk,
        "weekday": 4,
        "starts_at": "14:00",
        "starts_on": clock.today.isoformat(),
        "planned_end_on": (clock.today + timedelta(weeks=10)).isoformat(),
        "planned_sessions": 10,
        "staff_hours_per_session": "1",
    }

    refused = client.post(url, data)
    made = client.post(url, {**data, "hourly_cost": "32.00"})

    assert refused.status_code == 200
    assert "no hourly cost for this member of staff" in refused.content.decode()
    assert made.status_code == 302
    with scopes_disabled():
        assert Group.objects.get(name="Friday mentoring").hourly_cost == Decimal("32.00")


def test_a_session_is_costed_to_the_penny_with_halves_rounded_up(cast, clock):
    # 1.25 h × £14.50 = £18.125 → £18.13 a session; 12 planned → £217.56 (not 12 × £18.12).
    with scopes_disabled():
        group = GroupFactory(
            programme=ProgrammeFactory(school=cast.school_a),
            planned_sessions=12,
            staff_hours_per_session=Decimal("1.25"),
            hourly_cost=Decimal("14.50"),
        )
        cost = cost_of(group, on=clock.today)
    assert cost.per_session == Decimal("18.13")
    assert cost.planned_total == Decimal("217.56")
