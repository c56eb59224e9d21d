"""Checking pupils in and out: one tap, capacity, no double presence, seclusion, open visits."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import RestrictiveIntervention
from reset_area import services
from reset_area.models import Reason, Room, Visit, Zone
from semh.access import Role
from semh.models import AuditEvent
from tests.factories import PupilFactory
from tests.reset_area.conftest import MONDAY, TUESDAY, at


def board_url(room):
    return reverse("reset_area:board", args=[room.school.slug, room.pk])


def check_in_url(room):
    return reverse("reset_area:check_in", args=[room.school.slug, room.pk])


def check_in(client, room, pupil, zone="yellow", **extra):
    return client.post(
        check_in_url(room),
        {"pupil": pupil.pk, "reason": "referred", "zone_on_arrival": zone, **extra},
    )


def open_visits(room=None):
    with scopes_disabled():
        visits = Visit.objects.open()
        return list(visits.filter(room=room) if room else visits)


def seat(room, pupil, by, when):
    with scopes_disabled():
        return services.check_in(
            room=room, pupil=pupil, reason=Reason.REFERRED, zone_on_arrival=Zone.RED, by=by, at=when
        )


def test_assistant_checks_in_any_pupil_of_the_school_and_the_board_shows_them(
    client, login, cast, hub, clock, assistant
):
    pupil = cast.pupils_a[4]  # not on the assistant's caseload
    login(assistant)

    response = check_in(client, hub, pupil, referred_by=cast.user(Role.TEACHER).pk)

    assert response.status_code == 302 and response["Location"] == board_url(hub)
    (visit,) = open_visits(hub)
    assert (visit.pupil, visit.zone_on_arrival, visit.reason) == (pupil, "yellow", "referred")
    assert visit.referred_by == cast.user(Role.TEACHER)
    assert visit.arrived_at == clock.now and visit.period.name == "P1"
    board = client.get(board_url(hub)).content.decode()
    assert pupil.full_name in board
    assert "1</strong> of 2 in" in board
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="reset.check_in", detail__pupil=str(pupil.pk)
        ).exists()


def test_pupil_search_shows_name_year_and_form_only_and_only_this_schools_pupils_on_roll(
    client, login, cast, hub, assistant
):
    with scopes_disabled():
        zara = PupilFactory(school=cast.school_a, legal_first_name="Zara", legal_last_name="Quill")
        PupilFactory(
            school=cast.school_a, legal_first_name="Zack", legal_last_name="Quill", left_on=MONDAY
        )
        PupilFactory(school=cast.school_b, legal_first_name="Zoe", legal_last_name="Quill")
    login(assistant)

    response = client.get(
        reverse("reset_area:pupil_search", args=[cast.school_a.slug, hub.pk]),
        {"q": "quill"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "Zara Quill" in html and "Year 7" in html and "7R" in html
    assert "Zack" not in html and "Zoe" not in html
    assert zara.upn not in html and "2014" not in html


def test_checking_in_beyond_capacity_needs_an_explicit_override_with_a_reason(
    client, login, cast, hub, clock, assistant
):
    for pupil in cast.pupils_a[:2]:
        seat(hub, pupil, assistant, at(MONDAY, 9))
    login(assistant)
    third = cast.pupils_a[2]

    refused = check_in(client, hub, third)
    no_reason = check_in(client, hub, third, over_capacity="on")
    allowed = check_in(
        client, hub, third, over_capacity="on", over_capacity_reason="Two adults in today"
    )

    assert refused.status_code == 200 and "The Hub is full (2 of 2)" in refused.content.decode()
    assert "Give the reason for going over capacity" in no_reason.content.decode()
    assert allowed.status_code == 302
    visits = open_visits(hub)
    assert len(visits) == 3
    assert [v.over_capacity_reason for v in visits if v.pupil == third] == ["Two adults in today"]
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(action="reset.check_in", detail__over_capacity=True).count()
            == 1
        )
    assert "1</strong> over capacity" in client.get(board_url(hub)).content.decode()


def test_the_check_in_form_offers_the_override_when_the_room_is_already_full(
    client, login, cast, hub, clock, assistant
):
    for pupil in cast.pupils_a[:2]:
        seat(hub, pupil, assistant, at(MONDAY, 9))
    login(assistant)

    form = client.get(check_in_url(hub), {"pupil": cast.pupils_a[2].pk}).content.decode()

    assert "Check in over capacity" in form


def test_a_pupil_cannot_be_checked_in_twice_or_in_two_rooms(
    client, login, cast, hub, nook, clock, assistant
):
    pupil = cast.pupils_a[0]
    seat(hub, pupil, assistant, at(MONDAY, 9))
    login(assistant)

    response = check_in(client, nook, pupil)

    assert response.status_code == 200
    assert f"{pupil.full_name} is already checked in to The Hub (since 09:00)" in (
        response.content.decode()
    )
    assert len(open_visits()) == 1


def test_the_database_refuses_a_second_open_visit_for_a_pupil(cast, hub, nook, assistant):
    pupil = cast.pupils_a[0]
    seat(hub, pupil, assistant, at(MONDAY, 9))

    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            school=cast.school_a,
            room=nook,
            pupil=pupil,
            reason="self",
            zone_on_arrival="blue",
            checked_in_by=assistant,
        )


def test_check_out_records_zone_strategies_and_outcome_and_frees_the_place(
    client, login, cast, hub, clock, assistant
):
    from incidents.models import Vocabulary
    from incidents.vocabulary import ensure_school_vocabulary

    with scopes_disabled():
        ensure_school_vocabulary(cast.school_a)
        breathing = Vocabulary.objects.get(school=cast.school_a, label="Breathing / regulation")
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    login(assistant)

    response = client.post(
        reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk]),
        {
            "left_time": "09:35",
            "zone_on_leaving": "green",
            "strategies": [breathing.pk],
            "outcome": "returned",
            "free_to_leave": "yes",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
        assert list(visit.strategies.all()) == [breathing]
    assert (visit.zone_on_leaving, visit.outcome, visit.stay_minutes) == ("green", "returned", 25)
    assert visit.checked_out_by == assistant and visit.corrected_at is None
    assert "Nobody is in." in client.get(board_url(hub)).content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"left_time": "09:05"}, "They cannot leave before they arrived."),
        ({"left_time": "11:00"}, "That time has not happened yet."),
        ({"outcome": "other"}, "Say what happened."),
    ],
)
def test_check_out_refuses_impossible_times_and_an_unexplained_other(
    client, login, cast, hub, clock, assistant, data, error
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    login(assistant)
    form = {
        "left_time": "09:30",
        "zone_on_leaving": "green",
        "outcome": "returned",
        "free_to_leave": "yes",
    }

    response = client.post(
        reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk]), {**form, **data}
    )

    assert error in response.content.decode()
    assert len(open_visits()) == 1


SECLUSION = {
    "seclusion-started_time": "09:15",
    "seclusion-ended_time": "09:25",
    "seclusion-location": "The Hub",
    "seclusion-what_happened_before": "Ran from class towards the gate",
    "seclusion-deescalation_tried": "Calm voice, choices, space",
    "seclusion-necessity": ["injury_self"],
    "seclusion-necessity_detail": "Trying to leave the site towards the main road",
    "seclusion-pupil_injured": "no",
    "seclusion-staff_injured": "no",
}


def test_not_free_to_leave_needs_the_statutory_record_which_then_is_outstanding(
    client, login, cast, hub, clock, assistant
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    login(assistant)
    url = reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk])
    base = {"left_time": "09:30", "zone_on_leaving": "green", "outcome": "returned"}
    holders = [assistant.pk, cast.user(Role.TEACHER).pk]

    incomplete = client.post(url, {**base, "free_to_leave": "no"})
    complete = client.post(
        url, {**base, "free_to_leave": "no", **SECLUSION, "seclusion-staff_involved": holders}
    )

    assert incomplete.status_code == 200 and "This field is required." in (
        incomplete.content.decode()
    )
    assert complete.status_code == 302
    with scopes_disabled():
        visit = Visit.objects.select_related("restrictive_intervention").get(pk=visit.pk)
        record = visit.restrictive_intervention
        assert visit.free_to_leave is False
        assert (record.kind, record.incident, record.pupil) == ("seclusion", None, visit.pupil)
        assert record.started_at == at(MONDAY, 9, 15) and record.minutes == 10
        assert set(record.staff_involved.values_list("pk", flat=True)) == set(holders)
        outstanding = RestrictiveIntervention.objects.outstanding().get(pk=record.pk)
        assert outstanding.missing_follow_up() == [
            "report to parents",
            "debrief with the pupil",
            "2 staff statement(s)",
        ]
    detail = client.get(reverse("reset_area:visit", args=[cast.school_a.slug, visit.pk]))
    assert "Prevented from leaving 09:15–09:25 (10 min)" in detail.content.decode()


def test_a_visit_marked_not_free_to_leave_without_a_record_is_refused_by_the_database(
    cast, hub, assistant
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(free_to_leave=False)


def test_the_seclusion_record_builder_checks_the_same_required_fields(cast, hub, assistant):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.build_seclusion_record(
            visit=visit,
            recorded_by=assistant,
            started_at=at(MONDAY, 9, 15),
            ended_at=at(MONDAY, 9, 12),
            staff_involved=[],
            what_happened_before="",
            deescalation_tried="Space",
            necessity=["not-a-reason"],
            necessity_detail="Because",
            pupil_injured=True,
            staff_injured=False,
        )
    assert set(error.value.message_dict) == {
        "ended_at",
        "staff_involved",
        "necessity",
        "injuries",
        "what_happened_before",
    }
    with scopes_disabled():
        assert not RestrictiveIntervention.objects.exists()


def test_a_seclusion_can_be_recorded_after_check_out(client, login, cast, hub, clock, assistant):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    with scopes_disabled():
        services.check_out(
            visit=visit,
            left_at=at(MONDAY, 9, 30),
            zone_on_leaving="green",
            outcome="returned",
            by=assistant,
        )
    login(assistant)

    response = client.post(
        reverse("reset_area:seclusion", args=[cast.school_a.slug, visit.pk]),
        {**SECLUSION, "seclusion-staff_involved": [assistant.pk]},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
    assert visit.free_to_leave is False and visit.restrictive_intervention_id is not None


def test_a_visit_left_open_overnight_is_flagged_not_closed_and_corrected_next_morning(
    client, login, cast, hub, clock, assistant
):
    pupil = cast.pupils_a[0]
    visit = seat(hub, pupil, assistant, at(MONDAY, 14, 20))
    clock.set(TUESDAY, 8, 45)
    login(assistant)

    board = client.get(board_url(hub)).content.decode()
    home = client.get(reverse("school_home", args=[cast.school_a.slug])).content.decode()
    again = check_in(client, hub, pupil)

    assert "Left open on an earlier day" in board and pupil.full_name in board
    assert "0</strong> of 2 in" in board  # not counted as in the room now
    assert "Visits left open on an earlier day" in home
    assert "left open since 16/11/2026 14:20: correct it" in again.content.decode()
    with scopes_disabled():
        assert Visit.objects.get(pk=visit.pk).left_at is None  # never closed by guesswork

    corrected = client.post(
        reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk]),
        {
            "left_time": "15:10",
            "zone_on_leaving": "green",
            "outcome": "home",
            "free_to_leave": "yes",
        },
    )

    assert corrected.status_code == 302
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
    assert visit.left_at == at(MONDAY, 15, 10)
    assert visit.corrected_by == assistant and visit.corrected_at == at(TUESDAY, 8, 45)
    assert visit.minutes_out_of_learning == 40  # 14:20–15:00 in P5; after school not counted
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="reset.visit_correct").exists()
    assert "Left open on an earlier day" not in client.get(board_url(hub)).content.decode()


def test_slt_sees_the_board_but_cannot_check_anyone_in(client, login, cast, hub, clock):
    login(cast.user(Role.SLT))

    board = client.get(board_url(hub))
    refused = check_in(client, hub, cast.pupils_a[0])

    assert board.status_code == 200 and 'id="check-in"' not in board.content.decode()
    assert refused.status_code == 403
    assert open_visits() == []


def test_the_board_refresh_returns_only_the_live_part_not_the_check_in_form(
    client, login, cast, hub, clock, assistant
):
    login(assistant)

    full = client.get(board_url(hub)).content.decode()
    live = client.get(board_url(hub), HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 15s"' in full and 'id="pupil-q"' in full
    assert "<html" not in live and 'id="pupil-q"' not in live and "In now (0)" in live


def test_only_incidents_the_viewer_can_see_are_offered_to_link(
    client, login, cast, hub, clock, assistant
):
    import uuid

    from incidents.models import Incident, IncidentPupil, Vocabulary

    outside_caseload = cast.pupils_a[4]
    with scopes_disabled():
        category = Vocabulary.objects.create(school=cast.school_a, kind="category", label="Refusal")

        def incident(reporter, hh):
            found = Incident.objects.create(
                school=cast.school_a,
                submission_key=uuid.uuid4(),
                occurred_at=at(MONDAY, hh),
                category=category,
                severity=2,
                behaviour="Threw a chair",
                outcome="reset_area",
                parents_informed="yes",
                reported_by=reporter,
            )
            IncidentPupil.objects.create(incident=found, pupil=outside_caseload, is_primary=True)
            return found

        mine, theirs = incident(assistant, 8), incident(cast.user(Role.TEACHER), 9)
    login(assistant)

    form = client.get(check_in_url(hub), {"pupil": outside_caseload.pk}).content.decode()
    linked = check_in(client, hub, outside_caseload, reason="incident", incident=theirs.pk)
    ok = check_in(client, hub, outside_caseload, reason="incident", incident=mine.pk)

    assert str(mine.pk) in form and str(theirs.pk) not in form
    assert "Select a valid choice" in linked.content.decode()
    assert ok.status_code == 302
    assert open_visits()[0].incident == mine


def test_a_room_not_in_use_takes_no_check_ins(client, login, cast, hub, clock, assistant):
    with scopes_disabled():
        Room.objects.filter(pk=hub.pk).update(is_active=False)
    login(assistant)

    response = check_in(client, hub, cast.pupils_a[0])

    assert response.status_code == 302 and open_visits() == []
    assert 'id="check-in"' not in client.get(board_url(hub)).content.decode()
