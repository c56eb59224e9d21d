"""Helpers of the fault checks: a Redis server of the test's own (to stop and start), and real
Celery workers in their own processes (to kill), both on loopback and bounded in time."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connections

from tests.conftest import require_service
from tests.factories.incidents import incident_data, school_vocabulary

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, every: float = 0.05):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds (``what``
    may be a callable, read only then: a worker's log, say)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"{what() if callable(what) else what}: not after {timeout} s")


class PrivateRedis:
    """A redis-server on a port of its own, nothing saved to disk."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.answers, 10, "the private Redis server to start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False


@pytest.fixture
def private_redis():
    require_service(shutil.which("redis-server") is not None, "redis-server")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def database_url_of_the_tests() -> str:
    """The test database (the transactional one, so other processes see its rows)."""
    s = connections["default"].settings_dict
    require_service("postgresql" in s["ENGINE"], "PostgreSQL (DATABASE_URL)")
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class CeleryWorker:
    """``celery -A config worker`` in a process group of its own, as ``make worker`` runs it."""

    def __init__(self, broker_url: str, media_root: Path, log: Path):
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url_of_the_tests(),
            "REDIS_URL": broker_url,
            "MEDIA_ROOT": str(media_root),
        }
        self.env.pop("CACHE_URL", None)
        self.log = log
        self.process = None

    def start(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
                + ["--without-gossip", "--without-mingle", "--loglevel=INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self):
        """SIGKILL, as the kernel's out-of-memory killer or a lost machine would: no clean-up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def celery_workers(tmp_path):
    """Start workers with ``celery_workers(broker_url)``; any still running are killed after."""
    started = []

    def start(broker_url):
        worker = CeleryWorker(broker_url, tmp_path, tmp_path / f"worker-{len(started)}.log")
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture
def vocab_for_alder(cast):
    """The incident form's data for a pupil of Alder, with Alder's own lists."""
    vocab = school_vocabulary(cast.school_a)
    return lambda pupil, recorder: incident_data(vocab, pupil, recorder)
