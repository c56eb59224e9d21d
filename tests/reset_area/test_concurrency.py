"""Two staff checking pupils into the last place at the same moment: on PostgreSQL the room row
is locked for the count-and-insert, so one succeeds and the other must override."""

import threading

import pytest
from django.db import connection, connections, transaction
from django_scopes import scope, scopes_disabled

from reset_area import services
from reset_area.models import Reason, Room, Visit, Zone
from tests.conftest import require_service
from tests.reset_area.conftest import MONDAY, at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def last_place(cast, assistant):
    require_service(connection.vendor == "postgresql", "PostgreSQL (row locks)")
    with scopes_disabled():
        services.ensure_typical_school_day(cast.school_a)
        return Room.objects.create(school=cast.school_a, name="The Hub", capacity=1)


def check_in(room, pupil, by, **extra):
    with scope(school=room.school):
        return services.check_in(
            room=room,
            pupil=pupil,
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.RED,
            by=by,
            at=at(MONDAY, 9, 10),
            **extra,
        )


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["visit"] = target()
        except services.CheckInRefused as refused:
            outcome["refused"] = refused.code
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_the_second_of_two_overlapping_check_ins_waits_for_the_lock_and_must_override(
    cast, last_place, assistant
):
    first_has_the_place = threading.Event()
    let_first_commit = threading.Event()

    def first():
        # Hold the transaction (and the room lock) open after inserting, like a slow request.
        with transaction.atomic():
            visit = check_in(last_place, cast.pupils_a[0], assistant)
            first_has_the_place.set()
            let_first_commit.wait(5)
        return visit

    def second():
        first_has_the_place.wait(5)
        return check_in(last_place, cast.pupils_a[1], cast.user("teacher"))

    a, first_outcome = in_thread(first)
    b, second_outcome = in_thread(second)
    first_has_the_place.wait(5)
    b.join(0.5)
    waited_for_the_lock = b.is_alive()  # blocked on SELECT … FOR UPDATE of the room
    let_first_commit.set()
    a.join(10)
    b.join(10)

    assert waited_for_the_lock
    assert "visit" in first_outcome
    assert second_outcome == {"refused": "full"}
    with scopes_disabled():
        assert Visit.objects.filter(room=last_place).count() == 1


def test_two_simultaneous_check_ins_into_one_place_one_succeeds_the_other_must_override(
    cast, last_place, assistant
):
    start = threading.Barrier(2)

    def go(pupil):
        def target():
            start.wait(5)
            return check_in(last_place, pupil, assistant)

        return in_thread(target)

    (a, one), (b, two) = go(cast.pupils_a[0]), go(cast.pupils_a[1])
    a.join(10)
    b.join(10)

    outcomes = sorted([next(iter(one)), next(iter(two))])
    assert outcomes == ["refused", "visit"]
    refused_pupil = cast.pupils_a[1] if "refused" in two else cast.pupils_a[0]

    override = check_in(
        last_place, refused_pupil, assistant, over_capacity_reason="Second adult came to help"
    )

    assert override.over_capacity_reason == "Second adult came to help"
    with scopes_disabled():
        assert Visit.objects.filter(room=last_place).count() == 2
