import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-0a8f7d6c5b4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
    "ALLOWED_HOSTS": "semh.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "PATH": "/usr/bin:/bin",
}


def run_manage(*args, env=PRODUCTION_ENV):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_has_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SEMH_REQUIRE_MFA", "ture"),
        ("SEMH_REQUIRE_MFA", "of"),
        ("DEBUG", "nope"),
        ("SECURE_SSL_REDIRECT", "yes please"),
        ("EMAIL_USE_TLS", "2"),
        ("SEMH_SESSION_IDLE_MINUTES", "thirty"),
        ("SEMH_SESSION_IDLE_MINUTES", "0"),
        ("SEMH_AUDIT_RETENTION_DAYS", "30"),
        ("SEMH_AUDIT_RETENTION_DAYS", "7y"),
        ("SEMH_STEP_UP_SECONDS", "-5"),
        ("EMAIL_PORT", "25a"),
        ("DB_CONN_MAX_AGE", "1.5"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SEMH_TRUSTED_PROXIES", "10.0.0.1,proxy"),
        ("SEMH_TRUSTED_PROXIES", "999.1.1.1"),
        ("CACHE_URL", "memcached://127.0.0.1:11211"),
        ("SEMH_S3_ENDPOINT_URL", "minio:9000"),
        ("SEMH_DB_RANDOM_PAGE_COST", "fast"),
        ("SEMH_DB_RANDOM_PAGE_COST", "-1"),
        ("SEMH_DB_RANDOM_PAGE_COST", "nan"),
    ],
)
def test_a_setting_it_does_not_recognise_stops_start_up_naming_the_variable(variable, value):
    result = run_manage("check", env={**PRODUCTION_ENV, variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("On", True), ("0", False), ("off", False)],
)
def test_recognised_boolean_spellings_are_read(value, expected):
    env = {**PRODUCTION_ENV, "SEMH_REQUIRE_MFA": value}

    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.SEMH_REQUIRE_MFA)", env=env
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(expected)


def setting_of(expression: str, env) -> str:
    result = run_manage(
        "shell", "-c", f"from django.conf import settings; print({expression})", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_refuses_to_keep_the_sign_in_limits_in_one_process():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "CACHE_URL (or REDIS_URL) must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("cache_url", "redis_url", "backend", "location"),
    [
        ("redis://cache:6379/1", "redis://redis:6379/0", "RedisCache", "redis://cache:6379/1"),
        ("", "redis://redis:6379/0", "RedisCache", "redis://redis:6379/0"),
        ("locmem://", "", "LocMemCache", ""),
    ],
)
def test_the_cache_is_the_shared_redis_unless_one_process_is_asked_for(
    cache_url, redis_url, backend, location
):
    env = {**PRODUCTION_ENV, "CACHE_URL": cache_url, "REDIS_URL": redis_url}

    cache = setting_of("settings.CACHES['default']", env)

    assert backend in cache and location in cache


@pytest.mark.django_db
def test_postgresql_plans_for_data_in_memory_or_on_ssd_not_for_spinning_disks():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_sessions_are_kept_in_the_database_for_every_web_process():
    assert setting_of("settings.SESSION_ENGINE", PRODUCTION_ENV) == (
        "django.contrib.sessions.backends.db"
    )


def test_files_stay_on_disk_unless_a_bucket_is_configured():
    backends = "[settings.STORAGES[n]['BACKEND'] for n in ('default', 'reports')]"

    on_disk = setting_of(backends, PRODUCTION_ENV)
    in_bucket = setting_of(backends, {**PRODUCTION_ENV, "SEMH_S3_BUCKET": "semh-files"})

    assert on_disk.count("FileSystemStorage") == 2
    assert in_bucket.count("storages.backends.s3.S3Storage") == 2


def test_an_endpoint_without_a_bucket_stops_start_up():
    result = run_manage(
        "check", env={**PRODUCTION_ENV, "SEMH_S3_ENDPOINT_URL": "https://s3.example.org"}
    )

    assert result.returncode != 0
    assert "SEMH_S3_BUCKET is not" in result.stderr
