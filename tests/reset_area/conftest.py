"""Reset Area fixtures: a typical school day and rooms; the suite clock starts on MONDAY at 09:05,
just after period 1 began."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from reset_area import services
from reset_area.models import PlannedPlacement, Room
from semh.access import Role
from semh.models import Period
from tests.conftest import at

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
        services.ensure_typical_school_day(cast.school_a)
        return Room.objects.create(school=cast.school_a, name="The Hub", capacity=2)


@pytest.fixture
def nook(cast, hub):
    with scopes_disabled():
        return Room.objects.create(school=cast.school_a, name="The Nook", capacity=3)


def plan(room, pupil, weekday, name, *, by, purpose="Regulation session", starts_on=None):
    """A placement running all autumn, created well before the days under test."""
    with scopes_disabled():
        return PlannedPlacement.objects.create(
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
