"""Visits: checking pupils in (one tap, capacity, no double presence) and out (or correcting a
visit left open), seclusion, the incident a pupil came in after, minutes out of learning, the pupil
page's section, and two staff checking in at once."""

import datetime
import re
import threading
from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scope, scopes_disabled

from incidents.models import Incident, RestrictiveIntervention
from incidents.services.restrictive import record_debrief, record_parent_report, save_statement
from pupils.models import PlanKind
from reset_area.forms.visits import CheckOutForm
from reset_area.models import Reason, Room, Visit, Zone
from reset_area.services import visits
from semh.access import Role
from semh.models import AuditEvent, Period
from semh.school_day import ensure_typical_school_day
from tests.conftest import require_service
from tests.factories import PupilFactory
from tests.factories.incidents import IncidentFactory, incident_data, school_vocabulary
from tests.factories.pupils import SupportPlanFactory
from tests.factories.reset_area import MissingPupilFactory, RoomFactory, VisitFactory
from tests.reset_area.conftest import MONDAY, TUESDAY, assert_garbage_is_refused_quietly, at, plan


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
        return visits.check_in(
            school=room.school,
            room=room,
            pupil=pupil,
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.RED,
            actor=by,
            at=when,
        )


# --- Checking in ---------------------------------------------------------------------------------


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


def test_referred_by_is_kept_only_for_the_reasons_it_applies_to(
    client, login, cast, hub, clock, assistant
):
    teacher = cast.user(Role.TEACHER)
    login(assistant)

    # A stale choice left in a field the page had hidden (or the no-script page showed).
    check_in(client, hub, cast.pupils_a[0], reason="self", referred_by=teacher.pk)
    check_in(client, hub, cast.pupils_a[1], reason="incident", referred_by=teacher.pk)

    by_pupil = {v.pupil: v.referred_by for v in open_visits(hub)}
    assert by_pupil == {cast.pupils_a[0]: None, cast.pupils_a[1]: teacher}


def test_the_check_in_form_marks_what_is_required_and_says_when_each_field_applies(
    client, login, cast, hub, assistant
):
    login(assistant)

    page = client.get(check_in_url(hub), {"pupil": cast.pupils_a[0].pk}).content.decode()

    assert re.search(r"<legend>Why are they here\? <span class=\"required-mark\">", page)
    assert re.search(r"<legend>Zone on arrival[^<]*<span class=\"required-mark\">", page)
    # Without the script every field shows; the script hides those the reason does not need.
    assert 'data-shown-for="referred incident"' in page and 'data-shown-for="incident"' in page
    assert " hidden" not in page.split('class="check-in-form"')[1].split("</form>")[0]
    assert "js/show-when.js" in page


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
        VisitFactory(
            room=nook, pupil=pupil, reason="self", zone_on_arrival="blue", checked_in_by=assistant
        )


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


def test_in_now_leads_the_board_with_the_alerts_after_it_and_counted_at_the_top(
    client, login, cast, hub, clock, assistant
):
    with scopes_disabled():
        VisitFactory(room=hub, pupil=cast.pupils_a[0])
        VisitFactory(
            room=hub, pupil=cast.pupils_a[1], arrived_at=clock.now - datetime.timedelta(days=1)
        )
        MissingPupilFactory(placement=plan(hub, cast.pupils_a[2], 2, "P1", by=assistant))
    login(assistant)

    full = client.get(board_url(hub)).content.decode()
    live = client.get(board_url(hub), HTTP_HX_REQUEST="true").content.decode()

    for page in (full, live):
        assert page.index("In now (1)") < page.index("Missing — planned but not arrived (1)")
        assert page.index("In now (1)") < page.index("Left open on an earlier day")
        assert page.index("1 missing</a>") < page.index("In now (1)")
        assert page.index("1 left open</a>") < page.index("In now (1)")
    assert full.index("In now (1)") < full.index('id="check-in"')


def test_a_room_not_in_use_takes_no_check_ins(client, login, cast, hub, clock, assistant):
    with scopes_disabled():
        Room.objects.filter(pk=hub.pk).update(is_active=False)
    login(assistant)

    response = check_in(client, hub, cast.pupils_a[0])

    assert response.status_code == 302 and open_visits() == []
    assert 'id="check-in"' not in client.get(board_url(hub)).content.decode()


