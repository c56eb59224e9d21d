"""Staff administration by a school's admins: the staff list, roles, schools of the trust,
deactivation, MFA resets and caseloads."""

import threading

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from pupils.models import PrimaryNeed, PupilUserObjectPermission, SenStatus
from semh.access import Role
from semh.models import AuditEvent, Membership, User
from staff.services import StaffRuleError, deactivate_member
from tests.factories import PASSWORD, MembershipFactory, PupilFactory, UserFactory


def staff_url(cast, member=None, action=""):
    base = f"/s/{cast.school_a.slug}/staff/"
    return base if member is None else f"{base}{member.public_id}/{action}"


@pytest.fixture
def admin_client(client, cast, login):
    return login(cast.user(Role.ADMIN))


def logged_in_client(user):
    other = Client()
    assert (
        other.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return other


def audit_actions(target):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(object_id=str(target.pk))
            .order_by("at")
            .values_list("action", flat=True)
        )


# --- The staff list -------------------------------------------------------------------------


def test_staff_list_shows_each_person_with_roles_sign_in_mfa_and_status(admin_client, cast):
    senco = cast.user(Role.SENCO)
    Authenticator.objects.create(user=senco, type=Authenticator.Type.TOTP, data={"secret": "x"})
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
                Authenticator.objects.create(user=user, type="totp", data={"secret": "x"})
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
    Membership.objects.create(user=teacher, school=cast.school_a, role=Role.SENCO)

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
    Membership.objects.create(user=second, school=cast.school_a, role=Role.ADMIN)
    login(second)

    client.post(staff_url(cast, first, "roles/"), {"roles": [Role.ADMIN, Role.SENCO]})

    assert Membership.objects.filter(user=first, school=cast.school_a, role=Role.SENCO).exists()


def test_last_active_admin_cannot_lose_the_admin_role(admin_client, cast):
    admin = cast.user(Role.ADMIN)
    Membership.objects.create(user=admin, school=cast.school_a, role=Role.TEACHER)

    response = admin_client.post(staff_url(cast, admin, "roles/"), {"roles": [Role.TEACHER]})

    assert response.status_code == 400
    assert "last active administrator" in response.content.decode()
    assert Membership.objects.filter(user=admin, role=Role.ADMIN, is_active=True).exists()


def test_last_active_admin_cannot_be_deactivated(admin_client, cast):
    admin = cast.user(Role.ADMIN)
    # A deactivated second admin does not count.
    dormant = UserFactory()
    Membership.objects.create(user=dormant, school=cast.school_a, role=Role.ADMIN, is_active=False)

    response = admin_client.post(staff_url(cast, admin, "deactivate/"), follow=True)

    assert "last active administrator" in response.content.decode()
    assert Membership.objects.filter(user=admin, role=Role.ADMIN, is_active=True).exists()
    assert User.objects.get(pk=admin.pk).is_active


@pytest.mark.django_db(transaction=True)
def test_two_admins_deactivating_each_other_at_once_leave_one_admin_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL")
    first, second = cast.user(Role.ADMIN), UserFactory()
    Membership.objects.create(user=second, school=cast.school_a, role=Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(actor, member):
        request = RequestFactory().post("/")
        request.user, request.school = actor, cast.school_a
        barrier.wait()
        try:
            deactivate_member(school=cast.school_a, member=member, request=request)
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
    Membership.objects.create(user=other, school=cast.school_a, role=Role.ADMIN)
    Membership.objects.create(user=admin, school=cast.school_a, role=Role.TEACHER)
    # (the teacher role was given by the other admin)

    admin_client.post(staff_url(cast, admin, "roles/"), {"roles": [Role.TEACHER]})

    assert not Membership.objects.filter(user=admin, role=Role.ADMIN).exists()


# --- Other schools of the trust -------------------------------------------------------------


def test_admin_gives_a_member_access_to_another_school_they_administer(admin_client, cast):
    Membership.objects.create(user=cast.user(Role.ADMIN), school=cast.school_b, role=Role.ADMIN)
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
    Membership.objects.create(user=admin, school=cast.school_b, role=Role.ADMIN)

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
        AuditEvent.objects.create(actor=assistant, school=cast.school_a, action="pupil.view")

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
    Membership.objects.create(user=teacher, school=cast.school_b, role=Role.TEACHER)
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
    Authenticator.objects.create(user=senco, type=Authenticator.Type.TOTP, data={"secret": "x"})
    Authenticator.objects.create(
        user=senco, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "y"}
    )

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
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})

    admin_client.post(staff_url(cast, admin, "reset-mfa/"))

    assert Authenticator.objects.filter(user=admin).exists()


# --- Caseloads ------------------------------------------------------------------------------


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
    Membership.objects.create(user=admin, school=cast.school_a, role=Role.ASSISTANT)
    login(admin)

    client.post(staff_url(cast, admin, "caseload/group/"), {"form_name": "8A", "action": "add"})

    assert not granted_ids(admin)


def listed(pupil):
    """How the pupil list names a pupil (HTML-escaped: names like O'Neill)."""
    return escape(f"{pupil.last_name}, {pupil.first_name}")
