"""What each member of staff still has to do: statements owed, follow-up actions, drafts."""

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import FollowUpAction, IncidentDraft, StaffStatement
from incidents.services import discard_stale_drafts
from semh.access import Role
from semh.models import AuditEvent
from tests.incidents.review_data import make_incident, make_intervention


def home(cast):
    return reverse("school_home", args=[cast.school_a.slug])


def detail(incident):
    return reverse("incidents:detail", args=[incident.school.slug, incident.pk])


def done_url(action):
    return reverse(
        "incidents:follow_up_done",
        args=[action.incident.school.slug, action.incident_id, action.pk],
    )


def give_action(cast, owner, pupil, **fields):
    with scopes_disabled():
        incident = make_incident(cast.school_a, cast.user(Role.SENCO), [pupil])
        return FollowUpAction.objects.create(
            incident=incident,
            description="Arrange a restorative meeting with the PE teacher",
            owner=owner,
            created_by=cast.user(Role.SENCO),
            **fields,
        )


def test_the_owner_sees_their_follow_up_action_at_home_and_marks_it_done(client, cast, login):
    owner = cast.assistant_no_caseload  # the pupil is not on their caseload
    action = give_action(cast, owner, cast.pupils_a[3], due_on=timezone.localdate())
    login(owner)

    page = client.get(home(cast)).content.decode()
    assert "Waiting for you" in page
    assert "Arrange a restorative meeting with the PE teacher" in page

    incident_page = client.get(detail(action.incident))
    assert incident_page.status_code == 200
    assert "Mark done" in incident_page.content.decode()
    response = client.post(done_url(action))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert action.done_by == owner
    assert "Arrange a restorative" not in client.get(home(cast)).content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="incident.follow_up_done", actor=owner).count() == 1


def test_someone_else_cannot_mark_an_action_done_but_the_senco_can(client, cast, login):
    action = give_action(cast, cast.assistant_no_caseload, cast.pupils_a[0])

    login(cast.user(Role.ASSISTANT))  # can open the incident (pupil on caseload), not the owner
    assert "Mark done" not in client.get(detail(action.incident)).content.decode()
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


def test_each_holder_is_asked_for_their_own_account_until_they_write_it(client, cast, login):
    holder, other_holder = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    with scopes_disabled():
        incident = make_incident(cast.school_a, holder, [cast.pupils_a[0]])
        restraint = make_intervention(
            cast.pupils_a[0], holder, [holder, other_holder], incident=incident
        )
        StaffStatement.objects.create(intervention=restraint, author=other_holder, text="I held")
    statement_url = reverse("incidents:statement", args=[cast.school_a.slug, restraint.pk])

    login(other_holder)
    assert statement_url not in client.get(home(cast)).content.decode()
    client.logout()
    login(holder)
    assert statement_url in client.get(home(cast)).content.decode()

    client.post(statement_url, {"text": "I supported his left arm for two minutes."})

    assert statement_url not in client.get(home(cast)).content.decode()


def test_home_page_queries_stay_flat_with_more_work_waiting(
    client, cast, login, django_assert_max_num_queries
):
    owner = cast.user(Role.ASSISTANT)
    login(owner)
    give_action(cast, owner, cast.pupils_a[0])
    client.get(home(cast))
    with django_assert_max_num_queries(20) as few:
        client.get(home(cast))
    for _ in range(15):
        give_action(cast, owner, cast.pupils_a[1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(home(cast))
    assert page.content.decode().count("Arrange a restorative meeting") == 10


def test_unfinished_incidents_are_listed_and_discarded_after_the_set_days(
    client, cast, login, settings
):
    settings.SEMH_INCIDENT_DRAFT_DAYS = 30
    author = cast.user(Role.ASSISTANT)
    with scopes_disabled():
        stale, recent = (
            IncidentDraft.objects.create(
                key=uuid.uuid4(), school=cast.school_a, author=author, data={"behaviour": "x"}
            )
            for _ in range(2)
        )
        IncidentDraft.objects.filter(pk=stale.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=31)
        )
    login(author)
    assert "2 unfinished incidents" in client.get(home(cast)).content.decode()

    assert discard_stale_drafts() == 1

    with scopes_disabled():
        assert list(IncidentDraft.objects.values_list("pk", flat=True)) == [recent.pk]
        event = AuditEvent.objects.get(action="incident.draft_expired")
    assert event.school == cast.school_a
    assert event.detail["author"] == str(author.pk)
    assert "1 unfinished incident<" in client.get(home(cast)).content.decode()
