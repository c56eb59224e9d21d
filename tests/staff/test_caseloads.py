"""A member's caseload, set by the school's admins on the staff pages (the rules and writes are
``pupils.services.caseloads``: tests/pupils/test_caseloads.py)."""

import pytest
from django.utils.html import escape
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from pupils.models import PrimaryNeed, PupilUserObjectPermission, SenStatus
from semh.access import Role
from semh.models import AuditEvent
from tests.factories import MembershipFactory, PupilFactory
from tests.staff.conftest import audit_actions, logged_in_client, staff_url


@pytest.fixture
def forms(cast):
    """Form 8A (three pupils), 8B (two), and a Year 9 pupil, in school A."""
    with scopes_disabled():
        eight_a = [
            PupilFactory(school=cast.school_a, year_group=8, form="8A", legal_first_name=name)
            for name in ("Aoife", "Bartholomew", "Cressida")
        ]
        eight_b = [
            PupilFactory(school=cast.school_a, year_group=8, form="8B", legal_first_name=name)
            for name in ("Desmond", "Eunice")
        ]
        nine = PupilFactory(school=cast.school_a, year_group=9, form="9C", legal_first_name="Fitz")
    return {"8A": eight_a, "8B": eight_b, "9C": [nine]}


def granted_ids(user):
    return set(
        PupilUserObjectPermission.objects.filter(user=user).values_list("content_object", flat=True)
    )


def test_bulk_caseload_by_form_grants_exactly_that_form_and_the_assistant_sees_exactly_them(
    admin_client, cast, forms
):
    assistant = cast.assistant_no_caseload

    response = admin_client.post(
        staff_url(cast, assistant, "caseload/group/"),
        {"form_name": "8A", "year_group": "", "action": "add"},
        follow=True,
    )

    assert "3 pupils added" in response.content.decode()
    assert granted_ids(assistant) == {p.pk for p in forms["8A"]}
    with scopes_disabled():
        event = AuditEvent.objects.get(action="caseload.grant")
    assert event.detail["count"] == 3 and event.detail["by"] == "form"
    assert set(event.detail["pupil_ids"]) == {str(p.pk) for p in forms["8A"]}
    assert "Aoife" not in str(event.detail)
    pupil_list = (
        logged_in_client(assistant).get(f"/s/{cast.school_a.slug}/pupils/").content.decode()
    )
    assert "3 pupils" in pupil_list
    for pupil in forms["8A"]:
        assert listed(pupil) in pupil_list
    for pupil in forms["8B"] + forms["9C"] + cast.pupils_a:
        assert listed(pupil) not in pupil_list


def test_bulk_caseload_by_year_group_and_removal_by_form(admin_client, cast, forms):
    assistant = cast.assistant_no_caseload
    url = staff_url(cast, assistant, "caseload/group/")

    admin_client.post(url, {"form_name": "", "year_group": "8", "action": "add"})
    admin_client.post(url, {"form_name": "8B", "year_group": "", "action": "remove"})

    assert granted_ids(assistant) == {p.pk for p in forms["8A"]}
    with scopes_disabled():
        revoke = AuditEvent.objects.get(action="caseload.revoke")
    assert revoke.detail["count"] == 2 and revoke.detail["by"] == "form"


def test_caseload_group_needs_exactly_one_of_form_or_year(admin_client, cast, forms):
    response = admin_client.post(
        staff_url(cast, cast.assistant_no_caseload, "caseload/group/"),
        {"form_name": "8A", "year_group": "8", "action": "add"},
    )

    assert response.status_code == 400
    assert "either a form or a year group" in response.content.decode()
    assert not granted_ids(cast.assistant_no_caseload)


def test_caseload_by_ticking_pupils_and_removing_them(admin_client, cast, forms):
    assistant = cast.assistant_no_caseload
    chosen = [forms["8B"][0], forms["9C"][0]]

    admin_client.post(
        staff_url(cast, assistant, "caseload/add/"), {"pupils": [p.pk for p in chosen]}
    )
    assert granted_ids(assistant) == {p.pk for p in chosen}

    admin_client.post(staff_url(cast, assistant, "caseload/remove/"), {"pupils": [chosen[0].pk]})
    assert granted_ids(assistant) == {chosen[1].pk}
    assert audit_actions(assistant) == ["caseload.grant", "caseload.revoke"]


def test_pupils_of_another_school_cannot_be_put_on_a_caseload(admin_client, cast):
    assistant = cast.assistant_no_caseload

    admin_client.post(
        staff_url(cast, assistant, "caseload/add/"), {"pupils": [cast.pupils_b[0].pk]}
    )

    assert not granted_ids(assistant)


def test_caseload_page_shows_only_name_year_and_form(admin_client, cast):
    with scopes_disabled():
        pupil = PupilFactory(
            school=cast.school_a,
            legal_first_name="Ottoline",
            sen_status=SenStatus.EHCP,
            primary_need=PrimaryNeed.SEMH,
            looked_after=True,
            form="10Z",
            year_group=10,
        )
    assign_perm("view_pupil", cast.assistant_no_caseload, pupil)

    page = admin_client.get(
        staff_url(cast, cast.assistant_no_caseload, "caseload/")
    ).content.decode()

    assert "Ottoline" in page and "10Z" in page and "Year 10" in page
    for secret in (
        pupil.upn,
        "Education, health and care plan",
        "Social, emotional and mental health",
        "14/03/2014",
        "Looked after",
        f"/pupils/{pupil.pk}",
    ):
        assert secret not in page
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="caseload.view", object_id=str(cast.assistant_no_caseload.pk)
        ).exists()


def test_admin_cannot_change_their_own_caseload(client, cast, login, forms):
    admin = cast.user(Role.ADMIN)
    MembershipFactory(user=admin, school=cast.school_a, role=Role.ASSISTANT)
    login(admin)

    client.post(staff_url(cast, admin, "caseload/group/"), {"form_name": "8A", "action": "add"})

    assert not granted_ids(admin)


def listed(pupil):
    """How the pupil list names a pupil (HTML-escaped: names like O'Neill)."""
    return escape(f"{pupil.last_name}, {pupil.first_name}")


def test_a_member_without_a_caseload_role_cannot_be_given_pupils(admin_client, cast, forms):
    senco = cast.user(Role.SENCO)

    response = admin_client.post(
        staff_url(cast, senco, "caseload/add/"), {"pupils": [forms["8A"][0].pk]}, follow=True
    )

    assert "not an active assistant or teacher here" in response.content.decode()
    assert not granted_ids(senco)
