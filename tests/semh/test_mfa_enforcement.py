from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django_scopes import scopes_disabled

from semh.access import Role
from tests.factories import MembershipFactory


@pytest.fixture
def mfa_required(settings):
    settings.SEMH_REQUIRE_MFA = True


@pytest.mark.parametrize("role", [Role.SENCO, Role.DSL, Role.SLT, Role.ADMIN])
def test_senior_roles_are_sent_to_mfa_setup_before_any_school_page(
    client, cast, login, mfa_required, role
):
    login(cast.user(role))

    response = client.get(f"/s/{cast.school_a.slug}/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(response["Location"], follow=True).status_code == 200


def _next_of(location):
    (next_url,) = parse_qs(urlsplit(location).query)["next"]
    return next_url


# A search for "Smith & Jones" in Year 7: the ampersand and the space must survive the detour.
SEARCH = {"q": "Smith & Jones", "year": "7"}


def test_mfa_setup_sends_back_to_the_whole_page_asked_for_query_string_included(
    client, cast, login, mfa_required
):
    login(cast.user(Role.SENCO))
    pupils = reverse("pupils:list", kwargs={"school_slug": cast.school_a.slug})

    response = client.get(pupils, SEARCH)

    assert response.status_code == 302
    # One parameter: the page's own "&year=7" stays inside it instead of splitting off.
    assert list(parse_qs(urlsplit(response["Location"]).query)) == ["next"]
    next_url = _next_of(response["Location"])
    assert urlsplit(next_url).path == pupils
    assert parse_qs(urlsplit(next_url).query) == {"q": ["Smith & Jones"], "year": ["7"]}


def test_sign_in_sends_back_to_the_whole_page_asked_for_query_string_included(client, cast):
    pupils = reverse("pupils:list", kwargs={"school_slug": cast.school_a.slug})

    response = client.get(pupils, SEARCH)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    next_url = _next_of(response["Location"])
    assert urlsplit(next_url).path == pupils
    assert parse_qs(urlsplit(next_url).query) == {"q": ["Smith & Jones"], "year": ["7"]}


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER])
def test_assistants_and_teachers_are_not_asked_for_mfa(client, cast, login, mfa_required, role):
    login(cast.user(role))

    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 200


def test_senior_role_with_totp_set_up_reaches_school_pages(client, cast, login, mfa_required):
    senco = cast.user(Role.SENCO)
    login(senco)
    Authenticator.objects.create(user=senco, type=Authenticator.Type.TOTP, data={"secret": "x"})

    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 200


def test_mfa_is_required_by_default_in_production():
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SEMH_REQUIRE_MFA)",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x" * 60,
            "DEBUG": "0",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            "PATH": "",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.strip() == "True"


def _enrol(user):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret, RecoveryCodes.activate(user).generate_codes()


def _start_login(client, user):
    from tests.factories import PASSWORD

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def test_totp_code_completes_a_senior_sign_in(client, cast, mfa_required):
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    senco = cast.user(Role.SENCO)
    secret, _ = _enrol(senco)
    _start_login(client, senco)
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    client.post(reverse("mfa_authenticate"), {"code": code})

    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 200


def test_a_recovery_code_works_once_when_the_phone_is_lost(client, cast, mfa_required):
    dsl = cast.user(Role.DSL)
    _, codes = _enrol(dsl)
    _start_login(client, dsl)

    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 200

    client.logout()
    _start_login(client, dsl)
    reused = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert reused.status_code == 200 and "_auth_user_id" not in client.session


def test_a_wrong_code_does_not_sign_in(client, cast, mfa_required):
    slt = cast.user(Role.SLT)
    _enrol(slt)
    _start_login(client, slt)

    client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert "_auth_user_id" not in client.session


def test_a_senior_role_in_one_school_needs_mfa_in_every_school(client, cast, login, mfa_required):
    dsl = cast.user(Role.DSL)
    with scopes_disabled():
        MembershipFactory(user=dsl, school=cast.school_b, role=Role.ASSISTANT)
    login(dsl)

    response = client.get(f"/s/{cast.school_b.slug}/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_deactivated_senior_membership_no_longer_asks_for_mfa_elsewhere(
    client, cast, login, mfa_required
):
    teacher = cast.user(Role.TEACHER)
    with scopes_disabled():
        MembershipFactory(user=teacher, school=cast.school_b, role=Role.SENCO, is_active=False)
    login(teacher)

    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 200
