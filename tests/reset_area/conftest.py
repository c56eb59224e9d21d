"""Reset Area fixtures: a typical school day and rooms; the suite clock starts on MONDAY at 09:05,
just after period 1 began."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from semh.access import Role
from semh.models import Period
from semh.school_day import ensure_typical_school_day
from tests.conftest import at
from tests.factories.reset_area import PlannedPlacementFactory, RoomFactory

MONDAY = date(2026, 11, 16)
TUESDAY = date(2026, 11, 17)


def period(school, weekday, name):
    with scopes_disabled():
        return Period.objects.get(school=school, weekday=weekday, name=name)


@pytest.fixture(autouse=True)
def _start_of_period_one(clock):
    clock.set(MONDAY, 9, 5)


@pytest.fixture
def hub(cast):
    with scopes_disabled():
        ensure_typical_school_day(cast.school_a)
        return RoomFactory(school=cast.school_a, name="The Hub", capacity=2)


@pytest.fixture
def nook(cast, hub):
    with scopes_disabled():
        return RoomFactory(school=cast.school_a, name="The Nook", capacity=3)


def plan(room, pupil, weekday, name, *, by, purpose="Regulation session", starts_on=None):
    """A placement running all autumn, created well before the days under test."""
    with scopes_disabled():
        return PlannedPlacementFactory(
            room=room,
            pupil=pupil,
            period=period(room.school, weekday, name),
            starts_on=starts_on or MONDAY,
            ends_on=date(2026, 12, 18),
            purpose=purpose,
            created_by=by,
            created_at=at(date(2026, 9, 1), 12),
        )


@pytest.fixture
def senco(cast):
    return cast.user(Role.SENCO)


@pytest.fixture
def assistant(cast):
    return cast.user(Role.ASSISTANT)


# Garbage for every query parameter a Reset Area page reads: never a server error.
GARBAGE = [
    "",
    "x",
    "-1",
    "99999999999999999999",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "\x00",
    "' OR 1=1",
    "00000000-0000-0000-0000-000000000000",
]


def assert_garbage_is_refused_quietly(client, url, names, **keep):
    """Each of ``names`` in turn set to each garbage value (``keep``: the other parameters):
    the page shows, redirects or is not found, never a 5xx (a NUL is refused with a 400 before
    any view runs)."""
    for name in names:
        for value in GARBAGE:
            status = client.get(url, {**keep, name: value}).status_code
            expected = (400,) if "\x00" in value else (200, 302, 404)
            assert status in expected, (url, name, value, status)
