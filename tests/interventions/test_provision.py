"""The school's provision: default programmes and funding streams, programmes (SENCo), the
settings page, groups (SENCo sets them up; everyone who reaches interventions sees them)."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from interventions.defaults import (
    DEFAULT_FUNDING_STREAMS,
    DEFAULT_PROGRAMMES,
    ensure_default_provision,
)
from interventions.demo import _seed_provision
from interventions.models import (
    Consent,
    Delivery,
    Enrolment,
    FundingStream,
    Group,
    MeasureDefinition,
    Programme,
    StaffCost,
)
from pupils.models import AreaOfNeed
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories import PupilFactory, SchoolFactory
from tests.factories.interventions import EnrolmentFactory, GroupFactory, ProgrammeFactory
from tests.factories.pupils import SupportPlanFactory, TargetFactory


def url(name, school, *args):
    return reverse(f"interventions:{name}", args=[school.slug, *args])


def test_a_new_school_starts_with_the_default_programmes_and_funding_streams(db):
    with scopes_disabled():
        school = SchoolFactory()
        programmes = {p.name: p for p in Programme.objects.filter(school=school)}
        streams = set(FundingStream.objects.filter(school=school).values_list("name", flat=True))

    assert set(programmes) == {row[0] for row in DEFAULT_PROGRAMMES}
    assert len(programmes) == 12
    assert streams == set(DEFAULT_FUNDING_STREAMS)
    assert programmes["ELSA"].delivery == Delivery.ONE_TO_ONE
    assert programmes["Nurture group"].wave == 3
    assert programmes["Lego-based therapy"].area_of_need == AreaOfNeed.COMMUNICATION
    assert programmes["Anger management"].area_of_need == AreaOfNeed.SEMH


def test_the_defaults_are_given_once_and_leave_the_schools_own_changes(cast):
    school = cast.school_a
    with scopes_disabled():
        elsa = Programme.objects.get(school=school, name="ELSA")
        elsa.usual_sessions = 6
        elsa.save()
        Programme.objects.filter(school=school, name="Kitbag").delete()
        ensure_default_provision(school)
        ensure_default_provision(school)

        assert Programme.objects.filter(school=school).count() == 12
        assert Programme.objects.get(school=school, name="ELSA").usual_sessions == 6
        assert FundingStream.objects.filter(school=school).count() == 4


def test_default_programmes_are_judged_by_the_sdq_teacher_measure_when_it_exists(db):
    with scopes_disabled():
        sdq = MeasureDefinition.objects.filter(school__isnull=True, key="sdq-teacher").first()
        if sdq is None:
            sdq = MeasureDefinition.objects.create(
                key="sdq-teacher", name="SDQ (teacher)", instrument="sdq", informant="teacher"
            )
        school = SchoolFactory()
        thrive = Programme.objects.get(school=school, name="Thrive")

        assert list(thrive.measures.all()) == [sdq]


def test_the_senco_adds_and_retires_a_programme(client, login, cast):
    login(cast.user(Role.SENCO))
    data = {
        "name": "Draw and Chat",
        "wave": 2,
        "delivery": "one_to_one",
        "usual_sessions": 6,
        "frequency": "weekly",
        "session_minutes": 30,
        "area_of_need": "semh",
        "is_active": "on",
    }

    made = client.post(url("programme_create", cast.school_a), data)
    with scopes_disabled():
        programme = Programme.objects.get(school=cast.school_a, name="Draw and Chat")
    retired = client.post(
        url("programme_edit", cast.school_a, programme.pk), {**data, "is_active": ""}
    )
    listing = client.get(url("programmes", cast.school_a)).content.decode()

    assert made.status_code == 302 and retired.status_code == 302
    with scopes_disabled():
        programme.refresh_from_db()
        assert not programme.is_active
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.PROGRAMME_SAVE, object_id=str(programme.pk)
            ).count()
            == 2
        )
    assert "Draw and Chat" in listing and "Retired" in listing


def test_a_second_programme_of_the_same_name_is_refused_on_the_form(client, login, cast):
    login(cast.user(Role.SENCO))

    response = client.post(
        url("programme_create", cast.school_a),
        {
            "name": "ELSA",
            "wave": 2,
            "delivery": "group",
            "usual_sessions": 6,
            "frequency": "weekly",
            "session_minutes": 30,
            "area_of_need": "semh",
        },
    )

    assert response.status_code == 200
    assert "already" in response.content.decode()


def test_the_settings_page_sets_funding_streams_and_the_cost_table(client, login, cast):
    senco, assistant = cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    login(senco)

    client.post(url("funding_add", cast.school_a), {"name": "Recovery premium"})
    with scopes_disabled():
        other = FundingStream.objects.get(school=cast.school_a, name="Other")
    client.post(url("funding_in_use", cast.school_a), {"stream": other.pk, "in_use": "0"})
    client.post(url("role_costs", cast.school_a), {"assistant": "14.50", "teacher": "32"})
    client.post(url("person_cost", cast.school_a), {"staff": assistant.pk, "hourly_cost": "16"})
    page = client.get(url("settings", cast.school_a)).content.decode()

    with scopes_disabled():
        assert FundingStream.objects.filter(school=cast.school_a, name="Recovery premium").exists()
        assert not FundingStream.objects.get(pk=other.pk).is_active
        costs = {
            (c.role, c.staff_id): c.hourly_cost
            for c in StaffCost.objects.filter(school=cast.school_a)
        }
        assert AuditEvent.objects.filter(action=AuditAction.PROVISION_SETTINGS_SAVE).count() == 4
    assert costs == {
        ("assistant", None): Decimal("14.50"),
        ("teacher", None): Decimal("32.00"),
        ("", assistant.pk): Decimal("16.00"),
    }
    assert "Recovery premium" in page and "£16.00 an hour" in page


@pytest.mark.parametrize("name", ["settings", "programme_create", "group_create", "enrol"])
def test_an_assistant_cannot_set_up_provision(client, login, cast, name):
    login(cast.user(Role.ASSISTANT))

    assert client.get(url(name, cast.school_a)).status_code == 403
    assert client.post(url(name, cast.school_a), {}).status_code == 403


def test_the_senco_sets_up_a_group_edits_it_and_ends_it(client, login, cast, clock):
    senco, assistant = cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    login(senco)
    with scopes_disabled():
        elsa = Programme.objects.get(school=cast.school_a, name="ELSA")
        StaffCost.objects.create(school=cast.school_a, role="assistant", hourly_cost=14.5)
        stream = FundingStream.objects.get(school=cast.school_a, name="Pupil premium")
    data = {
        "programme": elsa.pk,
        "name": "Year 4 ELSA",
        "lead": assistant.pk,
        "other_staff": [senco.pk],
        "weekday": 2,
        "starts_at": "09:15",
        "room": "Rainbow room",
        "starts_on": clock.today.isoformat(),
        "planned_end_on": (clock.today + timedelta(weeks=8)).isoformat(),
        "planned_sessions": 8,
        "staff_hours_per_session": "1.25",
        "funding_stream": stream.pk,
    }

    made = client.post(url("group_create", cast.school_a), data)
    with scopes_disabled():
        group = Group.objects.get(school=cast.school_a, name="Year 4 ELSA")
    edited = client.post(url("group_edit", cast.school_a, group.pk), {**data, "room": "Library"})
    ended = client.post(url("group_end", cast.school_a, group.pk), {"ended_on": "2026-12-16"})
    index = client.get(url("index", cast.school_a)).content.decode()

    assert made.status_code == 302 and made["Location"] == url(
        "group_detail", cast.school_a, group.pk
    )
    assert edited.status_code == 302 and ended.status_code == 302
    with scopes_disabled():
        group.refresh_from_db()
        assert group.hourly_cost == Decimal("14.50")  # from the cost table, kept on edit
        assert group.room == "Library" and str(group.ended_on) == "2026-12-16"
        assert list(group.other_staff.all()) == [senco]
    assert "Wednesday" in index and "Year 4 ELSA" in index and "09:15 · Library" in index


def test_an_assistant_sees_the_groups_and_a_groups_pupils_but_not_their_reasons(
    client, login, cast, clock
):
    """The cast assistant may open pupils_a[0] (caseload) but not pupils_a[3]."""
    with scopes_disabled():
        group = GroupFactory(programme=ProgrammeFactory(school=cast.school_a), name="Lego club")
        EnrolmentFactory(group=group, pupil=cast.pupils_a[0], reason="Turn-taking at lunch")
        EnrolmentFactory(group=group, pupil=cast.pupils_a[3], reason="Anxious about friends")
    login(cast.user(Role.ASSISTANT))

    index = client.get(url("index", cast.school_a)).content.decode()
    page = client.get(url("group_detail", cast.school_a, group.pk)).content.decode()

    assert "Lego club" in index and "2 pupils" in index
    assert cast.pupils_a[0].full_name in page and cast.pupils_a[3].full_name in page
    assert "Turn-taking at lunch" in page
    assert "Anxious about friends" not in page
    assert "do not count towards attendance" in page


def test_another_schools_group_is_not_found(client, login, cast):
    with scopes_disabled():
        group = GroupFactory(programme=ProgrammeFactory(school=cast.school_b))
    login(cast.user(Role.SENCO))

    assert client.get(url("group_detail", cast.school_a, group.pk)).status_code == 404
    assert client.get(url("group_edit", cast.school_a, group.pk)).status_code == 404


def _group_with_pupils(cast, n):
    with scopes_disabled():
        group = GroupFactory(programme=ProgrammeFactory(school=cast.school_a))
        for pupil in PupilFactory.create_batch(n, school=cast.school_a):
            EnrolmentFactory(group=group, pupil=pupil)
    return group


def test_the_group_page_takes_as_many_queries_for_30_pupils_as_for_3(
    client, login, cast, django_assert_max_num_queries
):
    login(cast.user(Role.SENCO))
    small, large = _group_with_pupils(cast, 3), _group_with_pupils(cast, 30)
    client.get(url("group_detail", cast.school_a, small.pk))  # warm the session
    with CaptureQueriesContext(connection) as three:
        client.get(url("group_detail", cast.school_a, small.pk))
    with django_assert_max_num_queries(len(three.captured_queries)):
        page = client.get(url("group_detail", cast.school_a, large.pk))

    assert page.status_code == 200
    assert page.content.decode().count("Consent: given") == 30


def test_the_demo_seeds_costed_groups_of_default_programmes_once(cast):
    staff = {role: cast.user(role) for role in Role}
    with scopes_disabled():
        pupils = PupilFactory.create_batch(12, school=cast.school_a)
        plan = SupportPlanFactory(pupil=pupils[0], owner=staff[Role.SENCO], status="active")
        TargetFactory(plan=plan, description="Asks for help with words", position=0)
        groups = _seed_provision(
            school=cast.school_a, pupils=pupils, staff=staff, rng=random.Random(1)
        )
        again = _seed_provision(
            school=cast.school_a, pupils=pupils, staff=staff, rng=random.Random(1)
        )
        enrolments = list(Enrolment.objects.filter(group__school=cast.school_a))
        sizes = [g.enrolments.count() for g in groups]
        lego = Group.objects.get(school=cast.school_a, name="Monday Lego club")

    assert len(groups) == 5 and {g.pk for g in again} == {g.pk for g in groups}
    assert all(3 <= n <= 6 for n in sizes)
    assert [e.consent for e in enrolments].count(Consent.AWAITING) == 1
    assert lego.hourly_cost == Decimal("14.50") and lego.planned_sessions == 12
    assert 9 <= (lego.created_at.date() - lego.starts_on).days // 7 <= 12
    linked = [e for e in enrolments if e.pupil_id == pupils[0].pk]
    assert all(e.target is not None and e.reason == "Asks for help with words" for e in linked)


def test_the_index_lists_groups_not_running_today_apart(client, login, cast, clock):
    with scopes_disabled():
        programme = ProgrammeFactory(school=cast.school_a)
        GroupFactory(programme=programme, name="Running Lego", starts_on=date(2026, 11, 2))
        GroupFactory(
            programme=programme,
            name="Summer Thrive",
            starts_on=date(2026, 4, 20),
            planned_end_on=date(2026, 7, 13),
            ended_on=date(2026, 7, 13),
        )
        GroupFactory(programme=programme, name="Spring ELSA", starts_on=date(2027, 1, 11))
    login(cast.user(Role.SENCO))

    page = client.get(url("index", cast.school_a)).content.decode()
    running, others = page.split("Other groups")

    assert "Running Lego" in running and "Summer Thrive" not in running
    assert "ended 13/07/2026" in others and "starts 11/01/2027" in others


def test_migration_0003_gives_existing_schools_the_defaults(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("interventions.migrations.0003_default_provision")
    with scopes_disabled():
        Programme.objects.filter(school=cast.school_a, name__in=["ELSA", "Thrive"]).delete()
        migration.forwards(apps, None)

        assert Programme.objects.filter(school=cast.school_a).count() == 12
        assert Programme.objects.filter(school=cast.school_b).count() == 12
