"""A real Celery round trip: a worker thread consumes from Redis and writes to the database."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django_scopes import scopes_disabled

from config.celery import app
from semh.models import AuditEvent
from semh.tasks import record_worker_check
from tests.conftest import redis_available, redis_url, require_service


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    require_service(redis_available(), f"Redis at {redis_url()}")
    # In CI the settings already point Celery at Redis; locally they may say "run eagerly".
    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_url(), task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(previous)


def test_task_sent_through_redis_is_run_by_a_worker_and_writes_a_row(celery_worker_on_redis):
    token = uuid.uuid4().hex

    result = record_worker_check.apply_async(args=[token])

    assert result.id
    event_id = _wait_for_row(token)
    with scopes_disabled():
        assert AuditEvent.objects.get(pk=event_id).action == "system.worker_check"


def _wait_for_row(token, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            row = (
                AuditEvent.objects.filter(detail__token=token).values_list("pk", flat=True).first()
            )
        if row:
            return row
        time.sleep(0.1)
    raise AssertionError("the worker did not write the row within 20 s")
