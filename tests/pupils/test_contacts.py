"""Around the pupil: parent/carer contacts, agency involvement, meetings and their actions."""

import uuid

import pytest
from django.http import Http404
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from pupils import selectors
from pupils.models import AgencyInvolvement, Meeting, MeetingAction, ParentContact
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from semh.tenancy import resolve_school_access
from tests.factories.pupils import (
    AgencyInvolvementFactory,
    MeetingActionFactory,
    MeetingFactory,
    ParentContactFactory,
)


def url(name, pupil, **kwargs):
    return reverse(
        f"pupils:{name}",
        kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk, **kwargs},
    )


def test_assistant_logs_a_parent_contact_for_a_caseload_pupil(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))

    response = client.post(
        url("contact_create", pupil),
        {
            "contacted_at": "2026-11-20T15:30",
            "method": "phone",
            "with_whom": "Mum (Mrs Lee)",
            "summary": "Discussed a difficult morning; agreed a calm start plan.",
            "follow_up_needed": "on",
            "follow_up_due": "2026-11-27",
        },
    )

    assert response.status_code == 302
    page = client.get(url("detail", pupil)).content.decode()
    assert "agreed a calm start plan" in page
    assert "Follow-up due 27/11/2026" in page
    with scopes_disabled():
        contact = ParentContact.objects.get(pupil=pupil)
    assert contact.recorded_by == cast.user(Role.ASSISTANT)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="parent_contact.create").count() == 1


def test_follow_up_needs_a_due_date(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.SENCO))

    response = client.post(
        url("contact_create", pupil),
        {
            "contacted_at": "2026-11-20T15:30",
            "method": "email",
            "with_whom": "Dad",
            "summary": "Sent the plan",
            "follow_up_needed": "on",
        },
    )

    assert response.status_code == 200
    assert "Give a due date" in response.content.decode()
    assert "Sent the plan" in response.content.decode()


def test_assistant_cannot_log_a_contact_for_a_pupil_outside_their_caseload(client, cast, login):
    login(cast.user(Role.ASSISTANT))

    response = client.post(url("contact_create", cast.pupils_a[4]), {"summary": "x"})

    assert response.status_code == 404


def test_senco_records_agency_involvement_and_assistant_may_not(client, cast, login):
    pupil = cast.caseload[0]
    data = {
        "agency": "camhs",
        "status": "referred",
        "referred_on": "2026-10-01",
        "contact_name": "Dr Rao",
    }
    login(cast.user(Role.ASSISTANT))
    refused = client.post(url("agency_create", pupil), data)
    client.logout()
    login(cast.user(Role.SENCO))

    accepted = client.post(url("agency_create", pupil), data)

    assert refused.status_code == 403
    assert accepted.status_code == 302
    with scopes_disabled():
        assert AgencyInvolvement.objects.get(pupil=pupil).contact_name == "Dr Rao"
    assert "CAMHS" in client.get(url("detail", pupil)).content.decode()