# --- Checking out, and correcting a visit left open ----------------------------------------------


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


# --- Seclusion -----------------------------------------------------------------------------------


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
    "seclusion-support_offered": "Debrief with their key adult after lunch",
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

    # The record's own words for what is missing (the restrictive-intervention form's).
    assert incomplete.status_code == 200 and (
        "Give the time the pupil was first prevented from leaving." in incomplete.content.decode()
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


def test_the_seclusion_record_checks_the_same_required_fields(cast, hub, clock, assistant):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        visits.record_seclusion(
            school=cast.school_a,
            visit=visit,
            actor=assistant,
            seclusion={
                "started_at": at(MONDAY, 9, 15),
                "ended_at": at(MONDAY, 9, 12),
                "staff_involved": [],
                "what_happened_before": "",
                "deescalation_tried": "Space",
                "necessity": ["not-a-reason"],
                "necessity_detail": "Because",
                "pupil_injured": True,
                "staff_injured": False,
                "support_offered": "Debrief tomorrow",
            },
        )
    # The restrictive-intervention service's rules: an injury needs the medical attention and
    # (the pupil's) the body map, as for a restraint.
    assert set(error.value.message_dict) == {
        "ended_at",
        "staff_involved",
        "necessity",
        "injuries",
        "what_happened_before",
        "medical_attention",
        "body_map",
    }
    with scopes_disabled():
        assert not RestrictiveIntervention.objects.exists()
        assert Visit.objects.get(pk=visit.pk).free_to_leave is True


def test_a_seclusion_can_be_recorded_after_check_out(client, login, cast, hub, clock, assistant):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    with scopes_disabled():
        visits.check_out(
            school=cast.school_a,
            visit=visit,
            left_at=at(MONDAY, 9, 30),
            zone_on_leaving="green",
            outcome="returned",
            actor=assistant,
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


def secluded_check_out(client, visit, holders, **extra):
    """Check ``visit`` out at 09:30, not free to leave, with the complete seclusion record."""
    return client.post(
        reverse("reset_area:check_out", args=[visit.school.slug, visit.pk]),
        {
            "left_time": "09:30",
            "zone_on_leaving": "green",
            "outcome": "returned",
            "free_to_leave": "no",
            **SECLUSION,
            "seclusion-staff_involved": [u.pk for u in holders],
            **extra,
        },
        follow=True,
    )


def owed_links(visit):
    slug, record = visit.school.slug, visit.restrictive_intervention_id
    return {
        name: reverse(f"incidents:{name}", args=[slug, record])
        for name in ("restrictive_detail", "parent_report", "statement", "debrief")
    }


def test_after_a_seclusion_check_out_the_confirmation_says_what_is_now_owed(
    client, login, cast, hub, clock, assistant
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    teacher = cast.user(Role.TEACHER)
    clock.set(MONDAY, 9, 40)
    login(assistant)

    response = secluded_check_out(client, visit, [assistant, teacher])

    page = response.content.decode()
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
    assert response.redirect_chain[-1][0] == reverse(
        "reset_area:visit", args=[cast.school_a.slug, visit.pk]
    )
    assert f"{visit.pupil} checked out. The seclusion is recorded: below is what it now needs." in (
        page
    )
    assert "Now owed" in page
    assert "The report to parents / carers</strong>, the same day where possible." in page
    assert "A statement from each member of staff involved</strong>" in page
    still_to_write = re.search(r"still to write: ([^<]*)\.", page)[1]
    assert sorted(still_to_write.split(", ")) == sorted([f"{assistant.name} (you)", teacher.name])
    assert "The debrief with the pupil</strong>" in page
    for name, url in owed_links(visit).items():
        assert f'href="{url}"' in page, name
    # Once the follow-up is in, the visit says so.
    with scopes_disabled():
        record = visit.restrictive_intervention
        record_parent_report(
            actor=assistant,
            school=cast.school_a,
            intervention=record,
            reported_at=at(MONDAY, 9, 35),
            method="Phone call",
            reported_by=assistant,
            what_was_said="Told mum what happened and why.",
        )
        record_debrief(
            actor=assistant,
            school=cast.school_a,
            intervention=record,
            pupil_debrief_at=at(MONDAY, 9, 38),
            pupil_debrief_notes="Said the corridor was too loud.",
        )
        for user in (assistant, teacher):
            save_statement(actor=user, school=cast.school_a, intervention=record, text="Mine.")
    done = client.get(reverse("reset_area:visit", args=[cast.school_a.slug, visit.pk]))
    assert "Follow-up complete." in done.content.decode()
    assert "Now owed" not in done.content.decode()


def test_recording_a_seclusion_later_confirms_what_is_owed_too(
    client, login, cast, hub, clock, assistant
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    login(assistant)

    response = client.post(
        reverse("reset_area:seclusion", args=[cast.school_a.slug, visit.pk]),
        {**SECLUSION, "seclusion-staff_involved": [assistant.pk]},
        follow=True,
    )

    page = response.content.decode()
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
        events = set(AuditEvent.objects.values_list("action", flat=True))
    assert "The seclusion is recorded: below is what it now needs." in page
    assert "The report to parents / carers" in page and f"{assistant.name} (you)." in page
    assert "The debrief with the pupil" in page
    assert f'href="{owed_links(visit)["statement"]}"' in page
    # Still in: the record's times run to now.
    assert visit.is_open and visit.restrictive_intervention.ended_at == at(MONDAY, 9, 25)
    assert {"restrictive.create", "reset.seclusion_record"} <= events


def test_a_room_runner_who_may_open_neither_the_pupil_nor_the_record_sees_no_seclusion(
    client, login, cast, hub, clock, assistant
):
    visit = seat(hub, cast.pupils_a[3], assistant, at(MONDAY, 9, 10))  # not on anyone's caseload
    clock.set(MONDAY, 9, 40)
    login(assistant)
    secluded_check_out(client, visit, [assistant])
    client.logout()
    login(cast.assistant_no_caseload)

    page = client.get(reverse("reset_area:visit", args=[cast.school_a.slug, visit.pk]))

    text = page.content.decode()
    assert page.status_code == 200 and visit.pupil.full_name in text
    assert "Prevented from leaving" not in text and "09:15" not in text and "Now owed" not in text


def staff_boxes(page) -> list:
    """The staff offered on the seclusion record, in order, and which are ticked."""
    found = re.findall(r'<input type="checkbox" name="seclusion-staff_involved"[^>]*>', page)
    return [(int(re.search(r'value="(\d+)"', box)[1]), " checked" in box) for box in found]


@pytest.mark.parametrize("page", ["check_out", "seclusion"])
def test_the_person_recording_is_listed_first_and_ticked_and_slt_are_not_offered(
    client, login, cast, hub, clock, page
):
    """SLT cannot write statements (they do not record), so they are not among the staff
    involved: the restrictive-intervention form offers pupil-facing staff only."""
    teacher = cast.user(Role.TEACHER)
    visit = seat(hub, cast.pupils_a[0], teacher, at(MONDAY, 9, 0))
    login(teacher)

    offered = staff_boxes(
        client.get(
            reverse(f"reset_area:{page}", args=[cast.school_a.slug, visit.pk])
        ).content.decode()
    )

    assert offered[0] == (teacher.pk, True)
    assert [pk for pk, ticked in offered if ticked] == [teacher.pk]
    assert cast.user(Role.ASSISTANT).pk in {pk for pk, _ in offered}
    assert cast.user(Role.SLT).pk not in {pk for pk, _ in offered}


def test_the_record_starts_from_what_the_visit_says_and_uses_it_when_left_blank(
    client, login, cast, hub, clock, assistant
):
    teacher, labels = cast.user(Role.TEACHER), ["Calm voice, few words", "Offered choices"]
    strategies = [v for v in school_vocabulary(cast.school_a)["strategy"] if v.label in labels]
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a,
            reported_by=assistant,
            pupils=[cast.pupils_a[0]],
            occurred_at=at(MONDAY, 9, 2),
        )
        visit = visits.check_in(
            actor=assistant,
            school=cast.school_a,
            room=hub,
            pupil=cast.pupils_a[0],
            reason=Reason.INCIDENT,
            incident=incident,
            referred_by=teacher,
            zone_on_arrival=Zone.RED,
            at=at(MONDAY, 9, 10),
        )
    before = (
        f"Came to The Hub at 09:10, following an incident, referred by {teacher.name}; red zone on "
        "arrival."
        " The incident (09:02): Shouted at a peer and kicked the door"
    )
    clock.set(MONDAY, 9, 40)
    login(assistant)
    blank = {f"seclusion-{n}": "" for n in ("location", "what_happened_before")}
    blank["seclusion-deescalation_tried"] = ""

    form = client.get(reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk]))
    secluded_check_out(client, visit, [assistant], strategies=[s.pk for s in strategies], **blank)

    assert escape(before) in form.content.decode()  # shown, editable
    assert 'value="The Hub"' in form.content.decode()
    with scopes_disabled():
        record = Visit.objects.get(pk=visit.pk).restrictive_intervention
    assert record.what_happened_before == before
    assert record.deescalation_tried == "; ".join(labels)  # the strategies ticked at check-out
    assert record.location == "The Hub"
    # Recorded later, the strategies ticked at check-out are shown in the record too.
    with scopes_disabled():
        later = visits.check_in(
            actor=assistant,
            school=cast.school_a,
            room=hub,
            pupil=cast.pupils_a[1],
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.YELLOW,
            at=at(MONDAY, 9, 12),
        )
        visits.check_out(
            actor=assistant,
            school=cast.school_a,
            visit=later,
            left_at=at(MONDAY, 9, 30),
            zone_on_leaving="green",
            outcome="returned",
            strategies=strategies,
        )
    page = client.get(reverse("reset_area:seclusion", args=[cast.school_a.slug, later.pk]))
    assert escape("; ".join(labels)) in page.content.decode()


@pytest.mark.parametrize(("status", "linked"), [("draft", False), ("active", True)])
def test_a_seclusion_links_the_active_positive_handling_plan_never_a_draft(
    client, login, cast, hub, clock, assistant, status, linked
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=visit.pupil, kind=PlanKind.POSITIVE_HANDLING, status=status)
    clock.set(MONDAY, 9, 40)
    login(assistant)

    secluded_check_out(client, visit, [assistant])

    with scopes_disabled():
        record = Visit.objects.get(pk=visit.pk).restrictive_intervention
    assert record.positive_handling_plan == (plan if linked else None)


def test_an_injury_during_a_seclusion_needs_the_medical_attention(
    client, login, cast, hub, clock, assistant
):
    visit = seat(hub, cast.pupils_a[0], assistant, at(MONDAY, 9, 10))
    clock.set(MONDAY, 9, 40)
    login(assistant)

    response = secluded_check_out(
        client,
        visit,
        [assistant],
        **{"seclusion-staff_injured": "yes", "seclusion-injuries": "Scratched forearm"},
    )

    assert escape("Say what medical attention was given (or 'none needed').") in (
        response.content.decode()
    )
    with scopes_disabled():
        assert Visit.objects.get(pk=visit.pk).is_open
        assert not RestrictiveIntervention.objects.exists()


# --- The incident a pupil came in after ----------------------------------------------------------


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


@pytest.fixture
def vocab(cast):
    return school_vocabulary(cast.school_a)


def log_incident(client, vocab, pupil, staff, occurred_at=f"{MONDAY:%Y-%m-%d}T09:00", **overrides):
    data = incident_data(vocab, pupil, staff, occurred_at=occurred_at, **overrides)
    response = client.post(reverse("incidents:log", args=[pupil.school.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        return Incident.objects.get(submission_key=data["submission_key"])


def test_logging_the_incident_links_the_visit_the_pupil_is_already_on(
    client, login, cast, hub, clock, assistant, vocab
):
    pupil = cast.pupils_a[0]
    visit = seat(hub, pupil, assistant, at(MONDAY, 9, 2))
    clock.set(MONDAY, 9, 20)
    login(assistant)

    incident = log_incident(client, vocab, pupil, assistant, outcome="reset_area")

    visit.refresh_from_db()
    assert visit.incident == incident
    assert visit.reason == Reason.INCIDENT
    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))
    assert "Reset Area: <a" in page.content.decode()
    assert "from 09:02" in page.content.decode()


def test_an_incident_with_another_outcome_leaves_the_visit_alone(
    client, login, cast, hub, clock, assistant, vocab
):
    pupil = cast.pupils_a[0]
    visit = seat(hub, pupil, assistant, at(MONDAY, 9, 2))
    login(assistant)

    log_incident(client, vocab, pupil, assistant, outcome="returned")

    visit.refresh_from_db()
    assert visit.incident is None


def test_without_a_visit_the_incident_page_offers_the_check_in_with_the_incident_chosen(
    client, login, cast, hub, clock, assistant, vocab
):
    pupil = cast.pupils_a[0]
    clock.now = timezone.now()
    login(assistant)
    now = timezone.localtime()
    minutes_ago = max(now - datetime.timedelta(minutes=3), now.replace(hour=0, minute=0))
    incident = log_incident(
        client, vocab, pupil, assistant, occurred_at=f"{minutes_ago:%Y-%m-%dT%H:%M}",
        outcome="reset_area",
    )  # fmt: skip

    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))
    html = page.content.decode()
    assert "No Reset Area visit is linked to this incident yet." in html
    offer = re.search(r'href="([^"]+)">Check [^<]+ in to the Reset Area', html).group(1)

    # One room in use: straight to its check-in, with the pupil and the incident chosen.
    to_room = client.get(offer.replace("&amp;", "&"))
    assert to_room.status_code == 302
    form = client.get(to_room["Location"]).content.decode()
    assert re.search(rf'<option value="{incident.pk}" selected', form)
    assert re.search(r'value="incident"[^>]*checked|<option value="incident" selected', form)

    client.post(
        reverse("reset_area:check_in", args=[cast.school_a.slug, hub.pk]),
        {
            "pupil": pupil.pk,
            "reason": "incident",
            "incident": incident.pk,
            "zone_on_arrival": "red",
        },
    )
    with scopes_disabled():
        assert Visit.objects.get(pupil=pupil).incident == incident
    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))
    assert "in the room now" in page.content.decode()


