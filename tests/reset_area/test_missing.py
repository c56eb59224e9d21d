"""A planned pupil who has not arrived 10 minutes (configurable) into their period shows as
missing on the board and the SENCo's home page until someone resolves it. The flags are raised by
the beat task every minute; pages only read (the board shows a pupil due since the last run)."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scopes_disabled

from reset_area.models import MissingPupil, Reason, Zone
from reset_area.services import visits
from reset_area.tasks import flag_missing_pupils
from semh.models import AcademicYear, AuditEvent, Term
from semh.school_day import ensure_typical_school_day
from tests.factories.reset_area import RoomFactory
from tests.reset_area.conftest import MONDAY, TUESDAY, at, period, plan


def board(client, room):
    return client.get(
        reverse("reset_area:board", args=[room.school.slug, room.pk])
    ).content.decode()


def home(client, school):
    return client.get(reverse("school_home", args=[school.slug])).content.decode()


def beat():
    """The beat task's run of this minute."""
    return flag_missing_pupils.apply().get()


def flags():
    with scopes_disabled():
        return list(MissingPupil.objects.select_related("placement__pupil").order_by("day"))


def test_a_planned_pupil_is_expected_then_missing_ten_minutes_into_the_period(
    client, login, cast, hub, clock, senco
):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P1", by=senco, purpose="Soft start")
    login(senco)

    clock.set(MONDAY, 8, 59)
    before = board(client, hub)
    clock.set(MONDAY, 9, 0)
    after = board(client, hub)
    assert flags() == []  # looking writes nothing
    beat()
    flagged = board(client, hub)
    on_home = home(client, cast.school_a)

    assert "Expected in P1, not arrived (1)" in before and "Missing" not in before
    assert "shown as missing from 09:00" in before
    assert "Missing — planned but not arrived (1)" in after and pupil.full_name in after
    assert "missing from 09:00" in after and "Absent from school" not in after
    assert "Missing — planned but not arrived (1)" in flagged and "Absent from school" in flagged
    assert "Missing pupils (1)" in on_home and pupil.full_name in on_home
    (flag,) = flags()
    assert (flag.day, flag.detected_at, flag.resolved_at) == (MONDAY, at(MONDAY, 9), None)


def test_the_missing_delay_is_a_setting(client, login, cast, hub, clock, senco, settings):
    settings.SEMH_RESET_MISSING_AFTER_MINUTES = 20
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(senco)

    clock.set(MONDAY, 9, 5)
    beat()
    assert flags() == [] and "Missing" not in board(client, hub)
    clock.set(MONDAY, 9, 10)
    beat()
    assert len(flags()) == 1


def test_a_pupil_who_arrived_in_time_is_never_missing(client, login, cast, hub, clock, senco):
    pupil = cast.pupils_a[0]
    placement = plan(hub, pupil, 0, "P1", by=senco)
    with scopes_disabled():
        visit = visits.check_in(
            school=cast.school_a,
            room=hub,
            pupil=pupil,
            reason=Reason.PLANNED,
            zone_on_arrival=Zone.GREEN,
            actor=senco,
            at=at(MONDAY, 8, 55),
        )
    login(senco)

    clock.set(MONDAY, 11, 0)
    beat()
    page = board(client, hub)

    assert flags() == [] and "Missing" not in page
    assert visit.placement == placement


def test_a_pupil_in_another_room_is_accounted_for(client, login, cast, hub, nook, clock, senco):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P1", by=senco)
    with scopes_disabled():
        visits.check_in(
            school=cast.school_a,
            room=nook,
            pupil=pupil,
            reason=Reason.SELF_REFERRAL,
            zone_on_arrival=Zone.BLUE,
            actor=senco,
            at=at(MONDAY, 8, 40),
        )
    login(senco)
    clock.set(MONDAY, 9, 30)
    beat()

    assert "Missing" not in board(client, hub) and flags() == []


def test_a_late_arrival_resolves_the_flag_as_arrived_with_who_and_when(
    client, login, cast, hub, clock, assistant, senco
):
    pupil = cast.pupils_a[0]
    placement = plan(hub, pupil, 0, "P1", by=senco)
    login(assistant)
    clock.set(MONDAY, 9, 5)
    beat()

    clock.set(MONDAY, 9, 20)
    client.post(
        reverse("reset_area:check_in", args=[cast.school_a.slug, hub.pk]),
        {
            "pupil": pupil.pk,
            "placement": placement.pk,
            "reason": "planned",
            "zone_on_arrival": "red",
        },
    )

    (flag,) = flags()
    assert flag.resolution == "arrived" and flag.resolved_by == assistant
    assert flag.resolved_at == at(MONDAY, 9, 20) and flag.visit.placement == placement
    assert "Missing" not in board(client, hub)
    register = client.get(
        reverse("reset_area:register", args=[cast.school_a.slug, hub.pk]), {"day": "2026-11-16"}
    ).content.decode()
    assert "Yes, 09:20–still in" in register and "flagged missing 09:05" in register


