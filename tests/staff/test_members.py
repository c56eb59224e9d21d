"""Staff administration by a school's admins: the staff list, roles, schools of the trust,
deactivation and MFA resets (caseloads: test_caseloads.py)."""

import threading
import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm

from semh import audit
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent, Membership, User
from semh.tenancy import resolve_school_access
from staff.selectors import access_invitation, access_member
from staff.services.members import StaffRuleError, deactivate_member
from tests.factories import PASSWORD, MembershipFactory, PupilFactory, UserFactory
from tests.factories.staff import AuthenticatorFactory, InvitationFactory
from tests.staff.conftest import audit_actions, logged_in_client, staff_url

# --- The staff list -------------------------------------------------------------------------


def test_staff_list_shows_each_person_with_roles_sign_in_mfa_and_status(admin_client, cast):
    senco = cast.user(Role.SENCO)
    AuthenticatorFactory(user=senco)
    teacher = cast.user(Role.TEACHER)
    Membership.objects.filter(user=teacher).update(is_active=False)

    page = admin_client.get(staff_url(cast)).content.decode()

    for role in Role:
        assert cast.user(role).email in page
    senco_row = row_of(page, senco.email)
    assert "SENCo / SEMH lead" in senco_row and "Set up" in senco_row and "Active" in senco_row
    teacher_row = row_of(page, teacher.email)
    assert "Not set up" in teacher_row and "Deactivated" in teacher_row
    assert "Never" in row_of(page, cast.assistant_no_caseload.email)
    assert cast.user(Role.SENCO, "b").email not in page
    assert cast.outsider.email not in page


def row_of(page, email):
    start = page.index(f">{email}<")
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_staff_list_shows_each_assistants_caseload_size(admin_client, cast):
    page = admin_client.get(staff_url(cast)).content.decode()

    assert "Caseload of" in row_of(page, cast.user(Role.ASSISTANT).email)
    assert ">2</a>" in row_of(page, cast.user(Role.ASSISTANT).email)
    assert ">0</a>" in row_of(page, cast.assistant_no_caseload.email)


def test_staff_list_query_count_stays_flat_as_staff_grow(admin_client, cast):
    def add_staff(n):
        with scopes_disabled():
            pupils = PupilFactory.create_batch(2, school=cast.school_a)
            for _ in range(n):
                user = UserFactory()
                MembershipFactory(user=user, school=cast.school_a, role=Role.ASSISTANT)
                MembershipFactory(user=user, school=cast.school_a, role=Role.TEACHER)
                AuthenticatorFactory(user=user)
                for pupil in pupils:
                    assign_perm("view_pupil", user, pupil)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(staff_url(cast))
        assert response.status_code == 200
        return len(queries)

    add_staff(5)
    with_few = count_queries()
    add_staff(45)
    with_many = count_queries()

    assert with_many == with_few
    assert User.objects.count() > 60


# --- Who may reach these pages --------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_reach_the_staff_pages(client, cast, login, role):
    login(cast.user(role))
    member = cast.user(Role.ASSISTANT)

    for url in (staff_url(cast), f"{staff_url(cast)}invite/", staff_url(cast, member)):
        assert client.get(url).status_code == 403, url
    assert client.post(staff_url(cast, member, "deactivate/")).status_code == 403
    assert Membership.objects.filter(user=member, is_active=True).exists()


def test_admin_of_another_school_gets_404(client, cast, login):
    login(cast.user(Role.ADMIN, "b"))

    assert client.get(staff_url(cast)).status_code == 404
    assert client.get(staff_url(cast, cast.user(Role.ASSISTANT))).status_code == 404
    response = client.post(staff_url(cast, cast.user(Role.ASSISTANT), "deactivate/"))
    assert response.status_code == 404
    assert cast.user(Role.ASSISTANT).is_active