def test_an_earlier_days_incident_does_not_offer_a_check_in_now(
    client, login, cast, hub, clock, assistant, vocab
):
    login(assistant)
    incident = log_incident(client, vocab, cast.pupils_a[0], assistant, outcome="reset_area")
    clock.set(TUESDAY, 10, 0)  # the next day, signed in again
    login(assistant)

    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))

    assert "No Reset Area visit is linked to this incident yet." in page.content.decode()
    assert "in to the Reset Area</a>" not in page.content.decode()


def test_with_several_rooms_the_pupil_is_checked_in_after_choosing_one(
    client, login, cast, hub, nook, clock, assistant
):
    login(assistant)
    pupil = cast.pupils_a[0]

    page = client.get(reverse("reset_area:index", args=[cast.school_a.slug]), {"pupil": pupil.pk})

    html = page.content.decode()
    assert f"Checking in <strong>{pupil.full_name}</strong>" in html
    assert html.count("in here") == 2


def test_a_pupil_of_another_school_is_not_offered_for_check_in(
    client, login, cast, hub, nook, clock, assistant
):
    login(assistant)

    page = client.get(
        reverse("reset_area:index", args=[cast.school_a.slug]), {"pupil": cast.pupils_b[0].pk}
    )

    assert "Checking in" not in page.content.decode()
    assert cast.pupils_b[0].full_name not in page.content.decode()


