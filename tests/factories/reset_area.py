"""Factories for the Reset Area's models (and the school day's ``Period`` they plan by).

Build them inside ``scopes_disabled()`` (or the school's scope): the managers are scoped. Dates and
times default to the suite clock's "now", read when the row is built, never at import.
"""

import datetime

import factory
from django.utils import timezone

from reset_area.models import MissingPupil, PlannedPlacement, Reason, Room, Visit, Zone
from semh.models import Period
from tests.factories import PupilFactory, SchoolFactory, UserFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 4


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    school = factory.SubFactory(SchoolFactory)
    weekday = 0
    name = factory.Sequence(lambda n: f"P{n}")
    starts_at = datetime.time(9)
    ends_at = datetime.time(10)
    is_learning = True


class PlannedPlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedPlacement

    room = factory.SubFactory(RoomFactory)
    pupil = factory.SubFactory(PupilFactory, school=factory.SelfAttribute("..room.school"))
    period = factory.SubFactory(PeriodFactory, school=factory.SelfAttribute("..room.school"))
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(weeks=6))
    purpose = "Regulation session"
    created_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


class VisitFactory(factory.django.DjangoModelFactory):
    """An open visit (checked in now); pass ``left_at`` and the rest for a closed one."""

    class Meta:
        model = Visit

    room = factory.SubFactory(RoomFactory)
    school = factory.SelfAttribute("room.school")
    pupil = factory.SubFactory(PupilFactory, school=factory.SelfAttribute("..room.school"))
    arrived_at = factory.LazyFunction(timezone.now)
    reason = Reason.REFERRED
    zone_on_arrival = Zone.RED
    checked_in_by = factory.SubFactory(UserFactory)


class MissingPupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissingPupil

    placement = factory.SubFactory(PlannedPlacementFactory)
    day = factory.LazyAttribute(lambda o: o.placement.starts_on)
    detected_at = factory.LazyFunction(timezone.now)
