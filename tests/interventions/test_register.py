"""Taking a group's register on a phone: everyone defaults to attended, one tap marks a pupil
absent or refused, saving twice makes one session, and today's sessions are on the home page.

The suite's today is Wednesday 25/11/2026; the group meets on Wednesdays from 04/11."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scopes_disabled

from interventions.models import Attendance, Consent, Session, SessionAttendance
from interventions.services.sessions import cancel_session, record_session
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories import PupilFactory
from tests.factories.interventions import EnrolmentFactory, GroupFactory, SessionFactory
from tests.test_double_submit import post_at_once, signed_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday
LAST_WEEK = date(2026, 11, 18)
WEDNESDAY = 2
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def nurture(cast):
    """Wednesday Nurture, led by the assistant, with all five of school A's pupils enrolled."""
    with scopes_disabled():
        group = GroupFactory(
            programme__school=cast.school_a,
            name="Wednesday Nurture",
            lead=cast.user(Role.ASSISTANT),
            weekday=WEDNESDAY,
            starts_on=date(2026, 11, 4),
            planned_end_on=date(2026, 12, 16),
        )
        group.enrolments_made = [
            EnrolmentFactory(group=group, pupil=p, starts_on=date(2026, 11, 4))
            for p in cast.pupils_a
        ]
    return group


def url(cast, group, day=None, name="interventions:register"):
    path = reverse(name, args=[cast.school_a.slug, group.pk])
    return f"{path}?day={day:%Y-%m-%d}" if day else path


def marks_of(group, day):
    with scopes_disabled():
        return {
            m.enrolment.pupil_id: (m.attendance, m.engagement)
            for m in SessionAttendance.objects.filter(
                session__group=group, session__held_on=day
            ).select_related("enrolment")
        }


def sessions_of(group):
    with scopes_disabled():
        return Session.objects.filter(group=group).count()