def test_member_of_another_school_is_not_found_here(admin_client, cast):
    other = cast.user(Role.ASSISTANT, "b")

    assert admin_client.get(staff_url(cast, other)).status_code == 404
    assert admin_client.post(staff_url(cast, other, "deactivate/")).status_code == 404
    assert admin_client.get(staff_url(cast, other, "caseload/")).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client, cast):
    response = client.get(staff_url(cast))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Roles ----------------------------------------------------------------------------------


def test_admin_changes_a_members_roles(admin_client, cast):
    senco = cast.user(Role.SENCO)

    response = admin_client.post(
        staff_url(cast, senco, "roles/"), {"roles": [Role.SENCO, Role.DSL]}, follow=True
    )

    assert "Roles of" in response.content.decode()
    assert set(
        Membership.objects.filter(user=senco, school=cast.school_a).values_list("role", flat=True)
    ) == {
        Role.SENCO,
        Role.DSL,
    }
    with scopes_disabled():
        event = AuditEvent.objects.get(action="membership.role_change", object_id=str(senco.pk))
    assert event.detail["added"] == [Role.DSL] and event.detail["removed"] == []


def test_removing_a_role_takes_its_access_away(admin_client, cast, client):
    teacher = cast.user(Role.TEACHER)
    MembershipFactory(user=teacher, school=cast.school_a, role=Role.SENCO)

    admin_client.post(staff_url(cast, teacher, "roles/"), {"roles": [Role.TEACHER]})

    assert list(
        Membership.objects.filter(user=teacher, school=cast.school_a).values_list("role", flat=True)
    ) == [Role.TEACHER]


def test_admin_cannot_give_themselves_a_pupil_data_role(admin_client, cast):
    admin = cast.user(Role.ADMIN)

    response = admin_client.post(
        staff_url(cast, admin, "roles/"), {"roles": [Role.ADMIN, Role.SENCO]}
    )

    assert response.status_code == 400
    assert "Another administrator" in response.content.decode()
    assert not Membership.objects.filter(user=admin, role=Role.SENCO).exists()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="membership.role_change").exists()


def test_a_second_admin_can_give_an_admin_the_senco_role(client, cast, login):
    first, second = cast.user(Role.ADMIN), UserFactory(email="second-admin@alder.example")
    MembershipFactory(user=second, school=cast.school_a, role=Role.ADMIN)
    login(second)

    client.post(staff_url(cast, first, "roles/"), {"roles": [Role.ADMIN, Role.SENCO]})

    assert Membership.objects.filter(user=first, school=cast.school_a, role=Role.SENCO).exists()


def test_last_active_admin_cannot_lose_the_admin_role(admin_client, cast):
    admin = cast.user(Role.ADMIN)
    MembershipFactory(user=admin, school=cast.school_a, role=Role.TEACHER)

    response = admin_client.post(staff_url(cast, admin, "roles/"), {"roles": [Role.TEACHER]})

    assert response.status_code == 400
    assert "last active administrator" in response.content.decode()
    assert Membership.objects.filter(user=admin, role=Role.ADMIN, is_active=True).exists()


def test_last_active_admin_cannot_be_deactivated(admin_client, cast):
    admin = cast.user(Role.ADMIN)
    # A deactivated second admin does not count.
    dormant = UserFactory()
    MembershipFactory(user=dormant, school=cast.school_a, role=Role.ADMIN, is_active=False)

    response = admin_client.post(staff_url(cast, admin, "deactivate/"), follow=True)

    assert "last active administrator" in response.content.decode()
    assert Membership.objects.filter(user=admin, role=Role.ADMIN, is_active=True).exists()
    assert User.objects.get(pk=admin.pk).is_active


