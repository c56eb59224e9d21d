"""Who sees what of a visit. Running the room (checking pupils in and out) needs a pupil's name,
times, zone and reason, for any pupil of the school; the rest of the record (notes, outcome notes,
strategies, seclusion details, visit history) is for those who may open the pupil. Every read of a
visit, the register and the board leaves an audit row."""

from dataclasses import replace

import pytest
from django.http import Http404
from django.urls import reverse
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from incidents.models import RestrictiveIntervention
from reset_area.models import MissingPupil, Resolution, VisitOutcome
from reset_area.selectors import access_visit
from semh.access import Capability, Role
from semh.models import AuditEvent
from semh.tenancy import resolve_school_access
from tests.factories.reset_area import VisitFactory
from tests.reset_area.conftest import MONDAY, at, plan

NOTE = "Said things are hard at home"
OUTCOME_NOTE = "Went to the library with Miss Khan"
MISSING_NOTE = "Dentist appointment"


@pytest.fixture
def visit(cast, hub, assistant):
    """A closed visit of a pupil on nobody's caseload, with notes."""
    with scopes_disabled():
        return VisitFactory(
            room=hub,
            pupil=cast.pupils_a[3],
            arrived_at=at(MONDAY, 8, 50),
            left_at=at(MONDAY, 9, 0),
            zone_on_leaving="green",
            outcome=VisitOutcome.OTHER,
            outcome_note=OUTCOME_NOTE,
            notes=NOTE,
            checked_in_by=assistant,
        )


def visit_url(visit):
    return reverse("reset_area:visit", args=[visit.school.slug, visit.pk])


def register_url(room):
    return reverse("reset_area:register", args=[room.school.slug, room.pk])


def audit_rows(action, user):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action, actor=user))


def test_a_teacher_who_may_not_open_the_pupil_sees_only_what_running_the_room_needs(
    client, cast, visit
):
    client.force_login(cast.user(Role.TEACHER))  # no caseload

    page = client.get(visit_url(visit)).content.decode()

    assert visit.pupil.full_name in page and "Red" in page and "Referred" in page
    assert "08:50" in page
    assert NOTE not in page and OUTCOME_NOTE not in page
    assert "Outcome note" not in page and "Notes:" not in page


def test_those_who_may_open_the_pupil_see_the_whole_visit(client, cast, visit):
    with scopes_disabled():
        assign_perm("view_pupil", cast.user(Role.TEACHER), visit.pupil)
    for user in (cast.user(Role.SENCO), cast.user(Role.TEACHER)):
        client.force_login(user)
        page = client.get(visit_url(visit)).content.decode()
        assert NOTE in page and OUTCOME_NOTE in page, user


def test_the_visit_page_is_not_found_for_someone_who_neither_runs_the_room_nor_may_open_the_pupil(
    cast, visit
):
    with scopes_disabled():
        viewer = resolve_school_access(cast.user(Role.TEACHER), cast.school_a.slug)
        board_only = replace(viewer, capabilities=frozenset({Capability.DASHBOARDS}))
        assert access_visit(viewer, cast.school_a, visit.pk) == visit
        with pytest.raises(Http404):
            access_visit(board_only, cast.school_a, visit.pk)


def test_the_register_shows_notes_only_of_pupils_the_viewer_may_open(
    client, cast, hub, visit, senco
):
    placement = plan(hub, cast.pupils_a[4], 0, "P1", by=senco)
    with scopes_disabled():
        MissingPupil.objects.create(
            placement=placement,
            day=MONDAY,
            detected_at=at(MONDAY, 9, 10),
            resolution=Resolution.ABSENT,
            resolved_at=at(MONDAY, 9, 12),
            resolved_by=senco,
            note=MISSING_NOTE,
        )
        visit.over_capacity_reason = "Crisis in the corridor"
        visit.save()

    client.force_login(cast.user(Role.TEACHER))
    teachers = client.get(register_url(hub), {"day": MONDAY.isoformat()}).content.decode()
    client.force_login(senco)
    sencos = client.get(register_url(hub), {"day": MONDAY.isoformat()}).content.decode()

    assert visit.pupil.full_name in teachers and cast.pupils_a[4].full_name in teachers
    assert "No — absent from school" in teachers
    assert MISSING_NOTE not in teachers and "Over capacity" not in teachers
    assert MISSING_NOTE in sencos and "Over capacity" in sencos


def test_a_seclusion_is_not_shown_to_a_room_runner_who_may_not_open_the_pupil(client, cast, visit):
    with scopes_disabled():
        visit.restrictive_intervention = RestrictiveIntervention.objects.create(
            pupil=visit.pupil,
            kind="seclusion",
            started_at=at(MONDAY, 8, 52),
            ended_at=at(MONDAY, 8, 58),
            location="The Hub quiet room",
            what_happened_before="Came in upset",
            deescalation_tried="Space",
            necessity=["injury_self"],
            necessity_detail="Hitting the wall",
            pupil_injured=False,
            staff_injured=False,
            recorded_by=cast.user(Role.SENCO),
        )
        visit.free_to_leave = False
        visit.save()
    client.force_login(cast.user(Role.TEACHER))

    page = client.get(visit_url(visit)).content.decode()
    register = client.get(register_url(visit.room), {"day": MONDAY.isoformat()}).content.decode()

    assert "08:52" not in page and "quiet room" not in page and "seclusion" not in page.lower()
    assert "Seclusion" not in register


def test_reading_a_visit_the_register_and_the_board_leaves_an_audit_row(client, cast, hub, visit):
    teacher = cast.user(Role.TEACHER)
    client.force_login(teacher)

    client.get(visit_url(visit))
    client.get(register_url(hub), {"day": MONDAY.isoformat()})
    client.get(reverse("reset_area:board", args=[hub.school.slug, hub.pk]))

    (row,) = audit_rows("reset.visit_view", teacher)
    assert row.object_id == str(visit.pk) and row.detail["pupil"] == str(visit.pupil_id)
    assert len(audit_rows("reset.register_view", teacher)) == 1
    (board,) = audit_rows("reset.board_view", teacher)
    assert board.object_id == str(hub.pk)


def test_every_refresh_of_the_live_board_is_audited_as_a_read(client, cast, hub, visit):
    teacher = cast.user(Role.TEACHER)
    client.force_login(teacher)
    board = reverse("reset_area:board", args=[hub.school.slug, hub.pk])

    client.get(board)
    client.get(board, headers={"HX-Request": "true"})
    client.get(board, headers={"HX-Request": "true"})

    assert len(audit_rows("reset.board_view", teacher)) == 3


def test_the_register_reads_the_visible_pupils_once_however_many_visits(
    client, cast, hub, senco, django_assert_max_num_queries
):
    with scopes_disabled():
        for i, pupil in enumerate(cast.pupils_a[:2]):
            VisitFactory(room=hub, pupil=pupil, arrived_at=at(MONDAY, 8, 10 + i * 5))
    client.force_login(cast.user(Role.TEACHER))
    with django_assert_max_num_queries(40) as two:
        client.get(register_url(hub), {"day": MONDAY.isoformat()})
    with scopes_disabled():
        for i, pupil in enumerate(cast.pupils_a[2:]):
            VisitFactory(room=hub, pupil=pupil, arrived_at=at(MONDAY, 10, 10 + i * 5))
    with django_assert_max_num_queries(len(two.captured_queries)):
        client.get(register_url(hub), {"day": MONDAY.isoformat()})
