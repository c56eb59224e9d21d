"""What every benchmark shares: Django set up for a script, and a throwaway test database.

Import this module first: it configures Django. Benchmarks run in ``test_<name>`` next to the
database DATABASE_URL names (SQLite in memory by default), created and destroyed around the run.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SEMH_REQUIRE_MFA", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402


def _plain_static():
    # The hashed static manifest exists only after collectstatic (as in the test suite).
    return override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )


@contextmanager
def existing_database():
    """The database DATABASE_URL names, as it is (a benchmark at trust scale only reads it)."""
    with _plain_static():
        yield connection


@contextmanager
def throwaway_database():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with _plain_static():
            yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
