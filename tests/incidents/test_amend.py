"""A submitted incident is never overwritten: changes are amendments, and the original is kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Incident, IncidentAmendment, VocabularyKind
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.incidents import IncidentFactory, vocabulary_entry

OCCURRED = timezone.make_aware(datetime.datetime(2026, 11, 16, 13, 20, 42))


def url(name, incident):
    return reverse(f"incidents:{name}", kwargs={"school_slug": "alder", "incident_id": incident.pk})


@pytest.fixture
def incident(cast):
    with scopes_disabled():
        return IncidentFactory(
            school=cast.school_a,
            reported_by=cast.user(Role.ASSISTANT),
            pupils=[cast.caseload[0]],
            occurred_at=OCCURRED,
        )


def form_data(incident, **changes):
    """What the amendment form posts when nothing is touched, with ``changes`` applied."""
    with scopes_disabled():
        data = {
            "occurred_at": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "location": incident.location_id or "",
            "period": incident.period_id or "",
            "category": incident.category_id,
            "severity": incident.severity,
            "trigger": incident.trigger_id or "",
            "antecedent": incident.antecedent,
            "behaviour": incident.behaviour,
            "outcome": incident.outcome,
            "outcome_notes": incident.outcome_notes,
            "suspension_days": incident.suspension_days or "",
            "suspension_reason": incident.suspension_reason_id or "",
            "strategies": [s.pk for s in incident.strategies.all()],
            "witnesses": incident.witnesses,
            "parents_informed": incident.parents_informed,
            "parents_informed_detail": incident.parents_informed_detail,
        }
    return {**data, **changes}


def test_amendments_keep_the_original_and_list_every_change(client, cast, incident):
    assistant, senco = cast.user(Role.ASSISTANT), cast.user(Role.SENCO)
    with scopes_disabled():
        playground = vocabulary_entry(cast.school_a, VocabularyKind.LOCATION, "Playground")
    client.force_login(assistant)
    first = client.post(
        url("amend", incident),
        form_data(
            incident,
            location=playground.pk,
            behaviour="Shouted at a peer; did not kick the door",
            reason="I misremembered: the door was kicked by someone else",
        ),
    )
    assert first.status_code == 302
    client.force_login(senco)
    second = client.post(
        url("amend", incident),
        form_data(
            _fresh(incident),
            severity=3,
            behaviour="Shouted at a peer, swore at staff",
            reason="Added after speaking to the teacher",
        ),
    )
    assert second.status_code == 302

    with scopes_disabled():
        current = Incident.objects.get(pk=incident.pk)
        amendments = list(IncidentAmendment.objects.filter(incident=incident))
    assert current.behaviour == "Shouted at a peer, swore at staff"
    assert current.location == playground and current.severity == 3
    assert current.occurred_at == OCCURRED  # untouched: not even its seconds
    assert [a.author for a in amendments] == [assistant, senco]
    assert amendments[0].changes == {
        "location": {"from": "Corridor", "to": "Playground"},
        "behaviour": {
            "from": "Shouted at a peer and kicked the door",
            "to": "Shouted at a peer; did not kick the door",
        },
    }
    assert amendments[1].changes == {
        "severity": {"from": "Moderate", "to": "Serious"},
        "behaviour": {
            "from": "Shouted at a peer; did not kick the door",
            "to": "Shouted at a peer, swore at staff",
        },
    }
    page = client.get(url("detail", incident)).content.decode()
    # The record as first submitted: the first "from" of each amended field.
    original = page[page.index("The record as first submitted") :]
    assert "Shouted at a peer and kicked the door" in original
    assert "Corridor" in original and "Moderate" in original
    assert "I misremembered: the door was kicked by someone else" in page
    assert "Added after speaking to the teacher" in page
    assert f"by {assistant.name}" in page and f"by {senco.name}" in page
    assert "Amended 2×" in page
    with scopes_disabled():
        events = AuditEvent.objects.filter(action=AuditAction.INCIDENT_AMEND).order_by("at")
    assert [e.detail["fields"] for e in events] == [
        ["behaviour", "location"],
        ["behaviour", "severity"],
    ]
    assert events[0].detail["pupil"] == str(cast.caseload[0].pk)


def _fresh(incident):
    with scopes_disabled():
        return Incident.objects.get(pk=incident.pk)


def test_an_amendment_needs_a_reason_and_keeps_what_was_typed(client, cast, incident):
    client.force_login(cast.user(Role.ASSISTANT))

    response = client.post(url("amend", incident), form_data(incident, behaviour="New words"))

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert "New words" in response.content.decode()
    with scopes_disabled():
        assert Incident.objects.get(pk=incident.pk).behaviour.startswith("Shouted at a peer")
        assert not IncidentAmendment.objects.exists()


def test_an_amendment_that_changes_nothing_is_refused(client, cast, incident):
    client.force_login(cast.user(Role.ASSISTANT))

    response = client.post(url("amend", incident), form_data(incident, reason="Just checking"))

    assert response.status_code == 200
    assert "Nothing has changed" in response.content.decode()
    with scopes_disabled():
        assert not IncidentAmendment.objects.exists()


def test_changing_strategies_is_an_amendment_too(client, cast, incident):
    with scopes_disabled():
        choices = vocabulary_entry(cast.school_a, VocabularyKind.STRATEGY, "Offered choices")
        space = vocabulary_entry(cast.school_a, VocabularyKind.STRATEGY, "Gave space and time")
        incident.strategies.set([choices])
    client.force_login(cast.user(Role.SENCO))

    client.post(
        url("amend", incident),
        form_data(incident, strategies=[choices.pk, space.pk], reason="Space was given too"),
    )

    with scopes_disabled():
        assert set(incident.strategies.all()) == {choices, space}
        amendment = IncidentAmendment.objects.get()
    assert amendment.changes == {
        "strategies": {"from": "Offered choices", "to": "Gave space and time, Offered choices"}
    }


def test_a_suspension_needs_days_and_the_dfe_reason(client, cast, incident):
    client.force_login(cast.user(Role.SENCO))

    response = client.post(
        url("amend", incident), form_data(incident, outcome="suspension", reason="Suspended")
    )

    page = response.content.decode()
    assert "Give the number of days" in page
    assert "Choose the DfE reason" in page


@pytest.mark.parametrize(("role", "status"), [(Role.SLT, 403), (Role.ADMIN, 403)])
def test_roles_without_recording_rights_cannot_amend(client, cast, incident, role, status):
    client.force_login(cast.user(role))
    assert client.get(url("amend", incident)).status_code == status
    assert client.post(url("amend", incident), form_data(incident)).status_code == status


def test_an_assistant_cannot_amend_an_incident_they_cannot_see(client, cast):
    with scopes_disabled():
        hidden = IncidentFactory(
            school=cast.school_a, reported_by=cast.user(Role.SENCO), pupils=[cast.pupils_a[4]]
        )
    client.force_login(cast.user(Role.ASSISTANT))

    response = client.post(url("amend", hidden), form_data(hidden, behaviour="x", reason="y"))

    assert response.status_code == 404
    with scopes_disabled():
        assert not IncidentAmendment.objects.exists()
