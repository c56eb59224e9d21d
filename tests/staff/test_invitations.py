"""Inviting staff by email: a single-use, expiring link to choose a password and join the school."""

import hashlib
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scopes_disabled

from semh.access import Role
from semh.models import AuditEvent, Invitation, Membership, User
from tests.factories import PASSWORD

NEW_EMAIL = "jo.bloggs@alder.example"
NEW_PASSWORD = "a-long-enough-secret-phrase"


@pytest.fixture
def invite(client, cast, login, mailoutbox, django_capture_on_commit_callbacks):
    """The admin of school A invites someone; returns the path of the link in the email."""

    def _invite(email=NEW_EMAIL, role=Role.ASSISTANT):
        login(cast.user(Role.ADMIN))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/s/{cast.school_a.slug}/staff/invite/", {"email": email, "role": role}
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        client.logout()
        return link_path(mailoutbox[-1].body)

    return _invite


def link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/invite/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def accept(client, path, password=NEW_PASSWORD, **extra):
    data = {"first_name": "Jo", "last_name": "Bloggs", "password1": password, "password2": password}
    return client.post(path, {**data, **extra})


def test_admin_invites_by_email_and_invitee_accepts_and_is_signed_in(
    client, cast, invite, mailoutbox
):
    path = invite()

    assert mailoutbox[-1].to == [NEW_EMAIL]
    assert cast.school_a.name in mailoutbox[-1].subject
    page = client.get(path).content.decode()
    assert cast.school_a.name in page
    assert "SEMH assistant" in page

    response = accept(client, path)

    assert response.status_code == 302
    assert response["Location"] == f"/s/{cast.school_a.slug}/"
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "Hello, Jo" in home.content.decode()
    user = User.objects.get(email=NEW_EMAIL)
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=NEW_EMAIL, verified=True, primary=True)
    assert list(
        Membership.objects.filter(user=user).values_list("school", "role", "is_active")
    ) == [(cast.school_a.pk, Role.ASSISTANT, True)]
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    with scopes_disabled():
        actions = set(AuditEvent.objects.filter(object_id=str(invitation.pk)).values_list("action"))
    assert actions == {("invite.create",), ("invite.accept",)}


def test_only_a_hash_of_the_token_is_stored(cast, invite):
    path = invite()
    token = path.split("/")[2]

    with scopes_disabled():
        invitation = Invitation.objects.get()

    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with scopes_disabled():
        assert token not in str(list(Invitation.objects.values()))
        assert token not in str(list(AuditEvent.objects.values()))


def test_link_works_only_once(client, cast, invite):
    path = invite()
    accept(client, path)
    client.logout()

    again = client.get(path)
    second = accept(client, path, first_name="Someone")

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert second.status_code == 410
    assert User.objects.filter(email=NEW_EMAIL).count() == 1


def test_expired_link_says_so_and_creates_nothing(client, cast, invite):
    path = invite()
    with scopes_disabled():
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    page = client.get(path)
    response = accept(client, path)

    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert response.status_code == 410
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert not Membership.objects.filter(user__email=NEW_EMAIL).exists()


def test_invitation_expires_after_seven_days(cast, invite):
    invite()

    with scopes_disabled():
        invitation = Invitation.objects.get()

    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)


def test_unknown_link_says_it_does_not_work(client, db):
    response = client.get("/invite/not-a-real-token/")

    assert response.status_code == 404
    assert "does not work" in response.content.decode()


def test_admin_revokes_an_invitation_and_its_link_stops_working(client, cast, login, invite):
    path = invite()
    with scopes_disabled():
        invitation = Invitation.objects.get()
    login(cast.user(Role.ADMIN))

    response = client.post(
        f"/s/{cast.school_a.slug}/staff/invitations/{invitation.pk}/revoke/", follow=True
    )
    client.logout()
    page = client.get(path)
    accepted = accept(client, path)

    assert "withdrawn" in response.content.decode()
    assert NEW_EMAIL not in response.content.decode().split("Invitations waiting")[1]
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert accepted.status_code == 410
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="invite.revoke", object_id=str(invitation.pk)
        ).exists()


def test_resend_emails_a_new_link_and_the_old_one_stops_working(
    client, cast, login, invite, mailoutbox, django_capture_on_commit_callbacks
):
    old_path = invite()
    with scopes_disabled():
        invitation = Invitation.objects.get()
        Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    login(cast.user(Role.ADMIN))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{cast.school_a.slug}/staff/invitations/{invitation.pk}/resend/")
    client.logout()
    new_path = link_path(mailoutbox[-1].body)

    assert len(mailoutbox) == 2
    assert new_path != old_path
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert accept(client, new_path).status_code == 302
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="invite.resend", object_id=str(invitation.pk)
        ).exists()


