"""A safeguarding concern's content is for the school's DSL(s) and its author only; to everyone
else it does not exist (the incident is there, without the concern)."""

import uuid

import pytest
from django.urls import reverse
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
