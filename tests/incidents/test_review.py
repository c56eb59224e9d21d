"""The incident page, who may open it, the SENCo's review queue and review, and the follow-up
actions a review hands out (shown to their owner at home, marked done by them or the SENCo)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import FollowUpAction, Incident, IncidentStatus
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.incidents import (
    FollowUpActionFactory,
    IncidentAmendmentFactory,
    IncidentFactory,
    RestrictiveInterventionFactory,
    StaffStatementFactory,
    bulk_incidents,
)


def url(name, school="alder", **kwargs):
    return reverse(f"incidents:{name}", kwargs={"school_slug": school, **kwargs})


@pytest.fixture
def incident(cast):
    """A caseload pupil's incident with another pupil (not on the caseload) involved."""
    with scopes_disabled():
        return IncidentFactory(
            school=cast.school_a,
            reported_by=cast.user(Role.ASSISTANT),
            pupils=[cast.caseload[0], cast.pupils_a[4]],
            staff=[cast.user(Role.ASSISTANT)],
        )


def test_incident_page_shows_the_record_pupils_and_audits_the_view(client, cast, incident):
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a,
            reported_by=cast.user(Role.ASSISTANT),
            pupils=[cast.caseload[0], cast.pupils_a[4]],
            staff=[cast.user(Role.ASSISTANT)],
            strategies=["Offered choices"],
        )
    client.force_login(cast.user(Role.ASSISTANT))

    page = client.get(url("detail", incident_id=incident.pk)).content.decode()

    assert "Verbal aggression" in page
    assert "Shouted at a peer and kicked the door" in page
    assert "Asked to line up after break" in page
    assert "Offered choices" in page
    assert "Mum, by phone at 15:30" in page
    primary, other = cast.caseload[0], cast.pupils_a[4]
    # Each pupil is named; only the one the viewer may open is a link.
    assert reverse("pupils:detail", args=["alder", primary.pk]) in page
    assert other.full_name in page
    assert reverse("pupils:detail", args=["alder", other.pk]) not in page
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.INCIDENT_VIEW)
    assert event.object_id == str(incident.pk)
    assert event.detail["pupil"] == str(primary.pk)


def test_the_incident_page_names_the_main_pupil_in_school_words(client, cast, incident):
    client.force_login(cast.user(Role.SENCO))

    page = client.get(url("detail", incident_id=incident.pk)).content.decode()

    assert '<span class="badge">Main pupil</span>' in page
    assert ">primary<" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("caseload assistant", 200),
        ("assistant without the pupil", 404),
        ("reporter", 200),
        ("staff involved", 200),
        (Role.SENCO, 200),
        (Role.DSL, 200),
        (Role.SLT, 200),
        (Role.ADMIN, 403),
        ("other school's senco", 404),
    ],
)
def test_who_may_open_an_incident(client, cast, who, status):
    reporter, involved = cast.user(Role.TEACHER), cast.assistant_no_caseload
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a, reported_by=cast.user(Role.SENCO), pupils=[cast.caseload[0]]
        )
        incident_reported = IncidentFactory(
            school=cast.school_a, reported_by=reporter, pupils=[cast.pupils_a[3]]
        )
        incident_involved = IncidentFactory(
            school=cast.school_a,
            reported_by=cast.user(Role.SENCO),
            pupils=[cast.pupils_a[3]],
            staff=[involved],
        )
    users = {
        "caseload assistant": (cast.user(Role.ASSISTANT), incident),
        "assistant without the pupil": (cast.user(Role.ASSISTANT), incident_reported),
        "reporter": (reporter, incident_reported),
        "staff involved": (involved, incident_involved),
        "other school's senco": (cast.user(Role.SENCO, "b"), incident),
    }
    user, target = users.get(who) or (cast.user(who), incident)
    client.force_login(user)

    assert client.get(url("detail", incident_id=target.pk)).status_code == status


