import logging
import time

import pytest
from django.core import mail
from django.urls import reverse

from pupils.forms.records import PupilListFilter
from semh.access import Role


def home(cast):
    return reverse("school_home", kwargs={"school_slug": cast.school_a.slug})


def test_pages_carry_a_strict_csp_and_framing_and_referrer_headers(client, cast, login):
    login(cast.user(Role.SENCO))

    response = client.get(home(cast))

    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_with_pupil_data_are_never_cached(client, cast, login):
    login(cast.user(Role.SENCO))
    pupil = cast.pupils_a[0]

    response = client.get(
        reverse("pupils:detail", kwargs={"school_slug": cast.school_a.slug, "pupil_id": pupil.pk})
    )

    assert "no-store" in response["Cache-Control"]


def test_hsts_is_sent_over_https_in_production(client, cast, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/accounts/login/", secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_inline_scripts_or_style_attributes_in_the_layout(client, cast, login):
    login(cast.user(Role.ASSISTANT))

    page = client.get(home(cast)).content.decode()

    assert "<script>" not in page and "onclick" not in page and 'style="' not in page


def test_login_rotates_the_session_key(client, cast, login):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key

    login(cast.user(Role.TEACHER))

    assert client.session.session_key != before


def _age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_session_is_signed_out_after_30_minutes(client, cast, login):
    login(cast.user(Role.ASSISTANT))
    client.get(home(cast))
    _age_session(client, semh_last_seen=31 * 60)

    response = client.get(home(cast))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_active_session_survives_within_the_idle_limit(client, cast, login):
    login(cast.user(Role.ASSISTANT))
    client.get(home(cast))
    _age_session(client, semh_last_seen=29 * 60)

    assert client.get(home(cast)).status_code == 200


def test_session_ends_after_its_absolute_lifetime_even_when_active(client, cast, login, settings):
    settings.SEMH_SESSION_MAX_HOURS = 10
    login(cast.user(Role.ASSISTANT))
    client.get(home(cast))
    _age_session(client, semh_started=10 * 3600 + 60, semh_last_seen=10)

    assert client.get(home(cast)).status_code == 302


@pytest.fixture
def broken_search(monkeypatch):
    def explode(self, queryset, name, value):
        raise RuntimeError("search failed")

    monkeypatch.setattr(PupilListFilter, "search", explode)


def test_errors_are_reported_without_what_staff_typed(
    client, cast, login, broken_search, settings, caplog
):
    settings.ADMINS = [("Ops", "ops@school.example")]
    client.raise_request_exception = False
    login(cast.user(Role.SENCO))

    with caplog.at_level(logging.ERROR):
        response = client.get(
            reverse("pupils:list", kwargs={"school_slug": cast.school_a.slug}),
            {"q": "Zebedee Fotheringham"},
        )

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    emailed = "\n".join(m.body for m in mail.outbox)
    assert mail.outbox, "the error should still be reported to the admins"
    assert "Fotheringham" not in logged
    assert "Fotheringham" not in emailed


def test_uploaded_and_generated_files_have_no_public_url(client, cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "termly.pdf").write_bytes(b"%PDF-1.7 secret")
    login(cast.user(Role.SLT))

    for path in (
        "/media/reports/termly.pdf",
        "/reports/termly.pdf",
        "/private_media/reports/termly.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert b"secret" not in response.content
    from django.urls import get_resolver

    assert not any("media" in str(p.pattern) for p in get_resolver().url_patterns)


def test_production_cookies_are_secure_and_http_only():
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_AGE <= 12 * 3600)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
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

    assert out.stdout.split() == ["True"] * 5


def test_board_polling_does_not_keep_an_unattended_session_alive(client, cast, login):
    login(cast.user(Role.ASSISTANT))
    client.get(home(cast))
    _age_session(client, semh_last_seen=29 * 60)
    poll = {"X-Background-Refresh": "1", "HX-Request": "true"}

    # The wall board refreshing itself is not a person at the screen...
    assert client.get(home(cast), headers=poll).status_code == 200
    assert time.time() - client.session["semh_last_seen"] > 28 * 60
    _age_session(client, semh_last_seen=31 * 60)
    response = client.get(
        home(cast), headers={**poll, "HX-Current-URL": "http://testserver" + home(cast)}
    )

    # ...so the session ends, and the whole window (not the polled fragment) goes to login.
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_person_using_the_page_keeps_the_session_alive(client, cast, login):
    login(cast.user(Role.ASSISTANT))
    client.get(home(cast))
    _age_session(client, semh_last_seen=29 * 60)

    client.get(home(cast), headers={"HX-Request": "true"})

    assert time.time() - client.session["semh_last_seen"] < 60


def test_fragment_request_after_sign_out_redirects_the_whole_window(client, cast):
    response = client.get(home(cast), headers={"HX-Request": "true"})

    assert response["HX-Redirect"].startswith("/accounts/login/")