@pytest.mark.django_db(transaction=True)
def test_two_admins_deactivating_each_other_at_once_leave_one_admin_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL")
    first, second = cast.user(Role.ADMIN), UserFactory()
    MembershipFactory(user=second, school=cast.school_a, role=Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(actor, member):
        barrier.wait()
        try:
            deactivate_member(actor=actor, school=cast.school_a, member=member)
            outcomes.append("deactivated")
        except StaffRuleError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(first, second)),
        threading.Thread(target=attempt, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["deactivated", "refused"]
    assert Membership.objects.filter(school=cast.school_a, role=Role.ADMIN).active().count() == 1


def test_an_admin_may_step_down_when_another_admin_remains(admin_client, cast):
    admin, other = cast.user(Role.ADMIN), UserFactory()
    MembershipFactory(user=other, school=cast.school_a, role=Role.ADMIN)
    MembershipFactory(user=admin, school=cast.school_a, role=Role.TEACHER)
    # (the teacher role was given by the other admin)

    admin_client.post(staff_url(cast, admin, "roles/"), {"roles": [Role.TEACHER]})

    assert not Membership.objects.filter(user=admin, role=Role.ADMIN).exists()


# --- Other schools of the trust -------------------------------------------------------------


def test_admin_gives_a_member_access_to_another_school_they_administer(admin_client, cast):
    MembershipFactory(user=cast.user(Role.ADMIN), school=cast.school_b, role=Role.ADMIN)
    teacher = cast.user(Role.TEACHER)

    page = admin_client.get(staff_url(cast, teacher)).content.decode()
    admin_client.post(
        staff_url(cast, teacher, "schools/"), {"school": cast.school_b.pk, "role": Role.TEACHER}
    )

    assert cast.school_b.name in page
    assert Membership.objects.filter(
        user=teacher, school=cast.school_b, role=Role.TEACHER, is_active=True
    ).exists()
    with scopes_disabled():
        event = AuditEvent.objects.get(action="membership.add_school")
    assert event.school == cast.school_b and event.detail["from_school"] == cast.school_a.pk


def test_admin_cannot_add_people_to_a_school_they_do_not_administer(admin_client, cast):
    teacher = cast.user(Role.TEACHER)

    response = admin_client.post(
        staff_url(cast, teacher, "schools/"), {"school": cast.school_b.pk, "role": Role.TEACHER}
    )

    assert response.status_code == 400
    assert not Membership.objects.filter(user=teacher, school=cast.school_b).exists()


def test_admin_cannot_give_themselves_a_pupil_data_role_in_another_school(admin_client, cast):
    admin = cast.user(Role.ADMIN)
    MembershipFactory(user=admin, school=cast.school_b, role=Role.ADMIN)

    response = admin_client.post(
        staff_url(cast, admin, "schools/"), {"school": cast.school_b.pk, "role": Role.DSL}
    )

    assert "Another administrator" in response.content.decode()
    assert not Membership.objects.filter(user=admin, role=Role.DSL).exists()


# --- Deactivation ---------------------------------------------------------------------------


def test_deactivation_ends_access_and_every_session_at_once(admin_client, cast):
    assistant = cast.user(Role.ASSISTANT)
    phone, laptop = logged_in_client(assistant), logged_in_client(assistant)
    assert phone.get(f"/s/{cast.school_a.slug}/pupils/").status_code == 200
    with scopes_disabled():
        audit.record(actor=assistant, action=AuditAction.PUPIL_VIEW, school=cast.school_a)

    response = admin_client.post(staff_url(cast, assistant, "deactivate/"), follow=True)

    assert "signed out everywhere" in response.content.decode()
    for device in (phone, laptop):
        again = device.get(f"/s/{cast.school_a.slug}/pupils/")
        assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(assistant.pk)
    ]
    assistant.refresh_from_db()
    assert not assistant.is_active
    assert not Membership.objects.filter(user=assistant, is_active=True).exists()
    with scopes_disabled():
        assert AuditEvent.objects.filter(actor=assistant, action="pupil.view").exists()
        event = AuditEvent.objects.get(action="membership.deactivate")
    assert event.detail["account_switched_off"] and event.detail["sessions_ended"] == 2
    assert "Deactivated" in row_of(
        admin_client.get(staff_url(cast)).content.decode(), assistant.email
    )


