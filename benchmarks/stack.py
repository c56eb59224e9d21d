"""gunicorn on loopback against a given database, as the benchmarks and the load run use it.

Production settings (DEBUG off, the hashed static manifest collected into a temporary directory),
with only what a plain-HTTP loopback needs turned off: the HTTPS redirect, and MFA set-up for the
seeded senior staff (they have no authenticator).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60


def database_url(settings_dict):
    """The URL of the database Django is connected to (a test database has its own name)."""
    s = settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stack_environment(database, static_root):
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghij"
        ),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SEMH_REQUIRE_MFA": "0",
        "DATABASE_URL": database,
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def gunicorn(database, *, workers, app="config.wsgi:application"):
    """Yield the base URL of gunicorn serving ``app`` with ``workers`` sync workers."""
    with tempfile.TemporaryDirectory(prefix="semh-stack-") as tmp:
        env = stack_environment(database, Path(tmp) / "static")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = free_port()
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            app,
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--pythonpath={ROOT},{ROOT / 'benchmarks'}",
            "--timeout=120",
            "--log-level=warning",
        ]
        server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_up(base, server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urlopen(f"{base}/robots.txt", timeout=5):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_SECONDS} s")