def test_password_must_pass_the_password_rules(client, cast, invite):
    path = invite()

    response = accept(client, path, password="short")

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    with scopes_disabled():
        assert Invitation.objects.get().status == "pending"


def test_passwords_must_match(client, cast, invite):
    path = invite()

    response = accept(client, path, password2="something-else-entirely")

    assert "do not match" in response.content.decode()
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_existing_account_signs_in_then_accepts_and_gains_the_school(client, cast, login, invite):
    colleague = cast.user(Role.SENCO, "b")
    path = invite(email=colleague.email, role=Role.TEACHER)

    page = client.get(path).content.decode()
    assert "Sign in to accept" in page
    assert "Create my account" not in page
    login(colleague)
    confirm = client.get(path)
    response = client.post(path)

    assert "Accept the invitation" in confirm.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/s/{cast.school_a.slug}/"
    assert Membership.objects.filter(
        user=colleague, school=cast.school_a, role=Role.TEACHER, is_active=True
    ).exists()
    assert colleague.check_password(PASSWORD)
    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 200


def test_someone_signed_in_as_another_person_cannot_accept(client, cast, login, invite):
    path = invite()
    login(cast.user(Role.TEACHER, "b"))

    page = client.get(path)
    response = accept(client, path)

    assert page.status_code == 403
    assert "for someone else" in page.content.decode()
    assert response.status_code == 403
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    with scopes_disabled():
        assert Invitation.objects.get().status == "pending"


def test_inviting_someone_who_already_works_here_is_refused(client, cast, login):
    login(cast.user(Role.ADMIN))

    response = client.post(
        f"/s/{cast.school_a.slug}/staff/invite/",
        {"email": cast.user(Role.TEACHER).email.upper(), "role": Role.TEACHER},
    )

    assert response.status_code == 200
    assert "already works in" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_a_second_invitation_while_one_is_waiting_is_refused(client, cast, invite, login):
    invite()
    login(cast.user(Role.ADMIN))

    response = client.post(
        f"/s/{cast.school_a.slug}/staff/invite/", {"email": NEW_EMAIL, "role": Role.TEACHER}
    )

    assert "already has an invitation waiting" in response.content.decode()
    with scopes_disabled():
        assert Invitation.objects.count() == 1


def test_senior_invitee_is_sent_to_mfa_setup_before_the_school(client, cast, invite, settings):
    path = invite(role=Role.SENCO)
    settings.SEMH_REQUIRE_MFA = True

    response = accept(client, path)
    home = client.get(response["Location"])
    setup = client.get(home["Location"], follow=True)

    assert home.status_code == 302
    assert home["Location"].startswith(reverse("mfa_activate_totp"))
    assert setup.status_code == 200


def test_pending_invitations_are_listed_for_the_admin(client, cast, login, invite):
    invite()
    login(cast.user(Role.ADMIN))

    page = client.get(f"/s/{cast.school_a.slug}/staff/").content.decode()

    waiting = page.split("Invitations waiting")[1]
    assert NEW_EMAIL in waiting
    assert "Resend" in waiting and "Withdraw" in waiting


def test_public_sign_up_stays_closed(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "me@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert not User.objects.filter(email="me@example.com").exists()
    assert response.status_code in (200, 403)


def test_invited_assistant_given_a_caseload_sees_exactly_those_pupils(client, cast, login, invite):
    path = invite()
    accept(client, path)
    client.logout()
    assistant = User.objects.get(email=NEW_EMAIL)
    chosen = cast.pupils_a[2:4]
    login(cast.user(Role.ADMIN))
    client.post(
        f"/s/{cast.school_a.slug}/staff/{assistant.public_id}/caseload/add/",
        {"pupils": [p.pk for p in chosen]},
    )
    client.logout()
    login(assistant, password=NEW_PASSWORD)

    page = client.get(f"/s/{cast.school_a.slug}/pupils/").content.decode()

    assert "2 pupils" in page
    for pupil in cast.pupils_a:
        assert (listed(pupil) in page) == (pupil in chosen)


def listed(pupil):
    """How the pupil list names a pupil (HTML-escaped: names like O'Neill)."""
    return escape(f"{pupil.last_name}, {pupil.first_name}")