# --- Minutes out of learning ---------------------------------------------------------------------


def minutes(school, start, end):
    with scopes_disabled():
        return visits.learning_minutes(start, end, Period.objects.filter(school=school))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # P2 10:30–10:50 (20), break skipped, P3 11:10–12:10 (60), lunch skipped, P4 to 13:30 (30)
        ((10, 30), (13, 30), 110),
        ((10, 55), (11, 5), 0),  # all of it in break
        ((12, 15), (12, 55), 0),  # all of it at lunch
        ((8, 30), (9, 0), 10),  # before school does not count: P1 starts 08:50
        ((14, 50), (15, 40), 10),  # after school does not count: P5 ends 15:00
        ((9, 20), (9, 35), 15),
    ],
)
def test_minutes_out_of_learning_count_only_learning_periods(cast, hub, start, end, expected):
    assert minutes(cast.school_a, at(MONDAY, *start), at(MONDAY, *end)) == expected


def test_a_visit_left_open_overnight_counts_learning_time_of_both_days(cast, hub):
    # Monday P5 14:00–15:00 (60) and Tuesday P1 08:50–09:00 (10); the night counts for nothing.
    assert minutes(cast.school_a, at(MONDAY, 14), at(TUESDAY, 9)) == 70


def test_each_weekday_uses_its_own_school_day(cast, hub):
    with scopes_disabled():
        # Wednesdays finish at 13:00 here: P4 and P5 are clubs, not lessons.
        Period.objects.filter(school=cast.school_a, weekday=2, name__in=["P4", "P5"]).update(
            is_learning=False
        )
    wednesday = MONDAY.replace(day=18)
    assert minutes(cast.school_a, at(wednesday, 12, 50), at(wednesday, 14, 30)) == 0
    assert minutes(cast.school_a, at(MONDAY, 12, 50), at(MONDAY, 14, 30)) == 90