def test_absent_from_school_is_recorded_with_who_and_when_and_leaves_the_board(
    client, login, cast, hub, clock, assistant, senco
):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(assistant)
    clock.set(MONDAY, 9, 5)
    beat()
    (flag,) = flags()

    clock.set(MONDAY, 9, 12)
    response = client.post(
        reverse("reset_area:quick_resolve", args=[cast.school_a.slug, flag.pk]),
        {"resolution": "absent"},
    )

    assert response.status_code == 302
    (flag,) = flags()
    assert (flag.resolution, flag.resolved_by, flag.resolved_at) == (
        "absent",
        assistant,
        at(MONDAY, 9, 12),
    )
    assert "Missing" not in board(client, hub)
    assert "Missing pupils" not in home(client, cast.school_a)
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="reset.missing_resolve", detail__resolution="absent"
        )
    register = client.get(
        reverse("reset_area:register", args=[cast.school_a.slug, hub.pk]), {"day": "2026-11-16"}
    ).content.decode()
    assert "No — absent from school" in register


def test_cancelled_with_a_note(client, login, cast, hub, clock, assistant, senco):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(assistant)
    clock.set(MONDAY, 9, 5)
    beat()
    (flag,) = flags()

    client.post(
        reverse("reset_area:resolve_missing", args=[cast.school_a.slug, flag.pk]),
        {"resolution": "cancelled", "note": "Class trip"},
    )

    (flag,) = flags()
    assert (flag.resolution, flag.note) == ("cancelled", "Class trip")


def test_an_unresolved_flag_stays_the_next_day_and_is_never_dropped(
    client, login, cast, hub, clock, senco
):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P1", by=senco)
    login(senco)
    clock.set(MONDAY, 9, 5)
    beat()

    clock.set(date(2026, 11, 24), 9, 0)  # a week later: a new day, a new sign-in
    login(senco)
    page = board(client, hub)
    on_home = home(client, cast.school_a)

    assert "on Mon 16/11/2026" in page and pupil.full_name in page
    assert pupil.full_name in on_home
    assert len([f for f in flags() if f.day == MONDAY and f.resolved_at is None]) == 1


def test_a_day_the_check_did_not_run_is_still_checked_the_next_morning(
    client, login, cast, hub, clock, senco
):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P4", by=senco)  # Monday P4; the beat task was down all Monday

    clock.set(TUESDAY, 8, 30)
    beat()
    login(senco)
    on_home = home(client, cast.school_a)

    assert [(f.day, f.placement.pupil) for f in flags()] == [(MONDAY, pupil)]
    assert pupil.full_name in on_home


def test_no_flags_after_a_placement_is_removed_or_outside_term_time(
    client, login, cast, hub, clock, senco
):
    removed = plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    with scopes_disabled():
        removed.removed_on = MONDAY
        removed.save()
        year = AcademicYear.objects.create(
            school=cast.school_a,
            name="2026/27",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 7, 31),
        )
        # Half-term holiday: the term ended on the Friday before.
        Term.objects.create(
            school=cast.school_a,
            academic_year=year,
            season="autumn",
            starts_on=date(2026, 9, 3),
            ends_on=date(2026, 11, 13),
        )
    plan(hub, cast.pupils_a[1], 0, "P1", by=senco)
    login(senco)
    clock.set(MONDAY, 10, 0)
    beat()

    assert "Missing" not in board(client, hub) and flags() == []


def test_a_leaver_is_not_expected(client, login, cast, hub, clock, senco):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P1", by=senco)
    with scopes_disabled():
        pupil.left_on = date(2026, 11, 13)
        pupil.save()
    login(senco)
    clock.set(MONDAY, 10, 0)
    beat()

    assert flags() == [] and pupil.full_name not in board(client, hub)


def test_the_board_and_home_page_only_read_while_the_beat_task_flags_every_school(
    client, login, cast, hub, clock, senco
):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    with scopes_disabled():
        ensure_typical_school_day(cast.school_b)
        birch = RoomFactory(school=cast.school_b, name="Birch base")
    plan(birch, cast.pupils_b[0], 0, "P1", by=cast.user("senco", "b"))
    login(senco)
    clock.set(MONDAY, 9, 30)

    board(client, hub)
    home(client, cast.school_a)
    assert flags() == []

    assert beat() == 2
    assert {f.placement.pupil for f in flags()} == {cast.pupils_a[0], cast.pupils_b[0]}
    assert beat() == 0  # each minute's run flags only what is new
    assert period(cast.school_b, 0, "P1").school == cast.school_b


def test_the_check_runs_every_minute_under_celery_beat():
    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "reset_area.tasks.flag_missing_pupils"
    ]
    assert entry["schedule"] == 60


@pytest.mark.parametrize("next_", ["0001-01-01", "board", "https://elsewhere.example/", ""])
def test_a_next_address_that_is_not_a_page_of_this_site_returns_to_the_board(
    client, login, cast, hub, clock, assistant, senco, next_
):
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(assistant)
    clock.set(MONDAY, 9, 5)
    beat()
    (flag,) = flags()

    response = client.post(
        reverse("reset_area:resolve_missing", args=[cast.school_a.slug, flag.pk]),
        {"resolution": "cancelled", "note": "Class trip", "next": next_},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reset_area:board", args=[cast.school_a.slug, hub.pk])
    (flag,) = flags()
    assert flag.resolution == "cancelled"
