"""Rooms and their set-up (SENCo): rooms, the school day, and who is on duty."""

from datetime import time

from django.urls import reverse
from django_scopes import scopes_disabled

from reset_area import selectors
from reset_area.models import Room
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent, Period
from tests.factories.reset_area import PeriodFactory
from tests.reset_area.conftest import assert_garbage_is_refused_quietly, period, plan


def url(name, school, *args):
    return reverse(f"reset_area:{name}", args=[school.slug, *args])


def test_senco_adds_a_room_and_names_are_unique_per_school(client, login, cast, senco):
    login(senco)

    created = client.post(
        url("room_create", cast.school_a), {"name": "The Hub", "capacity": 6, "is_active": "on"}
    )
    clash = client.post(url("room_create", cast.school_a), {"name": "the hub", "capacity": 2})
    empty = client.post(url("room_create", cast.school_a), {"name": "Calm", "capacity": 0})

    assert created.status_code == 302
    assert "There is already a room with this name." in clash.content.decode()
    assert "greater than or equal to 1" in empty.content.decode()
    with scopes_disabled():
        assert list(Room.objects.values_list("name", "capacity")) == [("The Hub", 6)]


def test_only_the_senco_sets_up_rooms_and_the_school_day(client, cast):
    for role in (Role.ASSISTANT, Role.TEACHER, Role.SLT, Role.DSL):
        client.force_login(cast.user(role))
        assert client.get(url("room_create", cast.school_a)).status_code == 403
        assert client.get(url("school_day", cast.school_a)).status_code == 403


def test_a_typical_school_day_then_editing_one_weekday(client, login, cast, senco):
    login(senco)

    client.post(url("school_day_typical", cast.school_a))
    with scopes_disabled():
        monday = list(Period.objects.filter(school=cast.school_a, weekday=0))
    with scopes_disabled():
        assert Period.objects.filter(school=cast.school_a).count() == 35
    assert [(p.name, p.is_learning) for p in monday][2] == ("Break", False)

    data = {"form-TOTAL_FORMS": "8", "form-INITIAL_FORMS": "7"}
    for i, p in enumerate(monday):
        data |= {
            f"form-{i}-id": p.pk,
            f"form-{i}-name": p.name,
            f"form-{i}-starts_at": p.starts_at.strftime("%H:%M"),
            f"form-{i}-ends_at": p.ends_at.strftime("%H:%M"),
            f"form-{i}-is_learning": "on" if p.is_learning else "",
        }
    data |= {"form-7-name": "Club", "form-7-starts_at": "15:00", "form-7-ends_at": "16:00"}
    data["form-6-DELETE"] = "on"  # P5 goes on Mondays
    saved = client.post(url("school_day_edit", cast.school_a) + "?day=0", data)

    assert saved.status_code == 302
    with scopes_disabled():
        names = list(
            Period.objects.filter(school=cast.school_a, weekday=0).values_list(
                "name", "is_learning"
            )
        )
    assert names[-2:] == [("P4", True), ("Club", False)]
    with scopes_disabled():
        assert Period.objects.filter(school=cast.school_a, weekday=1, name="P5").exists()


def test_overlapping_periods_are_refused(client, login, cast, senco):
    login(senco)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-name": "P1",
        "form-0-starts_at": "09:00",
        "form-0-ends_at": "10:00",
        "form-0-is_learning": "on",
        "form-1-name": "P2",
        "form-1-starts_at": "09:30",
        "form-1-ends_at": "10:30",
        "form-1-is_learning": "on",
    }

    response = client.post(url("school_day_edit", cast.school_a) + "?day=3", data)

    assert "P1 overlaps P2: periods cannot overlap." in response.content.decode()
    with scopes_disabled():
        assert not Period.objects.filter(school=cast.school_a).exists()


def test_a_tampered_form_count_is_refused_without_building_thousands_of_rows(
    client, login, cast, senco
):
    login(senco)
    data = {"form-TOTAL_FORMS": "100000", "form-INITIAL_FORMS": "0"}

    response = client.post(url("school_day_edit", cast.school_a) + "?day=3", data)

    assert response.status_code == 200
    assert "Please submit at most 40 forms." in response.content.decode()
    assert response.content.decode().count('name="form-') < 40 * 8
    with scopes_disabled():
        assert not Period.objects.filter(school=cast.school_a).exists()


def test_a_period_with_pupils_planned_into_it_cannot_be_deleted(client, login, cast, hub, senco):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    p1 = period(cast.school_a, 0, "P1")
    login(senco)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": p1.pk,
        "form-0-name": "P1",
        "form-0-starts_at": "08:50",
        "form-0-ends_at": "09:50",
        "form-0-is_learning": "on",
        "form-0-DELETE": "on",
    }

    response = client.post(url("school_day_edit", cast.school_a) + "?day=0", data, follow=True)

    assert "has pupils planned into it" in response.content.decode()
    with scopes_disabled():
        assert Period.objects.filter(pk=p1.pk).exists()


def test_copying_a_day_to_every_weekday(client, login, cast, senco):
    with scopes_disabled():
        PeriodFactory(
            school=cast.school_a, weekday=2, name="P1", starts_at=time(9), ends_at=time(10)
        )
    login(senco)

    client.post(url("school_day_copy", cast.school_a), {"from_weekday": 2})

    with scopes_disabled():
        assert sorted(
            Period.objects.filter(school=cast.school_a).values_list("weekday", flat=True)
        ) == [0, 1, 2, 3, 4]


def test_staff_on_duty_today_show_on_the_board(client, login, cast, hub, clock, assistant):
    login(assistant)

    client.post(url("duty", cast.school_a, hub.pk), {"staff": [assistant.pk]})

    assert (
        f"On duty: {assistant.name}"
        in client.get(url("board", cast.school_a, hub.pk)).content.decode()
    )
    with scopes_disabled():
        assert selectors.board_state(room=hub).on_duty == [assistant]


def test_editing_a_room_is_audited_with_the_fields_that_changed(client, login, cast, hub, senco):
    login(senco)

    response = client.post(
        url("room_edit", cast.school_a, hub.pk), {"name": "The Hub", "capacity": 5}
    )

    assert response.status_code == 302
    with scopes_disabled():
        hub.refresh_from_db()
        event = AuditEvent.objects.get(action=AuditAction.RESET_ROOM_UPDATE)
    assert (hub.capacity, hub.is_active) == (5, False)
    assert (event.actor, event.object_id) == (senco, str(hub.pk))
    assert event.detail["fields"] == ["capacity", "is_active"]


def test_the_typical_school_day_is_set_up_once_and_audited_once(client, login, cast, senco):
    login(senco)

    first = client.post(url("school_day_typical", cast.school_a), follow=True)
    again = client.post(url("school_day_typical", cast.school_a), follow=True)

    assert "A typical school day is set up for every weekday." in first.content.decode()
    assert "The school day is already set up." in again.content.decode()
    with scopes_disabled():
        assert Period.objects.filter(school=cast.school_a).count() == 35
        assert AuditEvent.objects.filter(action=AuditAction.RESET_SCHOOL_DAY_TYPICAL).count() == 1


def test_garbage_in_the_set_up_pages_parameters_is_never_a_server_error(
    client, login, cast, hub, senco
):
    login(senco)

    index = reverse("reset_area:index", args=[cast.school_a.slug])
    assert_garbage_is_refused_quietly(client, index, ["pupil"])
    assert_garbage_is_refused_quietly(client, index, ["incident"], pupil=cast.pupils_a[0].pk)
    assert_garbage_is_refused_quietly(client, url("school_day_edit", cast.school_a), ["day"])