def test_there_is_no_way_to_delete_an_incident(client, cast, incident):
    from tests.urlconf_world import all_url_patterns

    assert not [n for _, n, _ in all_url_patterns() if "delete" in (n or "")]
    client.force_login(cast.user(Role.SENCO))
    assert client.delete(url("detail", incident_id=incident.pk)).status_code == 405
    with scopes_disabled():
        assert Incident.objects.filter(pk=incident.pk).exists()


def _queue_names(response):
    return [i.pk for i in response.context["page"].object_list]


def test_review_queue_puts_restrictive_interventions_first_then_the_oldest(client, cast):
    senco, now = cast.user(Role.SENCO), timezone.now()
    with scopes_disabled():

        def logged(days_ago, **kw):
            return IncidentFactory(
                school=cast.school_a,
                reported_by=cast.user(Role.ASSISTANT),
                pupils=[cast.pupils_a[0]],
                submitted_at=now - datetime.timedelta(days=days_ago),
                **kw,
            )

        newest, oldest, middle = logged(1), logged(5), logged(3)
        restrained_new, restrained_old = logged(0), logged(2)
        for restrained in (restrained_new, restrained_old):
            RestrictiveInterventionFactory(incident=restrained, recorded_by=senco, staff=[senco])
        logged(9, status=IncidentStatus.REVIEWED)
    client.force_login(senco)

    response = client.get(url("review_queue"))

    assert _queue_names(response) == [
        restrained_old.pk,
        restrained_new.pk,
        oldest.pk,
        middle.pk,
        newest.pk,
    ]
    assert "5 incidents waiting" in response.content.decode()


def _bulk_incidents(cast, count):
    return bulk_incidents(
        school=cast.school_a,
        pupils=cast.pupils_a,
        reporter=cast.user(Role.ASSISTANT),
        count=count,
        start=timezone.now() - datetime.timedelta(days=60),
        category="Verbal aggression",
    )


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_review_queue_and_senco_home_take_the_same_queries_for_10_or_1000(client, cast):
    senco = cast.user(Role.SENCO)
    client.force_login(senco)
    with scopes_disabled():
        incidents = _bulk_incidents(cast, 10)
        RestrictiveInterventionFactory(incident=incidents[0], recorded_by=senco, staff=[senco])
    small = (
        _queries(client, url("review_queue")),
        _queries(client, reverse("school_home", args=["alder"])),
    )
    with scopes_disabled():
        more = _bulk_incidents(cast, 990)
        for i in more[:30]:
            RestrictiveInterventionFactory(incident=i, recorded_by=senco, staff=[senco])
    large = (
        _queries(client, url("review_queue")),
        _queries(client, reverse("school_home", args=["alder"])),
    )

    assert small == large
    print(f"review queue: {large[0]} queries, SENCo home: {large[1]} queries (10 and 1,000)")


def test_senco_reviews_with_notes_and_follow_up_actions(client, cast, incident):
    senco, assistant = cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    client.force_login(senco)
    assert client.get(url("review", incident_id=incident.pk)).status_code == 200

    response = client.post(
        url("review", incident_id=incident.pk),
        {
            "review_notes": "Third corridor incident after break this half term.",
            "mark_reviewed": "on",
            "actions-TOTAL_FORMS": "2",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Plan a calm transition from break",
            "actions-0-owner": assistant.pk,
            "actions-0-due_on": "2026-12-04",
            "actions-1-description": "",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url("review_queue")
    with scopes_disabled():
        incident.refresh_from_db()
        action = FollowUpAction.objects.get(incident=incident)
    assert incident.status == IncidentStatus.REVIEWED
    assert incident.reviewed_by == senco and incident.reviewed_at is not None
    assert action.owner == assistant and action.created_by == senco
    assert action.due_on == datetime.date(2026, 12, 4)
    page = client.get(url("detail", incident_id=incident.pk)).content.decode()
    assert "Third corridor incident after break" in page
    assert "Plan a calm transition from break" in page
    assert "due 04/12/2026" in page
    assert f"Reviewed by {senco.name}" in page
    with scopes_disabled():
        assert AuditEvent.objects.get(action=AuditAction.INCIDENT_REVIEW).detail["actions"] == 1
    assert incident.pk not in _queue_names(client.get(url("review_queue")))


def test_a_follow_up_action_needs_an_owner(client, cast, incident):
    client.force_login(cast.user(Role.SENCO))

    response = client.post(
        url("review", incident_id=incident.pk),
        {
            "review_notes": "Notes kept on error",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Call home",
        },
    )

    assert response.status_code == 200
    assert "Notes kept on error" in response.content.decode()
    with scopes_disabled():
        incident.refresh_from_db()
    assert incident.status == IncidentStatus.SUBMITTED
    with scopes_disabled():
        assert not FollowUpAction.objects.exists()


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.DSL, Role.SLT, Role.ADMIN])
def test_only_the_senco_reviews(client, cast, incident, role):
    client.force_login(cast.user(role))
    assert client.get(url("review", incident_id=incident.pk)).status_code == 403
    assert client.get(url("review_queue")).status_code == 403