def test_check_out_stores_derived_minutes_and_the_form_has_no_minutes_field(
    client, login, cast, hub, clock, assistant
):
    pupil = cast.pupils_a[3]
    with scopes_disabled():
        visit = visits.check_in(
            school=cast.school_a,
            room=hub,
            pupil=pupil,
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.RED,
            actor=assistant,
            at=at(MONDAY, 10, 30),
        )
    clock.set(MONDAY, 13, 40)
    login(assistant)
    url = reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "left_time": "13:30",
            "zone_on_leaving": "green",
            "outcome": "returned",
            "free_to_leave": "yes",
            "minutes_out_of_learning": "5",  # typed minutes are ignored
        },
    )

    assert "minutes_out_of_learning" not in CheckOutForm.base_fields
    assert "minutes_out_of_learning" not in page.content.decode()
    assert response.status_code == 302
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
    assert visit.left_at == at(MONDAY, 13, 30)
    assert visit.minutes_out_of_learning == 110
    assert visit.stay_minutes == 180


def test_a_period_changed_to_not_learning_is_left_out(cast, hub):
    with scopes_disabled():
        Period.objects.create(
            school=cast.school_a,
            weekday=0,
            name="Registration",
            starts_at=time(8, 30),
            ends_at=time(8, 50),
            is_learning=False,
        )
    assert minutes(cast.school_a, at(MONDAY, 8, 30), at(MONDAY, 9, 0)) == 10


