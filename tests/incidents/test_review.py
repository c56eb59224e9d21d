"""The incident page, who may open it, and the SENCo's review queue and review."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import (
    FollowUpAction,
    Incident,
    IncidentAmendment,
    IncidentPupil,
    IncidentStatus,
    StaffStatement,
    VocabularyKind,
)
from semh.access import Role
from semh.models import AuditEvent
from tests.incidents.review_data import make_incident, make_intervention, term


def url(name, school="alder", **kwargs):
    return reverse(f"incidents:{name}", kwargs={"school_slug": school, **kwargs})


@pytest.fixture
def incident(cast):
    """A caseload pupil's incident with another pupil (not on the caseload) involved."""
    with scopes_disabled():
        return make_incident(
            cast.school_a,
            cast.user(Role.ASSISTANT),
            [cast.caseload[0], cast.pupils_a[4]],
            staff=[cast.user(Role.ASSISTANT)],
        )


def test_incident_page_shows_the_record_pupils_and_audits_the_view(client, cast, incident):
    with scopes_disabled():
        incident.strategies.set([term(cast.school_a, VocabularyKind.STRATEGY, "Offered choices")])
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
        event = AuditEvent.objects.get(action="incident.view")
    assert event.object_id == str(incident.pk)
    assert event.detail["pupil"] == str(primary.pk)


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
        incident = make_incident(cast.school_a, cast.user(Role.SENCO), [cast.caseload[0]])
        incident_reported = make_incident(cast.school_a, reporter, [cast.pupils_a[3]])
        incident_involved = make_incident(
            cast.school_a, cast.user(Role.SENCO), [cast.pupils_a[3]], staff=[involved]
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
    from tests.test_access_matrix import all_url_patterns

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
            return make_incident(
                cast.school_a,
                cast.user(Role.ASSISTANT),
                [cast.pupils_a[0]],
                submitted_at=now - datetime.timedelta(days=days_ago),
                **kw,
            )

        newest, oldest, middle = logged(1), logged(5), logged(3)
        rpi_new, rpi_old = logged(0), logged(2)
        for rpi in (rpi_new, rpi_old):
            make_intervention(cast.pupils_a[0], senco, [senco], incident=rpi)
        logged(9, status=IncidentStatus.REVIEWED)
    client.force_login(senco)

    response = client.get(url("review_queue"))

    assert _queue_names(response) == [rpi_old.pk, rpi_new.pk, oldest.pk, middle.pk, newest.pk]
    assert "5 incidents waiting" in response.content.decode()


def _bulk_incidents(cast, count):
    category = term(cast.school_a, VocabularyKind.CATEGORY)
    incidents = Incident.objects.bulk_create(
        Incident(
            school=cast.school_a,
            submission_key=uuid.uuid4(),
            category=category,
            severity=1,
            behaviour="Shouted",
            outcome="returned",
            parents_informed="yes",
            reported_by=cast.user(Role.ASSISTANT),
        )
        for _ in range(count)
    )
    IncidentPupil.objects.bulk_create(
        IncidentPupil(incident=i, pupil=cast.pupils_a[n % 5], is_primary=True)
        for n, i in enumerate(incidents)
    )
    return incidents


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
        make_intervention(cast.pupils_a[0], senco, [senco], incident=incidents[0])
    small = (
        _queries(client, url("review_queue")),
        _queries(client, reverse("school_home", args=["alder"])),
    )
    with scopes_disabled():
        more = _bulk_incidents(cast, 990)
        for i in more[:30]:
            make_intervention(cast.pupils_a[1], senco, [senco], incident=i)
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
        assert AuditEvent.objects.filter(action="incident.review").get().detail["actions"] == 1
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
            make_incident(
                cast.school_a,
                assistant,
                [cast.pupils_a[n % 5]],
                submitted_at=timezone.now() - datetime.timedelta(days=n),
            )
        rpi_incident = make_incident(cast.school_a, assistant, [cast.pupils_a[2]])
        make_intervention(cast.pupils_a[2], assistant, [assistant, senco], incident=rpi_incident)
    client.force_login(senco)

    response = client.get(reverse("school_home", args=["alder"]))

    page = response.content.decode()
    assert "<strong>8</strong> incidents waiting for your review" in page
    assert len(response.context["review"]["next_up"]) == 5
    assert response.context["review"]["next_up"][0].pk == rpi_incident.pk
    assert cast.pupils_a[2].full_name in page
    assert "Missing: report to parents, debrief with the pupil, 2 staff statement(s)" in page


def test_incident_page_queries_do_not_grow_with_its_history(client, cast, incident):
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    with scopes_disabled():
        rpi = make_intervention(cast.caseload[0], assistant, [assistant], incident=incident)

        def add_history(n):
            for k in range(n):
                IncidentAmendment.objects.create(
                    incident=incident,
                    author=assistant,
                    reason=f"Fix {k}",
                    changes={"behaviour": {"from": f"v{k}", "to": f"v{k + 1}"}},
                )
                FollowUpAction.objects.create(
                    incident=incident, description=f"Do {k}", owner=teacher, created_by=teacher
                )

        add_history(1)
    client.force_login(cast.user(Role.SENCO))
    few = _queries(client, url("detail", incident_id=incident.pk))
    with scopes_disabled():
        add_history(30)
        rpi.staff_involved.add(teacher)
        StaffStatement.objects.create(intervention=rpi, author=teacher, text="Mine")
    many = _queries(client, url("detail", incident_id=incident.pk))

    assert few == many
    print(f"incident page: {many} queries")