def test_senco_home_shows_waiting_count_next_five_and_outstanding_restraints(client, cast):
    senco, assistant = cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    with scopes_disabled():
        for n in range(7):
            IncidentFactory(
                school=cast.school_a,
                reported_by=assistant,
                pupils=[cast.pupils_a[n % 5]],
                submitted_at=timezone.now() - datetime.timedelta(days=n),
            )
        restrained = IncidentFactory(
            school=cast.school_a, reported_by=assistant, pupils=[cast.pupils_a[2]]
        )
        RestrictiveInterventionFactory(
            incident=restrained, recorded_by=assistant, staff=[assistant, senco]
        )
    client.force_login(senco)

    response = client.get(reverse("school_home", args=["alder"]))

    page = response.content.decode()
    assert "<strong>8</strong> incidents waiting for your review" in page
    assert len(response.context["review"]["next_up"]) == 5
    assert response.context["review"]["next_up"][0].pk == restrained.pk
    assert cast.pupils_a[2].full_name in page
    assert "Missing: report to parents, debrief with the pupil, 2 staff statement(s)" in page


def test_incident_page_queries_do_not_grow_with_its_history(client, cast, incident):
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    with scopes_disabled():
        record = RestrictiveInterventionFactory(
            incident=incident, recorded_by=assistant, staff=[assistant]
        )

        def add_history(n):
            for k in range(n):
                IncidentAmendmentFactory(
                    incident=incident,
                    author=assistant,
                    reason=f"Fix {k}",
                    changes={"behaviour": {"from": f"v{k}", "to": f"v{k + 1}"}},
                )
                FollowUpActionFactory(
                    incident=incident, description=f"Do {k}", owner=teacher, created_by=teacher
                )

        add_history(1)
    client.force_login(cast.user(Role.SENCO))
    few = _queries(client, url("detail", incident_id=incident.pk))
    with scopes_disabled():
        add_history(30)
        record.staff_involved.add(teacher)
        StaffStatementFactory(intervention=record, author=teacher, text="Mine")
    many = _queries(client, url("detail", incident_id=incident.pk))

    assert few == many
    print(f"incident page: {many} queries")


# Follow-up actions: at their owner's home, marked done by them or the SENCo -------------------


def home_url(cast):
    return reverse("school_home", args=[cast.school_a.slug])


def detail_url(incident):
    return reverse("incidents:detail", args=[incident.school.slug, incident.pk])


def done_url(action):
    return reverse(
        "incidents:follow_up_done",
        args=[action.incident.school.slug, action.incident_id, action.pk],
    )


def give_action(cast, owner, pupil, **fields):
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a, reported_by=cast.user(Role.SENCO), pupils=[pupil]
        )
        return FollowUpActionFactory(
            incident=incident, owner=owner, created_by=cast.user(Role.SENCO), **fields
        )


