from django.urls import reverse
from django_scopes import scopes_disabled

from semh.models import AuditEvent, User
from tests.factories import PASSWORD


def test_signup_page_says_closed_and_creates_nobody(client, cast):
    before = User.objects.count()

    page = client.get("/accounts/signup/")
    post = client.post(
        "/accounts/signup/",
        {
            "email": "intruder@evil.example",
            "password1": "x-Long-pass-2026",
            "password2": "x-Long-pass-2026",
        },
    )

    assert "Sign-up is closed" in page.content.decode()
    assert "Sign-up is closed" in post.content.decode()
    assert User.objects.count() == before
    assert not User.objects.filter(email="intruder@evil.example").exists()


def test_login_page_offers_no_sign_up_link(client, db):
    page = client.get("/accounts/login/").content.decode()

    assert "/accounts/signup/" not in page


def test_staff_log_in_with_email_and_password_and_land_on_their_school(client, cast):
    user = cast.user("assistant")

    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/s/{cast.school_a.slug}/"
    assert "Quick actions" in response.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(actor=user, action="auth.login").count() == 1


def test_wrong_password_is_refused_without_saying_whether_the_account_exists(client, cast):
    known = client.post(
        "/accounts/login/", {"login": cast.user("senco").email, "password": "wrong-password"}
    )
    unknown = client.post(
        "/accounts/login/", {"login": "nobody@alder.example", "password": "wrong-password"}
    )

    assert known.status_code == unknown.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in known.content.decode()
    assert "not correct" in unknown.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2


def test_logout_ends_the_session(client, cast, login):
    login(cast.user("teacher"))

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session
    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 302
    with scopes_disabled():
        assert AuditEvent.objects.filter(actor=cast.user("teacher"), action="auth.logout").exists()


def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one(client, cast):
    user = cast.user("assistant")
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "guess-again"})

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "too many" in response.content.decode().lower()


def test_throttling_one_account_does_not_lock_out_colleagues(client, cast):
    for _ in range(6):
        client.post("/accounts/login/", {"login": cast.user("senco").email, "password": "nope"})

    response = client.post(
        "/accounts/login/", {"login": cast.user("assistant").email, "password": PASSWORD}
    )

    assert response.status_code == 302


def test_admin_unlocks_a_locked_account(client, cast, login):
    member = cast.user("teacher")
    for _ in range(6):
        client.post("/accounts/login/", {"login": member.email, "password": "guess"})
    assert (
        "too many"
        in client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
        .content.decode()
        .lower()
    )
    login(cast.user("admin"))
    client.post(
        reverse(
            "staff:member_unlock",
            kwargs={"school_slug": cast.school_a.slug, "member_id": member.public_id},
        )
    )
    client.logout()

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert response.status_code == 302
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="auth.unlock", object_id=str(member.pk)).exists()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, cast, mailoutbox):
    known = client.post("/accounts/password/reset/", {"email": cast.user("dsl").email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