# --- The pupil page's section --------------------------------------------------------------------


def section_url(pupil):
    return reverse("reset_area:pupil_visits", args=[pupil.school.slug, pupil.pk])


def test_pupil_page_loads_the_reset_area_section_which_lists_visits_and_placements(
    client, login, cast, hub, clock, senco
):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P1", by=senco, purpose="Soft start")
    with scopes_disabled():
        visit = visits.check_in(
            school=cast.school_a,
            room=hub,
            pupil=pupil,
            reason=Reason.SELF_REFERRAL,
            zone_on_arrival=Zone.BLUE,
            actor=senco,
            at=at(MONDAY, 10, 5),
        )
        clock.set(MONDAY, 10, 40)
        visits.check_out(
            school=cast.school_a,
            visit=visit,
            left_at=at(MONDAY, 10, 35),
            zone_on_leaving=Zone.GREEN,
            outcome="returned",
            actor=senco,
        )
    login(senco)

    page = client.get(reverse("pupils:detail", args=[cast.school_a.slug, pupil.pk]))
    section = client.get(section_url(pupil), HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="{section_url(pupil)}"' in page.content.decode()
    assert "<html" not in section
    assert "Mon 16/11/2026 10:05" in section and "30 min" in section
    assert "Self-referral (time-out pass)" in section
    assert "Monday P1 (08:50–09:50) in The Hub: Soft start" in section
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="reset.pupil_visits_view", object_id=str(pupil.pk))