def test_senco_updates_an_agency_involvement(client, cast, login):
    pupil = cast.caseload[0]
    with scopes_disabled():
        involvement = AgencyInvolvementFactory(pupil=pupil, agency="camhs", status="referred")
    login(cast.user(Role.SENCO))

    response = client.post(
        url("agency_edit", pupil, agency_id=involvement.pk),
        {
            "agency": "camhs",
            "status": "active",
            "referred_on": "2026-10-01",
            "contact_name": "Dr Rao",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        involvement.refresh_from_db()
        assert (involvement.status, involvement.contact_name) == ("active", "Dr Rao")
        assert AuditEvent.objects.filter(action=AuditAction.AGENCY_UPDATE).count() == 1


def test_meeting_with_actions_shows_open_actions_on_pupil_page_and_senco_home(client, cast, login):
    pupil = cast.pupils_a[0]
    senco = cast.user(Role.SENCO)
    login(senco)

    response = client.post(
        url("meeting_create", pupil),
        {
            "kind": "multi_agency",
            "held_on": "2026-11-18",
            "staff_attendees": [senco.pk],
            "external_attendees": "Ms Khan, Early Help",
            "notes": "Agreed a referral.",
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Send Early Help referral",
            "actions-0-owner": senco.pk,
            "actions-0-due_on": "2026-11-25",
            "actions-1-description": "",
            "actions-2-description": "",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get(pupil=pupil)
        action = MeetingAction.objects.get(meeting=meeting)
    assert "Send Early Help referral" in client.get(url("detail", pupil)).content.decode()
    home = client.get(reverse("school_home", kwargs={"school_slug": cast.school_a.slug}))
    assert "Send Early Help referral" in home.content.decode()

    client.post(url("action_done", pupil, action_id=action.pk))

    with scopes_disabled():
        action.refresh_from_db()
    assert action.done_on is not None
    assert action.done_by == senco
    home = client.get(reverse("school_home", kwargs={"school_slug": cast.school_a.slug}))
    assert "Send Early Help referral" not in home.content.decode()


def test_a_record_of_another_pupil_cannot_be_reached_through_this_pupil(client, cast, login):
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        contact = ParentContactFactory(pupil=cast.pupils_a[1], with_whom="Gran", recorded_by=senco)
    login(senco)

    response = client.get(url("contact_edit", cast.pupils_a[0], contact_id=contact.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["contact_create", "agency_create", "meeting_create"])
def test_another_schools_senco_gets_404(client, cast, login, name):
    login(cast.user(Role.SENCO, "b"))

    response = client.get(
        reverse(
            f"pupils:{name}",
            kwargs={"school_slug": cast.school_b.slug, "pupil_id": cast.pupils_a[0].pk},
        )
    )

    assert response.status_code == 404


def test_updating_a_contact_keeps_who_recorded_it_and_audits_the_fields(client, cast, login):
    pupil = cast.caseload[0]
    with scopes_disabled():
        contact = ParentContactFactory(pupil=pupil, recorded_by=cast.user(Role.ASSISTANT))
    login(cast.user(Role.SENCO))

    response = client.post(
        url("contact_edit", pupil, contact_id=contact.pk),
        {
            "contacted_at": "2026-11-20T15:30",
            "method": "email",
            "with_whom": contact.with_whom,
            "summary": "Sent the plan home",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        contact.refresh_from_db()
    assert (contact.method, contact.recorded_by) == ("email", cast.user(Role.ASSISTANT))
    with scopes_disabled():
        event = AuditEvent.objects.get(action="parent_contact.update")
    assert event.actor == cast.user(Role.SENCO) and event.detail["pupil"] == str(pupil.pk)
    assert "method" in event.detail["fields"] and "Sent the plan" not in str(event.detail)


def test_marking_an_action_done_twice_keeps_the_first(client, cast, login):
    pupil = cast.caseload[0]
    with scopes_disabled():
        action = MeetingActionFactory(meeting=MeetingFactory(pupil=pupil))
    login(cast.user(Role.ASSISTANT))
    client.post(url("action_done", pupil, action_id=action.pk))
    client.logout()
    login(cast.user(Role.SENCO))

    client.post(url("action_done", pupil, action_id=action.pk))

    with scopes_disabled():
        action.refresh_from_db()
    assert action.done_by == cast.user(Role.ASSISTANT)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="meeting_action.done").count() == 1


# Every record named in a URL is reached through its pupil ----------------------------------------


@pytest.fixture
def records_of(cast):
    """A contact, agency, meeting and action of the first caseload pupil."""
    pupil = cast.caseload[0]
    with scopes_disabled():
        meeting = MeetingFactory(pupil=pupil)
        return {
            "contact": ParentContactFactory(pupil=pupil),
            "agency": AgencyInvolvementFactory(pupil=pupil),
            "meeting": meeting,
            "meeting_action": MeetingActionFactory(meeting=meeting),
        }


@pytest.mark.parametrize("thing", ["contact", "agency", "meeting", "meeting_action"])
def test_access_helpers_find_the_record_only_through_its_pupil_and_viewer(cast, records_of, thing):
    access = getattr(selectors, f"access_{thing}")
    record = records_of[thing]
    own, other_pupil = cast.caseload[0], cast.caseload[1]
    senco = resolve_school_access(cast.user(Role.SENCO), cast.school_a.slug)
    no_caseload = resolve_school_access(cast.assistant_no_caseload, cast.school_a.slug)

    with scope(school=cast.school_a):
        assert access(senco, cast.school_a, record.pk, pupil_id=own.pk) == record
        for viewer, record_id, pupil_id in (
            (senco, record.pk, other_pupil.pk),  # under another pupil
            (senco, uuid.uuid4(), own.pk),  # unknown
            (senco, "not-a-uuid", own.pk),  # malformed
            (no_caseload, record.pk, own.pk),  # a pupil the viewer may not open
        ):
            with pytest.raises(Http404):
                access(viewer, cast.school_a, record_id, pupil_id=pupil_id)
