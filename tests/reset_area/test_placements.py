"""Planned placements: the weekly timetable of a room, planning pupils into it (SENCo) and
taking them off it."""

from datetime import date

from django.urls import reverse
from django_scopes import scopes_disabled

from reset_area.models import PlannedPlacement
from semh.access import Role
from tests.reset_area.conftest import MONDAY, assert_garbage_is_refused_quietly, period, plan


def url(name, school, *args):
    return reverse(f"reset_area:{name}", args=[school.slug, *args])


def test_the_timetable_grid_shows_places_per_cell_and_plans_a_pupil_from_it(
    client, login, cast, hub, clock, senco
):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco, purpose="Soft start")
    p1 = period(cast.school_a, 0, "P1")
    login(senco)

    grid = client.get(
        url("timetable", cast.school_a, hub.pk), {"week": "2026-11-18"}
    ).content.decode()
    add = client.post(
        url("placement_create", cast.school_a, hub.pk) + f"?period={p1.pk}&week=2026-11-16",
        {
            "pupil": cast.pupils_a[1].pk,
            "period": p1.pk,
            "purpose": "Zones check-in",
            "starts_on": "2026-11-16",
            "ends_on": "2026-12-18",
        },
    )
    full = client.post(
        url("placement_create", cast.school_a, hub.pk),
        {
            "pupil": cast.pupils_a[2].pk,
            "period": p1.pk,
            "purpose": "One more",
            "starts_on": "2026-11-16",
            "ends_on": "2026-12-18",
        },
    )

    assert "Week of Mon 16/11/2026" in grid
    assert cast.pupils_a[0].full_name in grid and "1/2" in grid
    assert add.status_code == 302 and add["Location"].endswith("?week=2026-11-16")
    assert "P1 is full in The Hub (2 of 2 planned)" in full.content.decode().replace("Monday ", "")
    with scopes_disabled():
        assert PlannedPlacement.objects.filter(room=hub).count() == 2
    regrid = client.get(url("timetable", cast.school_a, hub.pk), {"week": "2026-11-16"})
    assert "2/2" in regrid.content.decode()


def test_a_pupil_cannot_be_planned_into_two_rooms_at_once(
    client, login, cast, hub, nook, clock, senco
):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(senco)

    response = client.post(
        url("placement_create", cast.school_a, nook.pk),
        {
            "pupil": cast.pupils_a[0].pk,
            "period": period(cast.school_a, 0, "P1").pk,
            "purpose": "Twice",
            "starts_on": "2026-11-16",
            "ends_on": "2026-11-30",
        },
    )

    assert "is already planned into The Hub then" in response.content.decode()


def test_removing_a_placement_ends_it_from_today_and_keeps_past_weeks(
    client, login, cast, hub, clock, senco
):
    placement = plan(hub, cast.pupils_a[0], 0, "P1", by=senco, starts_on=date(2026, 11, 2))
    clock.set(MONDAY, 12)
    login(senco)

    client.post(
        url("placement_remove", cast.school_a, placement.pk), {"week": "2026-11-16"}, follow=True
    )

    with scopes_disabled():
        placement.refresh_from_db()
    assert placement.removed_on == MONDAY and placement.removed_by == senco
    name = cast.pupils_a[0].full_name
    assert (
        name
        not in client.get(
            url("timetable", cast.school_a, hub.pk), {"week": "2026-11-16"}
        ).content.decode()
    )
    assert (
        name
        in client.get(
            url("timetable", cast.school_a, hub.pk), {"week": "2026-11-09"}
        ).content.decode()
    )


def test_assistants_see_the_timetable_but_cannot_change_it(client, login, cast, hub, clock, senco):
    placement = plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(cast.user(Role.ASSISTANT))

    grid = client.get(url("timetable", cast.school_a, hub.pk), {"week": "2026-11-16"})
    removed = client.post(url("placement_remove", cast.school_a, placement.pk))

    assert grid.status_code == 200 and "+ Add" not in grid.content.decode()
    assert removed.status_code == 403


def test_a_bad_unknown_or_other_schools_period_or_placement_is_not_found(
    client, login, cast, hub, clock, senco
):
    """``?period=`` used to reach the database unchecked: a non-number was a server error."""
    with scopes_disabled():
        from semh.school_day import ensure_typical_school_day

        ensure_typical_school_day(cast.school_b)
    theirs = period(cast.school_b, 0, "P1")
    placement = plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(senco)
    add = url("placement_create", cast.school_a, hub.pk)

    assert client.get(add, {"period": "not-a-number"}).status_code == 404
    assert client.get(add, {"period": "999999"}).status_code == 404
    assert client.get(add, {"period": theirs.pk}).status_code == 404
    assert client.get(add, {"period": period(cast.school_a, 0, "P1").pk}).status_code == 200
    assert client.get(add).status_code == 200
    client.force_login(cast.user(Role.SENCO, "b"))
    assert client.post(url("placement_remove", cast.school_b, placement.pk)).status_code == 404
    with scopes_disabled():
        placement.refresh_from_db()
    assert placement.removed_on is None


def test_a_new_placement_runs_to_the_end_of_term_by_default(client, login, cast, hub, senco):
    from semh.models import AcademicYear, Term

    with scopes_disabled():
        year = AcademicYear.objects.create(
            school=cast.school_a,
            name="2026/27",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 7, 31),
        )
        Term.objects.create(
            school=cast.school_a,
            academic_year=year,
            season="autumn",
            starts_on=date(2026, 9, 3),
            ends_on=date(2026, 12, 18),
        )
    login(senco)

    form = client.get(url("placement_create", cast.school_a, hub.pk), {"week": "2026-11-16"})

    html = form.content.decode()
    assert 'name="starts_on" value="2026-11-16"' in html
    assert 'name="ends_on" value="2026-12-18"' in html


def test_garbage_in_the_timetable_parameters_is_never_a_server_error(
    client, login, cast, hub, senco
):
    """``?week=`` near the calendar's ends and ``?period=`` not a number used to be 500s."""
    login(senco)

    assert_garbage_is_refused_quietly(client, url("timetable", cast.school_a, hub.pk), ["week"])
    assert_garbage_is_refused_quietly(
        client, url("placement_create", cast.school_a, hub.pk), ["week", "period", "q"]
    )
