"""The daily log: quick notes, the day's periods, the printable log, the pupil page section and
the evidence for plan targets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from pupils.models import DailyNote, NoteKind
from pupils.services import daily_log
from semh.access import Role
from semh.models import AuditEvent
from tests.factories import PeriodFactory
from tests.factories.pupils import (
    DailyNoteFactory,
    PlanReviewFactory,
    SupportPlanFactory,
    TargetFactory,
    WellbeingCheckInFactory,
)
from tests.factories.reset_area import RoomFactory, VisitFactory


def url(name, pupil, **kwargs):
    return reverse(
        f"pupils:{name}", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk, **kwargs}
    )


def notes_of(pupil):
    with scopes_disabled():
        return list(DailyNote.objects.filter(pupil=pupil))


def test_assistant_adds_a_positive_quick_note_and_sees_it_highlighted_on_the_pupil_page(
    client, cast, login
):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))

    form = client.get(url("note_create", pupil)).content.decode()
    assert form.index("Positive") < form.index("Observation")  # positive first
    response = client.post(
        url("note_create", pupil), {"kind": "positive", "text": "Helped a friend at lunch"}
    )

    assert response.status_code == 302
    assert response.url.endswith("#daily-log")
    page = client.get(url("detail", pupil)).content.decode()
    assert '<li class="is-positive">' in page
    assert "Helped a friend at lunch" in page
    [note] = notes_of(pupil)
    assert (note.kind, note.on_day, note.recorded_by) == (
        NoteKind.POSITIVE,
        datetime.date(2026, 11, 25),
        cast.user(Role.ASSISTANT),
    )
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="pupils.daily_note_create").count() == 1


def test_a_note_can_name_todays_period_engagement_and_a_target_of_the_pupils_plan(
    client, cast, login
):
    pupil = cast.caseload[0]
    with scopes_disabled():
        period = PeriodFactory(school=pupil.school, weekday=2, name="P3")
        target = TargetFactory(plan=SupportPlanFactory(pupil=pupil), description="Stays in class")
    login(cast.user(Role.SENCO))

    client.post(
        url("note_create", pupil),
        {
            "kind": "observation",
            "text": "Settled after five minutes",
            "period": period.pk,
            "engagement": "4",
            "target": target.pk,
        },
    )

    [note] = notes_of(pupil)
    assert (note.period_id, note.engagement, note.target_id) == (period.pk, 4, target.pk)
    page = client.get(url("detail", pupil)).content.decode()
    assert "engagement 4/5" in page
    assert "Evidence for: Stays in class" in page


def test_a_note_cannot_be_evidence_for_another_pupils_target(client, cast, login):
    pupil, other = cast.pupils_a[0], cast.pupils_a[1]
    with scopes_disabled():
        TargetFactory(plan=SupportPlanFactory(pupil=pupil))
        theirs = TargetFactory(plan=SupportPlanFactory(pupil=other))
    login(cast.user(Role.SENCO))

    response = client.post(
        url("note_create", pupil), {"kind": "positive", "text": "x", "target": theirs.pk}
    )

    assert response.status_code == 200
    assert notes_of(pupil) == []
    with pytest.raises(ValidationError), scopes_disabled():
        daily_log.record_note(
            actor=cast.user(Role.SENCO),
            school=pupil.school,
            pupil=pupil,
            kind="positive",
            text="x",
            target=theirs,
        )
    assert notes_of(pupil) == []


def test_a_note_needs_text_of_at_most_1000_characters(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))

    empty = client.post(url("note_create", pupil), {"kind": "positive", "text": ""})
    long = client.post(url("note_create", pupil), {"kind": "positive", "text": "a" * 1001})

    assert empty.status_code == long.status_code == 200
    assert "1000" in long.content.decode()
    assert notes_of(pupil) == []


def test_the_same_quick_note_sent_twice_is_saved_once(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))
    data = {
        "kind": "positive",
        "text": "Great reading",
        "submission_key": "6f1c7a8e-6b8e-4d7e-9d0e-0a1b2c3d4e5f",
    }

    first = client.post(url("note_create", pupil), data)
    second = client.post(url("note_create", pupil), data)

    assert first.status_code == second.status_code == 302
    assert len(notes_of(pupil)) == 1


@pytest.mark.parametrize("name", ["note_create", "daily_summary", "check_in_create"])
def test_assistant_cannot_write_the_log_of_a_pupil_outside_their_caseload(
    client, cast, login, name
):
    login(cast.user(Role.ASSISTANT))
    outside = cast.pupils_a[4]

    assert client.get(url(name, outside)).status_code == 404
    assert client.post(url(name, outside), {"kind": "positive", "text": "x"}).status_code == 404
    assert notes_of(outside) == []


@pytest.mark.parametrize(
    "name", ["note_create", "daily_summary", "check_in_create", "daily_log_print"]
)
def test_admin_is_refused_the_daily_log(client, cast, login, name):
    login(cast.user(Role.ADMIN))

    assert client.get(url(name, cast.pupils_a[0])).status_code == 403


@pytest.mark.parametrize("name", ["note_create", "daily_summary", "daily_log_print"])
def test_another_schools_pupil_is_not_found(client, cast, login, name):
    login(cast.user(Role.SENCO))
    theirs = cast.pupils_b[0]
    wrong = reverse(
        f"pupils:{name}", kwargs={"school_slug": cast.school_a.slug, "pupil_id": theirs.pk}
    )

    assert client.get(wrong).status_code == 404


def test_home_quick_note_lists_only_pupils_the_assistant_can_open(client, cast, login):
    login(cast.user(Role.ASSISTANT))

    home = client.get(reverse("school_home", kwargs={"school_slug": cast.school_a.slug}))
    page = client.get(
        reverse("pupils:note_pick_pupil", kwargs={"school_slug": cast.school_a.slug})
    ).content.decode()

    assert "Quick note" in home.content.decode()
    for pupil in cast.caseload:
        assert url("note_create", pupil) in page
    assert url("note_create", cast.pupils_a[4]) not in page


def test_daily_summary_saves_one_engagement_note_per_period_and_replaces_it(client, cast, login):
    pupil = cast.caseload[0]
    with scopes_disabled():
        p1 = PeriodFactory(school=pupil.school, weekday=2, name="P1")
        p2 = PeriodFactory(
            school=pupil.school,
            weekday=2,
            name="P2",
            starts_at=datetime.time(10),
            ends_at=datetime.time(11),
        )
        PeriodFactory(school=pupil.school, weekday=3, name="Thursday P1")
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("daily_summary", pupil)).content.decode()
    assert "P1" in page and "P2" in page and "Thursday P1" not in page
    client.post(url("daily_summary", pupil), {f"e_{p1.pk}": "2", f"z_{p1.pk}": "yellow"})
    client.post(
        url("daily_summary", pupil),
        {f"e_{p1.pk}": "3", f"z_{p1.pk}": "green", f"e_{p2.pk}": "5"},
    )

    notes = sorted(notes_of(pupil), key=lambda n: n.period.starts_at)
    assert [(n.period_id, n.engagement, n.zone) for n in notes] == [
        (p1.pk, 3, "green"),
        (p2.pk, 5, ""),
    ]
    assert all(n.kind == NoteKind.ENGAGEMENT for n in notes)
    printed = client.get(url("daily_log_print", pupil)).content.decode()
    assert "Green — calm" in printed and "Daily log" in printed and "25/11/2026" in printed


def test_a_future_or_malformed_day_is_not_found(client, cast, login):
    login(cast.user(Role.SENCO))
    pupil = cast.pupils_a[0]

    assert client.get(url("daily_summary", pupil) + "?day=2026-11-26").status_code == 404
    assert client.get(url("daily_log_print", pupil) + "?day=nonsense").status_code == 404
    assert client.get(url("daily_log_print", pupil) + "?day=2026-11-20").status_code == 200


def test_plan_review_shows_each_targets_notes_since_the_last_review(client, cast, login):
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=pupil)
        target = TargetFactory(plan=plan)
        PlanReviewFactory(plan=plan, held_on=datetime.date(2026, 11, 10))
        DailyNoteFactory(
            pupil=pupil, target=target, text="Before the review", on_day=datetime.date(2026, 11, 5)
        )
        DailyNoteFactory(
            pupil=pupil, target=target, text="After the review", on_day=datetime.date(2026, 11, 20)
        )
    login(cast.user(Role.SENCO))

    page = client.get(url("plan_review_create", pupil, plan_id=plan.pk)).content.decode()

    assert "since 10/11/2026 (1)" in page
    assert "After the review" in page
    assert "Before the review" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_pupil_page_queries_stay_flat_as_notes_and_check_ins_grow(
    client, cast, login, django_assert_max_num_queries, count
):
    pupil = cast.caseload[0]
    with scopes_disabled():
        DailyNoteFactory.create_batch(count, pupil=pupil)
        WellbeingCheckInFactory.create_batch(count, pupil=pupil)
    login(cast.user(Role.ASSISTANT))

    with django_assert_max_num_queries(QUERY_BUDGET):
        page = client.get(url("detail", pupil)).content.decode()

    assert page.count('<li class="zone-green">') == min(count, 20)
    assert page.count('class="is-positive"') == min(count, 15)


QUERY_BUDGET = 24  # 22 today (an assistant), whatever the number of notes and check-ins


def test_reset_area_board_links_a_quick_note_for_each_pupil_in_the_room_the_viewer_can_open(
    client, cast, login
):
    mine, other = cast.caseload[0], cast.pupils_a[4]
    with scopes_disabled():
        room = RoomFactory(school=cast.school_a)
        VisitFactory(room=room, pupil=mine)
        VisitFactory(room=room, pupil=other)
    login(cast.user(Role.ASSISTANT))

    board = client.get(reverse("reset_area:board", args=[room.school.slug, room.pk]))

    page = board.content.decode()
    assert url("note_create", mine) in page
    assert url("note_create", other) not in page
