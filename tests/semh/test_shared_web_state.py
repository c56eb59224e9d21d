"""Any web process can serve any request: a second, separate Python process (as a second
gunicorn worker or container would be) sees the sign-in that the first made and the failed
passwords the first counted, because sessions live in PostgreSQL and the sign-in limits in the
shared Redis cache, not in either process's memory."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from semh.access import Role
from tests.conftest import STRICT, redis_available, redis_url, require_service
from tests.factories import PASSWORD, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
# Production's shared cache: Redis, falling back to the process's memory while Redis is down.
SHARED_CACHE = "semh.cache.RedisCacheWithLocalFallback"

# The other web process: its own interpreter and memory, configured by the environment, on the
# suite's clock (the sign-in limits count by time), with the suite's two test-only settings
# (plain static files, the fast password hasher the cast was made with).
OTHER_PROCESS = """
import json, sys
import django, time_machine

args = json.loads(sys.argv[1])
with time_machine.travel(args["now"], tick=True):
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ).enable()
    signed_in = Client()
    signed_in.cookies[settings.SESSION_COOKIE_NAME] = args["session"]
    page = signed_in.get(args["page"])

    def sign_in(email):
        return Client().post("/accounts/login/", {"login": email, "password": args["password"]})

    locked, colleague = sign_in(args["locked"]), sign_in(args["colleague"])
    print(json.dumps({
        "cache": settings.CACHES["default"]["BACKEND"],
        "page": [page.status_code, args["school"] in page.content.decode()],
        "locked": [locked.status_code, "too many" in locked.content.decode().lower()],
        "colleague": colleague.status_code,
    }))
"""


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def run_other_web_process(**args) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CACHE_URL": redis_url(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def shared_cache(settings):
    """This process's cache as production has it: the Redis the other process also uses."""
    require_service(redis_available(), f"Redis at {redis_url()}")
    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if not on_postgresql and not STRICT:
        pytest.skip("a second process needs a database it can reach (PostgreSQL)")
    settings.CACHES = {
        "default": {
            "BACKEND": SHARED_CACHE,
            "LOCATION": redis_url(),
        }
    }


def failure_counters_in_redis() -> set[bytes]:
    """The failed-sign-in counts (allauth's rate-limit keys), read from Redis directly."""
    return set(redis.Redis.from_url(redis_url()).keys("*:rl:*login_failed*"))


def new_member(school, role):
    # Unique addresses: the Redis counts of an earlier run never meet this one's.
    with scopes_disabled():
        user = UserFactory(email=f"{role}-{uuid.uuid4().hex[:12]}@{school.slug}.example")
        MembershipFactory(user=user, school=school, role=role)
    return user


@pytest.mark.django_db(transaction=True)
def test_a_second_web_process_sees_the_sign_in_and_the_failed_passwords_of_the_first(
    client, cast, login, shared_cache
):
    teacher, locked, colleague = (
        new_member(cast.school_a, role) for role in (Role.TEACHER, Role.SENCO, Role.ASSISTANT)
    )
    login(teacher)
    counters_before = failure_counters_in_redis()
    guesser = Client()
    for _ in range(5):
        guesser.post("/accounts/login/", {"login": locked.email, "password": "guess"})

    counters = failure_counters_in_redis() - counters_before
    other = run_other_web_process(
        now=timezone.now().isoformat(),
        session=client.cookies[settings.SESSION_COOKIE_NAME].value,
        page=reverse("school_home", args=[cast.school_a.slug]),
        school=cast.school_a.name,
        locked=locked.email,
        colleague=colleague.email,
        password=PASSWORD,
    )

    assert counters, "the failed sign-ins are counted in Redis"
    assert other["cache"] == SHARED_CACHE
    assert other["page"] == [200, True]  # the first process's session, from the database
    assert other["locked"] == [200, True]  # the right password, refused: five failures elsewhere
    assert other["colleague"] == 302  # the other process does sign people in