def test_the_owner_sees_their_follow_up_action_at_home_and_marks_it_done(client, cast, login):
    owner = cast.assistant_no_caseload  # the pupil is not on their caseload
    action = give_action(cast, owner, cast.pupils_a[3], due_on=timezone.localdate())
    login(owner)

    page = client.get(home_url(cast)).content.decode()
    assert "Waiting for you" in page
    assert "Arrange a restorative meeting with the PE teacher" in page

    incident_page = client.get(detail_url(action.incident))
    assert incident_page.status_code == 200
    assert "Mark done" in incident_page.content.decode()
    response = client.post(done_url(action))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert action.done_by == owner
    assert "Arrange a restorative" not in client.get(home_url(cast)).content.decode()
    with scopes_disabled():
        done = AuditEvent.objects.filter(action=AuditAction.INCIDENT_FOLLOW_UP_DONE, actor=owner)
        assert done.count() == 1


def test_someone_else_cannot_mark_an_action_done_but_the_senco_can(client, cast, login):
    action = give_action(cast, cast.assistant_no_caseload, cast.pupils_a[0])

    login(cast.user(Role.ASSISTANT))  # can open the incident (pupil on caseload), not the owner
    assert "Mark done" not in client.get(detail_url(action.incident)).content.decode()
    assert client.post(done_url(action)).status_code == 403
    action.refresh_from_db()
    assert action.done_on is None

    client.logout()
    login(cast.user(Role.SENCO))
    client.post(done_url(action))
    action.refresh_from_db()
    assert action.done_by == cast.user(Role.SENCO)


def test_an_action_of_another_school_or_incident_is_not_found(client, cast, login):
    action = give_action(cast, cast.user(Role.ASSISTANT), cast.pupils_a[0])
    other = give_action(cast, cast.user(Role.ASSISTANT), cast.pupils_a[1])
    login(cast.user(Role.ASSISTANT))

    mixed = reverse(
        "incidents:follow_up_done", args=[cast.school_a.slug, other.incident_id, action.pk]
    )
    assert client.post(mixed).status_code == 404
    client.logout()
    login(cast.user(Role.SENCO, "b"))
    assert client.post(done_url(action)).status_code == 404
    action.refresh_from_db()
    assert action.done_on is None


def test_home_page_queries_stay_flat_with_more_work_waiting(
    client, cast, login, django_assert_max_num_queries
):
    owner = cast.user(Role.ASSISTANT)
    login(owner)
    give_action(cast, owner, cast.pupils_a[0])
    client.get(home_url(cast))
    with django_assert_max_num_queries(20) as few:
        client.get(home_url(cast))
    for _ in range(15):
        give_action(cast, owner, cast.pupils_a[1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(home_url(cast))
    assert page.content.decode().count("Arrange a restorative meeting") == 10


def test_marking_a_follow_up_done_twice_keeps_the_first(client, cast, login):
    """One transaction each, the action re-read under a lock: a second tap changes nothing."""
    owner = cast.user(Role.ASSISTANT)
    action = give_action(cast, owner, cast.pupils_a[0])
    login(owner)

    client.post(done_url(action))
    with scopes_disabled():
        FollowUpAction.objects.filter(pk=action.pk).update(done_on=datetime.date(2026, 11, 2))
    client.post(done_url(action))

    action.refresh_from_db()
    assert action.done_on == datetime.date(2026, 11, 2) and action.done_by == owner
    with scopes_disabled():
        done = AuditEvent.objects.filter(action=AuditAction.INCIDENT_FOLLOW_UP_DONE)
    assert done.count() == 1


def test_a_follow_up_is_marked_done_all_or_nothing(cast, monkeypatch):
    """The audit row is written in the same transaction: if it fails, the action is not done."""
    from incidents.services import review as service

    owner = cast.user(Role.ASSISTANT)
    action = give_action(cast, owner, cast.pupils_a[0])

    def broken(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(service.audit, "record", broken)
    with scopes_disabled(), pytest.raises(RuntimeError):
        service.complete_follow_up(actor=owner, school=cast.school_a, action=action)

    action.refresh_from_db()
    assert action.done_on is None and action.done_by is None
