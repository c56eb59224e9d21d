"""Where a request came from: the connection's address, unless it came through a trusted proxy;
headers anyone can send never decide it, and a junk header never breaks a page."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scopes_disabled

from semh.access import Role
from semh.audit import AuditAction, Client, client_ip
from semh.models import AuditEvent
from tests.factories import PASSWORD

PROXY = "172.28.0.10"
JUNK = [
    "junk",
    "999.1.1.1",
    "1.2.3.4, 5.6.7.8",
    '=HYPERLINK("http://evil.example","click")',
    "1.2.3.4:8080",
    "fe80::1%eth0",
    "",
    " , ,",
    "\x00",
    "1" * 5000,
]


@pytest.fixture
def behind_proxy(settings):
    settings.SEMH_TRUSTED_PROXIES = ["172.28.0.0/28", "10.9.9.9"]


def address_of(**meta):
    return client_ip(RequestFactory().get("/", **meta))


def test_without_a_trusted_proxy_the_connection_address_is_the_client(settings):
    settings.SEMH_TRUSTED_PROXIES = []

    assert address_of(REMOTE_ADDR="198.51.100.7") == "198.51.100.7"
    assert (
        address_of(
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_REAL_IP="203.0.113.1",
            HTTP_X_FORWARDED_FOR="203.0.113.2",
        )
        == "198.51.100.7"
    )


def test_an_untrusted_sender_cannot_claim_an_address_even_when_proxies_are_configured(
    behind_proxy,
):
    assert address_of(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.2") == (
        "198.51.100.7"
    )


def test_through_the_proxy_the_right_most_untrusted_forwarded_address_is_the_client(
    behind_proxy,
):
    # The client's own "1.1.1.1" is ignored: the proxy appended the address it saw.
    forwarded = "1.1.1.1, 203.0.113.9, 10.9.9.9"

    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == "203.0.113.9"
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8::5") == "2001:db8::5"


def test_through_the_proxy_x_real_ip_is_ignored(behind_proxy):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.1") == PROXY


def test_a_request_through_proxies_only_is_from_the_first_of_them(behind_proxy):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.9.9.9, 172.28.0.2") == (
        "10.9.9.9"
    )


# A well-formed chain: its right-most address is the client.
CHAIN = "1.2.3.4, 5.6.7.8"


@pytest.mark.parametrize("junk", JUNK)
def test_a_junk_forwarded_address_is_never_taken(behind_proxy, junk):
    expected = {"5.6.7.8"} if junk == CHAIN else {None, PROXY}
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=junk) in expected
    assert address_of(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=junk) == "198.51.100.7"
    assert address_of(REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP=junk) == "198.51.100.7"
    assert address_of(REMOTE_ADDR=junk) is None
    assert Client.of(RequestFactory().get("/", REMOTE_ADDR=junk)).ip_address is None


# --- Through the real pages: sign-in and an audited read, on the suite's database ------------


@pytest.mark.parametrize("header", ["HTTP_X_REAL_IP", "HTTP_X_FORWARDED_FOR"])
@pytest.mark.parametrize("junk", JUNK)
def test_sign_in_and_an_audited_read_answer_normally_with_a_junk_address_header(
    client, cast, behind_proxy, header, junk
):
    headers = {header: junk, "REMOTE_ADDR": PROXY}
    user = cast.user(Role.SENCO)
    pupil = cast.pupils_a[0]

    wrong = client.post("/accounts/login/", {"login": user.email, "password": "nope"}, **headers)
    right = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, **headers)
    read = client.get(reverse("pupils:detail", args=[cast.school_a.slug, pupil.pk]), **headers)

    out = client.post(reverse("account_logout"), **headers)

    assert (wrong.status_code, right.status_code, read.status_code) == (200, 302, 200)
    assert out.status_code == 302 and "_auth_user_id" not in client.session
    with scopes_disabled():
        addresses = set(AuditEvent.objects.values_list("ip_address", flat=True))
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    chain = header == "HTTP_X_FORWARDED_FOR" and junk == CHAIN
    assert addresses <= ({"5.6.7.8"} if chain else {PROXY, None})
    assert {
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN,
        AuditAction.PUPIL_VIEW,
        AuditAction.LOGOUT,
    } <= actions


def fail_sign_in(client, user, times, **headers):
    for _ in range(times):
        client.post("/accounts/login/", {"login": user.email, "password": "guess"}, **headers)


def test_six_wrong_passwords_lock_the_account_whatever_address_each_claims(
    client, cast, behind_proxy
):
    user = cast.user(Role.TEACHER)
    for n in range(6):
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "guess"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
            HTTP_X_REAL_IP=f"198.51.100.{n + 1}",
        )

    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
        HTTP_X_REAL_IP="192.0.2.201",
    )

    assert "too many" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_changing_the_claimed_address_never_escapes_the_lockout(client, cast, settings):
    settings.SEMH_TRUSTED_PROXIES = []
    user = cast.user(Role.DSL)
    fail_sign_in(client, user, 6)

    for n in range(10):
        response = client.post(
            "/accounts/login/",
            {"login": user.email, "password": PASSWORD if n == 9 else "guess"},
            HTTP_X_REAL_IP=f"203.0.113.{n + 1}",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        )

    assert "too many" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_a_locked_account_does_not_lock_a_colleague_on_the_same_address(client, cast):
    fail_sign_in(client, cast.user(Role.SENCO), 6, REMOTE_ADDR="203.0.113.66")

    response = client.post(
        "/accounts/login/",
        {"login": cast.user(Role.ASSISTANT).email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.66",
    )

    assert response.status_code == 302


def test_a_whole_school_behind_one_address_can_sign_in_despite_some_mistakes(client, cast):
    # Thirty wrong passwords spread over many colleagues: no account reaches its limit, and the
    # shared address stays under its generous one.
    colleagues = [cast.user(role, school) for role in Role for school in ("a", "b")]
    for colleague in colleagues:
        fail_sign_in(client, colleague, 2, REMOTE_ADDR="203.0.113.80")

    response = client.post(
        "/accounts/login/",
        {"login": cast.user(Role.TEACHER).email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.80",
    )

    assert len(colleagues) * 2 >= 20
    assert response.status_code == 302


def test_wrong_passwords_from_many_real_addresses_still_lock_the_account(client, cast):
    user = cast.user(Role.SLT)
    for n in range(6):
        fail_sign_in(client, user, 1, REMOTE_ADDR=f"203.0.113.{n + 1}")

    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.44",
    )

    assert "too many" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session
