"""Reset Area fixtures: a typical school day, a room, and a clock the services read."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from reset_area import services
from reset_area.models import PlannedPlacement, Room
from semh.access import Role
from semh.models import Period

MONDAY = date(2026, 11, 16)
TUESDAY = date(2026, 11, 17)


def at(day, hh, mm=0):
    """An aware datetime at a London wall-clock time."""
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def period(school, weekday, name):
    with scopes_disabled():
        return Period.objects.get(school=school, weekday=weekday, name=name)


class Clock:
    def __init__(self):
        self.now = at(MONDAY, 9, 5)

    def set(self, day, hh, mm=0):
        self.now = at(day, hh, mm)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Every Reset Area view and service reads ``services.now()``: move it here."""
    c = Clock()
    monkeypatch.setattr(services, "now", lambda: c.now)
    return c


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
