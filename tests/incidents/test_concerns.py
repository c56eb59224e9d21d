"""A safeguarding concern's content is for the school's DSL(s) and its author only; to everyone
else it does not exist (the incident is there, without the concern)."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import ConcernAction, SafeguardingConcern
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.incidents import ConcernActionFactory, ConcernFactory, IncidentFactory

CONTENT = "Disclosed bruising from an adult at home"


def url(name, **kwargs):
    return reverse(f"incidents:{name}", kwargs={"school_slug": "alder", **kwargs})


@pytest.fixture
def concern(cast):
    """Raised by the cast assistant about a caseload pupil; the teacher was involved too."""
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a,
            reported_by=cast.user(Role.ASSISTANT),
            pupils=[cast.caseload[0]],
            staff=[cast.user(Role.TEACHER)],
        )
        return ConcernFactory(
            incident=incident, raised_by=cast.user(Role.ASSISTANT), concern=CONTENT
        )


def pages(client, concern):
    pupil_id = concern.incident.involvements.get().pupil_id
    return {
        "incident": client.get(url("detail", incident_id=concern.incident_id)),
        "pupil": client.get(reverse("pupils:detail", args=["alder", pupil_id])),
        "home": client.get(reverse("school_home", args=["alder"])),
        "concern": client.get(url("concern_detail", concern_id=concern.pk)),
        "concerns": client.get(url("concerns")),
        "mine": client.get(url("my_concerns")),
    }


def test_the_dsl_sees_the_concern_everywhere_it_is_shown(client, cast, concern):
    client.force_login(cast.user(Role.DSL))
    with scopes_disabled():
        seen = pages(client, concern)

    assert CONTENT in seen["incident"].content.decode()
    assert CONTENT in seen["concern"].content.decode()
    assert cast.caseload[0].full_name in seen["concerns"].content.decode()
    assert "<strong>1</strong> open concern." in seen["home"].content.decode()


def test_the_author_sees_their_concern_but_not_the_dsl_list(client, cast, concern):
    client.force_login(cast.user(Role.ASSISTANT))
    with scopes_disabled():
        seen = pages(client, concern)

    assert CONTENT in seen["incident"].content.decode()
    assert CONTENT in seen["concern"].content.decode()
    assert url("concern_detail", concern_id=concern.pk) in seen["mine"].content.decode()
    assert seen["concerns"].status_code == 403


@pytest.mark.parametrize(
    "who", [Role.TEACHER, Role.SENCO, Role.SLT, Role.ADMIN, "assistant without the pupil"]
)
def test_nobody_else_learns_the_concern_exists(client, cast, concern, who):
    user = cast.assistant_no_caseload if who == "assistant without the pupil" else cast.user(who)
    client.force_login(user)
    with scopes_disabled():
        seen = pages(client, concern)
    random_concern = client.get(url("concern_detail", concern_id=uuid.uuid4()))

    for name, response in seen.items():
        page = response.content.decode()
        assert CONTENT not in page, name
        assert str(concern.pk) not in page, name
        assert "Safeguarding concern" not in page, name
    # The concern's own URL answers exactly as a made-up one does.
    assert seen["concern"].status_code == random_concern.status_code
    assert seen["concern"].status_code in (403, 404)
    if who == Role.TEACHER:
        # The teacher was involved: they see the incident, without any concern section.
        assert seen["incident"].status_code == 200
        assert "Shouted at a peer" in seen["incident"].content.decode()
    if who == Role.SENCO:
        assert "open concern" not in seen["home"].content.decode()


def test_dsl_records_actions_and_closes_and_reopens_a_concern(client, cast, concern):
    dsl = cast.user(Role.DSL)
    client.force_login(dsl)

    client.post(
        url("concern_action", concern_id=concern.pk), {"note": "Referred to children's services"}
    )
    client.post(
        url("concern_status", concern_id=concern.pk), {"status": "closed", "note": "Plan in place"}
    )
    with scopes_disabled():
        concern.refresh_from_db()
        assert concern.status == SafeguardingConcern.Status.CLOSED
        assert concern.closed_by == dsl and concern.closed_at is not None
    home = client.get(reverse("school_home", args=["alder"])).content.decode()
    assert "No open concerns" in home

    client.post(url("concern_status", concern_id=concern.pk), {"status": "open"})

    with scopes_disabled():
        concern.refresh_from_db()
        notes = list(ConcernAction.objects.filter(concern=concern).values_list("note", flat=True))
    assert concern.status == SafeguardingConcern.Status.OPEN and concern.closed_at is None
    assert notes == ["Referred to children's services", "Closed: Plan in place", "Reopened"]
    page = client.get(url("concern_detail", concern_id=concern.pk)).content.decode()
    assert "Referred to children&#x27;s services" in page
    with scopes_disabled():
        events = AuditEvent.objects.filter(action__startswith="concern.").order_by("at", "pk")
    assert [e.action for e in events] == [
        AuditAction.CONCERN_ACTION,
        AuditAction.CONCERN_CLOSE,
        AuditAction.CONCERN_REOPEN,
        AuditAction.CONCERN_VIEW,
    ]
    # Concern events never name the pupil: the pupil's access log must not reveal a concern.
    assert all("pupil" not in e.detail for e in events)


def test_the_author_cannot_act_on_the_concern_or_read_the_dsls_actions(client, cast, concern):
    with scopes_disabled():
        ConcernActionFactory(concern=concern, by=cast.user(Role.DSL), note="Called LADO")
    client.force_login(cast.user(Role.ASSISTANT))

    page = client.get(url("concern_detail", concern_id=concern.pk)).content.decode()
    assert "Called LADO" not in page
    assert client.post(url("concern_action", concern_id=concern.pk), {"note": "x"}).status_code == (
        403
    )
    assert (
        client.post(url("concern_status", concern_id=concern.pk), {"status": "closed"}).status_code
        == 403
    )
    with scopes_disabled():
        assert ConcernAction.objects.count() == 1


def test_the_senco_pupil_access_log_does_not_reveal_the_dsl_reading_a_concern(
    client, cast, concern
):
    client.force_login(cast.user(Role.DSL))
    client.get(url("concern_detail", concern_id=concern.pk))
    client.force_login(cast.user(Role.SENCO))

    log = client.get(reverse("pupils:access_log", args=["alder", cast.caseload[0].pk]))

    assert "concern" not in log.content.decode().lower()


def test_the_concern_list_puts_open_concerns_first(client, cast, concern):
    teacher = cast.user(Role.TEACHER)
    with scopes_disabled():
        closed = ConcernFactory(
            incident=IncidentFactory(
                school=cast.school_a, reported_by=teacher, pupils=[cast.pupils_a[3]]
            ),
            raised_by=teacher,
            concern="Older, closed",
            status=SafeguardingConcern.Status.CLOSED,
        )
        later = ConcernFactory(
            incident=IncidentFactory(
                school=cast.school_a, reported_by=teacher, pupils=[cast.pupils_a[2]]
            ),
            raised_by=teacher,
        )
    client.force_login(cast.user(Role.DSL))

    rows = client.get(url("concerns")).context["page"].object_list

    assert [c.pk for c in rows] == [later.pk, concern.pk, closed.pk]
    client.force_login(cast.user(Role.TEACHER))
    mine = client.get(url("my_concerns")).context["page"].object_list
    assert {c.pk for c in mine} == {later.pk, closed.pk}


ALONE = "She said: “Dad’s friend hurts me when Mum is out.”"


def raise_alone(client, pupil, **extra):
    data = {
        "pupil": pupil.pk,
        "concern": ALONE,
        "noticed_at": "2026-11-10T10:15",
        "immediate_action": "Stayed with her and told her I must pass it on.",
        **extra,
    }
    return client.post(url("concern_new"), data)


@pytest.fixture
def alone(client, cast, clock, django_capture_on_commit_callbacks):
    """A concern the cast assistant raised on its own (no incident) about a pupil not on their
    caseload, through the form."""
    clock.set(datetime.date(2026, 11, 10), 10, 30)
    client.force_login(cast.user(Role.ASSISTANT))
    with django_capture_on_commit_callbacks(execute=True):
        response = raise_alone(client, cast.pupils_a[3], submission_key=str(uuid.uuid4()))
    with scopes_disabled():
        concern = SafeguardingConcern.objects.get()
    assert response.status_code == 302
    assert response.url == url("concern_detail", concern_id=concern.pk)
    client.logout()
    return concern


def test_an_assistant_raises_a_concern_on_its_own_from_a_phone_friendly_form(
    client, cast, clock, mailoutbox, django_capture_on_commit_callbacks
):
    clock.set(datetime.date(2026, 11, 10), 10, 30)
    assistant = cast.user(Role.ASSISTANT)
    client.force_login(assistant)
    home = client.get(reverse("school_home", args=["alder"])).content.decode()
    assert url("concern_new") in home
    form = client.get(url("concern_new")).content.decode()
    assert 'type="search"' in form and 'name="submission_key"' in form
    assert 'value="2026-11-10T10:30"' in form  # "when" starts at now

    with django_capture_on_commit_callbacks(execute=True):
        response = raise_alone(client, cast.pupils_a[3])

    with scopes_disabled():
        concern = SafeguardingConcern.objects.get()
        event = AuditEvent.objects.get(action=AuditAction.CONCERN_CREATE)
    assert concern.incident is None and concern.pupil == cast.pupils_a[3]
    assert concern.raised_by == assistant and concern.concern == ALONE
    assert timezone.localtime(concern.noticed_at).strftime("%d/%m/%Y %H:%M") == "10/11/2026 10:15"
    assert event.object_id == str(concern.pk) and "pupil" not in event.detail
    assert [m.to for m in mailoutbox] == [[cast.user(Role.DSL).email]]
    assert cast.pupils_a[3].full_name not in mailoutbox[0].body
    page = client.get(response.url).content.decode()
    assert "Dad’s friend hurts me" in page and "10/11/2026 10:15" in page
    assert "Stayed with her" in page


def test_from_the_pupil_page_the_pupil_is_fixed(client, cast):
    client.force_login(cast.user(Role.ASSISTANT))
    pupil = cast.caseload[0]
    detail = client.get(reverse("pupils:detail", args=["alder", pupil.pk])).content.decode()
    link = f"{url('concern_new')}?pupil={pupil.pk}"
    assert link in detail

    form = client.get(link).content.decode()

    assert pupil.full_name in form
    assert f'type="hidden" name="pupil" value="{pupil.pk}"' in form
    assert 'type="search"' not in form


def test_a_concern_needs_a_pupil_words_and_a_plausible_time(client, cast, clock):
    clock.set(datetime.date(2026, 11, 10), 10, 30)
    client.force_login(cast.user(Role.ASSISTANT))

    response = client.post(url("concern_new"), {"noticed_at": "1926-11-10T10:15"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the pupil this concern is about." in page
    assert "Write down what you saw, heard or were told." in page
    assert "Enter a date between" in page
    future = raise_alone(client, cast.pupils_a[3], noticed_at="2026-11-10T11:00")
    assert "in the future" in future.content.decode()
    with scopes_disabled():
        assert not SafeguardingConcern.objects.exists()


def test_a_pupil_of_another_school_cannot_be_chosen(client, cast):
    client.force_login(cast.user(Role.ASSISTANT))

    response = raise_alone(client, cast.pupils_b[0])

    assert response.status_code == 200
    with scopes_disabled():
        assert not SafeguardingConcern.objects.exists()


def test_the_dsl_sees_a_concern_raised_on_its_own_in_their_list_and_home(client, cast, alone):
    client.force_login(cast.user(Role.DSL))

    listed = client.get(url("concerns")).content.decode()
    home = client.get(reverse("school_home", args=["alder"])).content.decode()
    page = client.get(url("concern_detail", concern_id=alone.pk)).content.decode()

    assert cast.pupils_a[3].full_name in listed
    assert url("concern_detail", concern_id=alone.pk) in listed
    assert "<strong>1</strong> open concern." in home
    assert "Dad’s friend hurts me" in page and "Record the action" in page


def test_the_author_sees_their_concern_raised_on_its_own(client, cast, alone):
    client.force_login(cast.user(Role.ASSISTANT))

    mine = client.get(url("my_concerns")).content.decode()
    page = client.get(url("concern_detail", concern_id=alone.pk)).content.decode()

    assert url("concern_detail", concern_id=alone.pk) in mine
    assert "Dad’s friend hurts me" in page and "Record the action" not in page


@pytest.mark.parametrize("who", [Role.SENCO, Role.TEACHER, "another assistant", "other school"])
def test_nobody_else_finds_a_concern_raised_on_its_own(client, cast, alone, who):
    user = {
        "another assistant": cast.assistant_no_caseload,
        "other school": cast.user(Role.DSL, "b"),
    }.get(who) or cast.user(who)
    client.force_login(user)

    response = client.get(url("concern_detail", concern_id=alone.pk))
    pupil = client.get(reverse("pupils:detail", args=["alder", cast.pupils_a[3].pk]))

    assert response.status_code == 404
    assert ALONE not in pupil.content.decode() and str(alone.pk) not in pupil.content.decode()
    if who == "other school":
        birch = reverse("incidents:concern_detail", args=["birch", alone.pk])
        assert client.get(birch).status_code == 404


def test_a_double_tap_raises_one_concern(client, cast):
    client.force_login(cast.user(Role.ASSISTANT))
    key = str(uuid.uuid4())

    first = raise_alone(client, cast.pupils_a[3], submission_key=key)
    second = raise_alone(client, cast.pupils_a[3], submission_key=key)

    with scopes_disabled():
        assert SafeguardingConcern.objects.count() == 1
    assert second.status_code == 302 and second.url == first.url