def test_the_section_follows_pupil_access(client, login, cast, hub):
    on_caseload, elsewhere = cast.pupils_a[0], cast.pupils_a[4]
    login(cast.user(Role.ASSISTANT))

    assert client.get(section_url(on_caseload)).status_code == 200
    assert client.get(section_url(elsewhere)).status_code == 404
    client.force_login(cast.user(Role.SENCO, "b"))
    assert client.get(section_url(on_caseload)).status_code == 404


def test_without_htmx_the_section_is_a_page_of_its_own(client, login, cast, hub, senco):
    login(senco)

    response = client.get(section_url(cast.pupils_a[0]))

    assert "<html" in response.content.decode() and "Recent visits" in response.content.decode()


# --- Two staff checking in at the same moment (PostgreSQL row locks) -----------------------------


@pytest.fixture
def last_place(cast, assistant):
    require_service(connection.vendor == "postgresql", "PostgreSQL (row locks)")
    with scopes_disabled():
        ensure_typical_school_day(cast.school_a)
        return RoomFactory(school=cast.school_a, name="The Hub", capacity=1)


def check_in_at_once(room, pupil, by, **extra):
    with scope(school=room.school):
        return visits.check_in(
            school=room.school,
            room=room,
            pupil=pupil,
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.RED,
            actor=by,
            at=at(MONDAY, 9, 10),
            **extra,
        )


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["visit"] = target()
        except visits.CheckInRefused as refused:
            outcome["refused"] = refused.code
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_the_second_of_two_overlapping_check_ins_waits_for_the_lock_and_must_override(
    cast, last_place, assistant
):
    first_has_the_place = threading.Event()
    let_first_commit = threading.Event()

    def first():
        # Hold the transaction (and the room lock) open after inserting, like a slow request.
        with transaction.atomic():
            visit = check_in_at_once(last_place, cast.pupils_a[0], assistant)
            first_has_the_place.set()
            let_first_commit.wait(5)
        return visit

    def second():
        first_has_the_place.wait(5)
        return check_in_at_once(last_place, cast.pupils_a[1], cast.user("teacher"))

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


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_check_ins_into_one_place_one_succeeds_the_other_must_override(
    cast, last_place, assistant
):
    start = threading.Barrier(2)

    def go(pupil):
        def target():
            start.wait(5)
            return check_in_at_once(last_place, pupil, assistant)

        return in_thread(target)

    (a, one), (b, two) = go(cast.pupils_a[0]), go(cast.pupils_a[1])
    a.join(10)
    b.join(10)

    outcomes = sorted([next(iter(one)), next(iter(two))])
    assert outcomes == ["refused", "visit"]
    refused_pupil = cast.pupils_a[1] if "refused" in two else cast.pupils_a[0]

    override = check_in_at_once(
        last_place, refused_pupil, assistant, over_capacity_reason="Second adult came to help"
    )

    assert override.over_capacity_reason == "Second adult came to help"
    with scopes_disabled():
        assert Visit.objects.filter(room=last_place).count() == 2


def test_garbage_in_the_visit_pages_parameters_is_never_a_server_error(
    client, login, cast, hub, senco
):
    """A placement id that was not a UUID, and days near the calendar's ends, used to be 500s."""
    plan(hub, cast.pupils_a[0], 0, "P1", by=senco)
    login(senco)
    s, pupil = cast.school_a.slug, cast.pupils_a[0]

    assert_garbage_is_refused_quietly(
        client, check_in_url(hub), ["placement", "incident", "q"], pupil=pupil.pk
    )
    assert_garbage_is_refused_quietly(client, check_in_url(hub), ["pupil"])
    register = reverse("reset_area:register", args=[s, hub.pk])
    assert_garbage_is_refused_quietly(client, register, ["day"])
    metrics = reverse("reset_area:metrics", args=[s])
    assert_garbage_is_refused_quietly(client, metrics, ["date_from", "date_to", "room"])
    pupil_metrics = reverse("reset_area:pupil_metrics", args=[s, pupil.pk])
    assert_garbage_is_refused_quietly(client, pupil_metrics, ["date_from", "date_to"])