def test_the_register_lists_every_enrolled_pupil_marked_attended(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    page = client.get(url(cast, nurture)).content.decode()
    for pupil in cast.pupils_a:
        assert escape(pupil.full_name) in page
    assert len(re.findall(r'<input[^>]*value="attended"[^>]*checked', page)) == 5
    assert "Save register" in page


def test_saving_the_register_untouched_saves_everyone_attended(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    response = client.post(
        url(cast, nurture), {"delivered_by": cast.user(Role.ASSISTANT).pk}, follow=True
    )
    assert "Register saved for Wednesday Nurture (5 attended)." in response.content.decode()
    assert marks_of(nurture, TODAY) == {p.pk: (Attendance.ATTENDED, None) for p in cast.pupils_a}
    assert response.redirect_chain[-1][0] == reverse("school_home", args=[cast.school_a.slug])


def test_one_tap_marks_a_pupil_absent_and_the_message_counts_it(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    absent, keen = nurture.enrolments_made[0], nurture.enrolments_made[1]
    response = client.post(
        url(cast, nurture),
        {
            "delivered_by": cast.user(Role.ASSISTANT).pk,
            f"att_{absent.pk}": "absent",
            f"why_{absent.pk}": "Dentist",
            f"eng_{keen.pk}": "5",
            "note": "Built a bridge together",
        },
        follow=True,
    )
    assert "Register saved for Wednesday Nurture (4 attended, 1 absent)." in (
        response.content.decode()
    )
    marks = marks_of(nurture, TODAY)
    assert marks[absent.pupil_id] == (Attendance.ABSENT, None)
    assert marks[keen.pupil_id] == (Attendance.ATTENDED, 5)
    with scopes_disabled():
        session = Session.objects.get(group=nurture)
        assert session.note == "Built a bridge together"
        assert session.marks.get(enrolment=absent).reason == "Dentist"
        assert AuditEvent.objects.filter(
            action=AuditAction.SESSION_RECORD, object_id=str(session.pk)
        ).exists()


def test_a_double_tapped_register_saves_one_session_with_one_mark_each(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    absent = nurture.enrolments_made[0]
    data = {"delivered_by": cast.user(Role.ASSISTANT).pk, f"att_{absent.pk}": "refused"}
    first, second = client.post(url(cast, nurture), data), client.post(url(cast, nurture), data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert sessions_of(nurture) == 1
    with scopes_disabled():
        assert SessionAttendance.objects.filter(session__group=nurture).count() == 5
    assert marks_of(nurture, TODAY)[absent.pupil_id] == (Attendance.REFUSED, None)


def test_taking_a_register_again_updates_the_same_session(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    pupil = nurture.enrolments_made[2]
    client.post(url(cast, nurture), {"delivered_by": cast.user(Role.ASSISTANT).pk})
    page = client.get(url(cast, nurture)).content.decode()
    assert "Register taken by" in page
    client.post(
        url(cast, nurture),
        {"delivered_by": cast.user(Role.ASSISTANT).pk, f"att_{pupil.pk}": "absent"},
    )
    assert sessions_of(nurture) == 1
    assert marks_of(nurture, TODAY)[pupil.pupil_id] == (Attendance.ABSENT, None)
    page = client.get(url(cast, nurture)).content.decode()
    assert re.search(rf'name="att_{pupil.pk}" value="absent"[^>]*checked', page)


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_assistants_saving_the_same_register_at_once_make_one_session(cast, nurture):
    clients = [signed_in(cast.user(Role.ASSISTANT)), signed_in(cast.user(Role.TEACHER))]
    data = {"delivered_by": cast.user(Role.ASSISTANT).pk}

    outcomes = post_at_once(clients, url(cast, nurture), data)

    assert outcomes == [302, 302]
    assert sessions_of(nurture) == 1
    with scopes_disabled():
        assert SessionAttendance.objects.filter(session__group=nurture).count() == 5


def test_a_cancelled_session_marks_every_pupil_cancelled(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    response = client.post(
        url(cast, nurture, LAST_WEEK, "interventions:session_cancel"),
        {"reason": "Year 4 trip to the museum"},
        follow=True,
    )
    assert "Wednesday Nurture on Wednesday 18/11/2026 recorded as cancelled." in (
        response.content.decode()
    )
    with scopes_disabled():
        session = Session.objects.get(group=nurture, held_on=LAST_WEEK)
        assert session.cancelled and session.cancel_reason == "Year 4 trip to the museum"
    assert set(marks_of(nurture, LAST_WEEK).values()) == {(Attendance.CANCELLED, None)}


def test_cancelling_a_session_needs_a_reason(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    response = client.post(
        url(cast, nurture, LAST_WEEK, "interventions:session_cancel"), {"reason": " "}, follow=True
    )
    assert response.status_code == 200
    assert "Say why the session did not run." in response.content.decode()
    assert sessions_of(nurture) == 0


def test_engagement_is_kept_only_for_a_pupil_who_attended(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    pupil = nurture.enrolments_made[0]
    client.post(
        url(cast, nurture),
        {
            "delivered_by": cast.user(Role.ASSISTANT).pk,
            f"att_{pupil.pk}": "absent",
            f"eng_{pupil.pk}": "4",  # tapped before they were marked absent
        },
    )
    assert marks_of(nurture, TODAY)[pupil.pupil_id] == (Attendance.ABSENT, None)


def test_the_service_refuses_engagement_without_attendance(cast, nurture):
    pupil = nurture.enrolments_made[0]
    with scopes_disabled(), pytest.raises(ValidationError):
        record_session(
            actor=cast.user(Role.ASSISTANT),
            school=cast.school_a,
            group=nurture,
            held_on=TODAY,
            delivered_by=cast.user(Role.ASSISTANT),
            marks={pupil.pk: (Attendance.REFUSED, "", 3)},
        )
    assert sessions_of(nurture) == 0


@pytest.mark.parametrize(
    "day",
    [date(2026, 12, 2), date(2026, 11, 24), date(2026, 10, 28)],
    ids=["still to come", "not its weekday", "before it started"],
)
def test_the_service_refuses_a_day_the_group_does_not_meet(cast, nurture, day):
    with scopes_disabled(), pytest.raises(ValidationError):
        record_session(
            actor=cast.user(Role.ASSISTANT),
            school=cast.school_a,
            group=nurture,
            held_on=day,
            delivered_by=cast.user(Role.ASSISTANT),
            marks={},
        )
    assert sessions_of(nurture) == 0


def test_the_service_refuses_a_pupil_not_in_the_group(cast, nurture):
    with scopes_disabled():
        stranger = EnrolmentFactory(pupil=cast.pupils_a[0])  # another group's enrolment
        with pytest.raises(ValidationError):
            record_session(
                actor=cast.user(Role.ASSISTANT),
                school=cast.school_a,
                group=nurture,
                held_on=TODAY,
                delivered_by=cast.user(Role.ASSISTANT),
                marks={stranger.pk: (Attendance.ATTENDED, "", None)},
            )
    assert sessions_of(nurture) == 0


def test_a_register_taken_after_a_cancellation_replaces_it(cast, nurture):
    actor = cast.user(Role.ASSISTANT)
    with scopes_disabled():
        cancel_session(
            actor=actor, school=cast.school_a, group=nurture, held_on=TODAY, reason="Staff ill"
        )
        session = record_session(
            actor=actor,
            school=cast.school_a,
            group=nurture,
            held_on=TODAY,
            delivered_by=actor,
            marks={},
        )
        assert not session.cancelled and session.cancel_reason == ""
    assert sessions_of(nurture) == 1
    assert set(marks_of(nurture, TODAY).values()) == {(Attendance.ATTENDED, None)}


def test_a_pupil_enrolled_after_that_day_is_not_on_its_register(cast, nurture, login):
    with scopes_disabled():
        late = EnrolmentFactory(
            group=nurture,
            pupil=PupilFactory(school=cast.school_a, legal_first_name="Latecomer"),
            starts_on=date(2026, 11, 20),
        )
    client = login(cast.user(Role.ASSISTANT))
    assert "Latecomer" not in client.get(url(cast, nurture, LAST_WEEK)).content.decode()
    assert "Latecomer" in client.get(url(cast, nurture)).content.decode()
    client.post(url(cast, nurture, LAST_WEEK), {"delivered_by": cast.user(Role.ASSISTANT).pk})
    assert late.pupil_id not in marks_of(nurture, LAST_WEEK)
    assert len(marks_of(nurture, LAST_WEEK)) == 5


def test_a_pupil_without_consent_is_on_the_register_with_a_note(cast, nurture, login):
    with scopes_disabled():
        waiting = nurture.enrolments_made[0]
        waiting.consent, waiting.consent_given_on = Consent.AWAITING, None
        waiting.save()
    client = login(cast.user(Role.ASSISTANT))
    page = client.get(url(cast, nurture)).content.decode()
    assert page.count("consent not yet given — this session will not count") == 1


def test_a_day_the_group_does_not_meet_shows_no_register(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    page = client.get(url(cast, nurture, date(2026, 11, 24))).content.decode()
    assert "Wednesday Nurture does not meet on Tuesday 24/11/2026" in page
    assert "Save register" not in page


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SLT])
def test_those_who_do_not_record_cannot_take_a_register(cast, nurture, login, role):
    client = login(cast.user(role))
    assert client.get(url(cast, nurture)).status_code == 403
    assert client.post(url(cast, nurture), {}).status_code == 403
    assert sessions_of(nurture) == 0


def test_another_schools_group_is_not_found(cast, login):
    with scopes_disabled():
        theirs = GroupFactory(programme__school=cast.school_b, weekday=WEDNESDAY)
    client = login(cast.user(Role.ASSISTANT))
    path = reverse("interventions:register", args=[cast.school_a.slug, theirs.pk])
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code == 404


def test_a_past_session_and_the_groups_sessions_show_the_register(cast, nurture, login):
    actor = cast.user(Role.ASSISTANT)
    absent = nurture.enrolments_made[0]
    with scopes_disabled():
        session = record_session(
            actor=actor,
            school=cast.school_a,
            group=nurture,
            held_on=LAST_WEEK,
            delivered_by=actor,
            marks={absent.pk: (Attendance.ABSENT, "Ill", None)},
        )
    client = login(cast.user(Role.SENCO))
    listing = client.get(url(cast, nurture, name="interventions:group_sessions")).content.decode()
    assert "Wed 18/11/2026" in listing and "4 of 5" in listing
    detail = client.get(
        reverse("interventions:session_detail", args=[cast.school_a.slug, session.pk])
    ).content.decode()
    assert "Absent from school" in detail and "Ill" in detail
    assert "Re-take this register" in detail


# --- The home page ----------------------------------------------------------------------------


def home(client, cast):
    return client.get(reverse("school_home", args=[cast.school_a.slug])).content.decode()


def test_the_assistants_home_shows_todays_session_and_then_that_it_was_taken(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    page = home(client, cast)
    assert "Sessions today" in page and "Wednesday Nurture" in page
    assert "Take register" in page
    with scopes_disabled():
        SessionFactory(group=nurture, held_on=LAST_WEEK)
    client.post(
        url(cast, nurture),
        {
            "delivered_by": cast.user(Role.ASSISTANT).pk,
            f"att_{nurture.enrolments_made[0].pk}": "absent",
        },
    )
    page = home(client, cast)
    assert "Register taken ✓ 4/5" in page
    assert "Registers owed" in page  # 11/11 (04/11 too): neither taken nor cancelled
    assert "Wednesday Nurture, Wednesday 11/11/2026" in page
    assert "Wednesday 18/11/2026" not in page


def test_a_teacher_sees_only_the_groups_they_run_and_the_senco_sees_all(cast, nurture):
    assert "Wednesday Nurture" not in home(signed_in(cast.user(Role.TEACHER)), cast)
    assert "Take register" in home(signed_in(cast.user(Role.SENCO)), cast)


def test_the_admins_home_has_no_sessions(cast, nurture, login):
    assert "Sessions today" not in home(login(cast.user(Role.ADMIN)), cast)


def test_the_home_page_takes_the_same_queries_for_2_or_20_groups(cast, login):
    assistant = cast.user(Role.ASSISTANT)
    client = login(assistant)

    def queries_with(groups):
        with scopes_disabled():
            for _ in range(groups):
                group = GroupFactory(
                    programme__school=cast.school_a,
                    lead=assistant,
                    weekday=WEDNESDAY,
                    starts_on=date(2026, 11, 4),
                )
                EnrolmentFactory(group=group, pupil=cast.pupils_a[0])
                SessionFactory(group=group, held_on=TODAY)
        with CaptureQueriesContext(connection) as queries:
            page = home(client, cast)
        return page.count("Register taken ✓"), len(queries)

    two, queries_for_two = queries_with(2)
    twenty, queries_for_twenty = queries_with(18)  # 20 in all
    assert (two, twenty) == (2, 20)
    assert queries_for_two == queries_for_twenty <= 15


# --- Demo data ----------------------------------------------------------------------------------


def test_the_demo_takes_registers_up_to_yesterday_leaving_one_owed(cast):
    import random

    from interventions.demo import _seed_sessions
    from interventions.schedule import owed_registers

    with scopes_disabled():
        _seed_sessions(school=cast.school_a, groups=[], rng=random.Random(1))  # nothing to do
        groups = [
            GroupFactory(
                programme__school=cast.school_a,
                lead=cast.user(Role.ASSISTANT),
                weekday=weekday,
                starts_on=date(2026, 11, 2 + weekday),
                planned_end_on=date(2026, 12, 16),
            )
            for weekday in (0, 2)
        ]
        for group in groups:
            for pupil in cast.pupils_a[:3]:
                EnrolmentFactory(group=group, pupil=pupil)
        _seed_sessions(school=cast.school_a, groups=groups, rng=random.Random(1))
        # Mondays 02, 09, 16, 23/11: the last left untaken, the third cancelled.
        mondays = Session.objects.filter(group=groups[0])
        assert [s.held_on.day for s in mondays] == [2, 9, 16]
        assert [s.cancelled for s in mondays] == [False, False, True]
        # Wednesdays 04, 11, 18/11 (today's is still to be taken).
        assert [s.held_on.day for s in Session.objects.filter(group=groups[1])] == [4, 11, 18]
        assert SessionAttendance.objects.filter(session__group__in=groups).count() == 6 * 3
        assert owed_registers(cast.school_a, today=TODAY) == [(groups[0], date(2026, 11, 23))]


def test_the_register_page_takes_the_same_queries_for_5_or_15_pupils(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))
    client.post(url(cast, nurture), {"delivered_by": cast.user(Role.ASSISTANT).pk})

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(cast, nurture)).status_code == 200
        return len(captured)

    five = queries()
    with scopes_disabled():
        for pupil in PupilFactory.create_batch(10, school=cast.school_a):
            EnrolmentFactory(group=nurture, pupil=pupil)
    assert queries() == five
    assert five <= 12  # sign-in and school (5), audit (1), register: session, marks, pupils, staff…


def test_the_home_reads_the_school_terms_once_for_todays_and_owed_registers(cast, nurture, login):
    client = login(cast.user(Role.ASSISTANT))

    with CaptureQueriesContext(connection) as home_page:
        page = home(client, cast)

    assert "Sessions today" in page and "Registers owed" in page
    terms_read = [q for q in home_page.captured_queries if 'FROM "semh_term"' in q["sql"]]
    assert len(terms_read) == 1