def test_a_deactivated_member_cannot_sign_in(admin_client, cast):
    teacher = cast.user(Role.TEACHER)
    admin_client.post(staff_url(cast, teacher, "deactivate/"))
    device = Client()

    device.post("/accounts/login/", {"login": teacher.email, "password": PASSWORD})

    assert "_auth_user_id" not in device.session
    assert device.get(f"/s/{cast.school_a.slug}/")["Location"].startswith("/accounts/login/")


def test_deactivation_in_one_school_keeps_their_other_schools(admin_client, cast):
    teacher = cast.user(Role.TEACHER)
    MembershipFactory(user=teacher, school=cast.school_b, role=Role.TEACHER)
    device = logged_in_client(teacher)

    admin_client.post(staff_url(cast, teacher, "deactivate/"))

    assert device.get(f"/s/{cast.school_a.slug}/").status_code == 404
    assert device.get(f"/s/{cast.school_b.slug}/").status_code == 200
    teacher.refresh_from_db()
    assert teacher.is_active


def test_reactivation_restores_roles_and_account(admin_client, cast):
    teacher = cast.user(Role.TEACHER)
    admin_client.post(staff_url(cast, teacher, "deactivate/"))

    admin_client.post(staff_url(cast, teacher, "reactivate/"))

    teacher.refresh_from_db()
    assert teacher.is_active
    assert Membership.objects.filter(user=teacher, school=cast.school_a, is_active=True).exists()
    assert logged_in_client(teacher).get(f"/s/{cast.school_a.slug}/").status_code == 200
    assert audit_actions(teacher) == ["membership.deactivate", "membership.reactivate"]


# --- MFA reset ------------------------------------------------------------------------------


def test_mfa_reset_removes_authenticators_and_they_must_set_it_up_again(
    admin_client, cast, settings
):
    senco = cast.user(Role.SENCO)
    AuthenticatorFactory(user=senco)
    AuthenticatorFactory(user=senco, type=Authenticator.Type.RECOVERY_CODES)

    response = admin_client.post(staff_url(cast, senco, "reset-mfa/"), follow=True)

    assert "must set it up again" in response.content.decode()
    assert not Authenticator.objects.filter(user=senco).exists()
    with scopes_disabled():
        assert AuditEvent.objects.get(action="mfa.reset").detail["authenticators_removed"] == 2
    settings.SEMH_REQUIRE_MFA = True
    home = logged_in_client(senco).get(f"/s/{cast.school_a.slug}/")
    assert home.status_code == 302 and "/2fa/" in home["Location"]


def test_admin_cannot_reset_their_own_mfa_here(admin_client, cast):
    admin = cast.user(Role.ADMIN)
    AuthenticatorFactory(user=admin)

    admin_client.post(staff_url(cast, admin, "reset-mfa/"))

    assert Authenticator.objects.filter(user=admin).exists()


# --- Members and invitations named in URLs ---------------------------------------------------


def test_access_member_finds_only_members_of_the_school(cast):
    admin = resolve_school_access(cast.user(Role.ADMIN), cast.school_a.slug)
    member = cast.user(Role.TEACHER)

    row = access_member(admin, cast.school_a, member.public_id)

    assert row.user == member and row.roles == [Role.TEACHER]
    for public_id in (cast.user(Role.TEACHER, "b").public_id, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(Http404):
            access_member(admin, cast.school_a, public_id)
    admin_b = resolve_school_access(cast.user(Role.ADMIN, "b"), cast.school_b.slug)
    with pytest.raises(Http404):
        access_member(admin_b, cast.school_a, member.public_id)


def test_access_invitation_finds_only_the_schools_invitations(cast):
    admin = resolve_school_access(cast.user(Role.ADMIN), cast.school_a.slug)
    with scopes_disabled():
        own = InvitationFactory(school=cast.school_a)
        other = InvitationFactory(school=cast.school_b)

    with scope(school=cast.school_a):
        assert access_invitation(admin, cast.school_a, own.pk) == own
        for invitation_id in (other.pk, uuid.uuid4(), "not-a-uuid"):
            with pytest.raises(Http404):
                access_invitation(admin, cast.school_a, invitation_id)
