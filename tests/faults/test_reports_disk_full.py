"""The disk for reports is full: the request fails with a message staff can read, no part of the
file is left behind, the rest of the app goes on working, and "Try again" makes the report once
there is room again.

A full disk is the outside world, so it is simulated at the storage's edge: its ``_save`` writes
part of the file, then fails as the operating system does (ENOSPC)."""

import errno
from pathlib import Path

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reports.models import ReportRequest
from reports.services.report_requests import request_report, run_report
from semh.access import Role
from tests.factories import TermFactory


@pytest.fixture
def autumn(cast):
    with scope(school=cast.school_a):
        return TermFactory(school=cast.school_a)


@pytest.fixture
def full_disk(monkeypatch):
    """The reports storage runs out of space part-way through writing a file, until ``free()``."""
    storage = ReportRequest._meta.get_field("file").storage
    real_save = storage._save

    def out_of_space(name, content):
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:4096])  # what got written before the disk filled up
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(storage, "_save", out_of_space)

    class FullDisk:
        root = Path(storage.location)

        def files(self):
            return sorted(p for p in self.root.rglob("*") if p.is_file())

        def free(self):
            monkeypatch.setattr(storage, "_save", real_save)

    return FullDisk()


def test_a_full_disk_fails_the_report_with_a_clear_message_and_try_again_works_once_there_is_room(
    client, cast, login, autumn, full_disk, vocab_for_alder
):
    login(cast.user(Role.SLT))
    with scope(school=cast.school_a):
        report = request_report(
            actor=cast.user(Role.SLT),
            school=cast.school_a,
            kind="termly",
            params={"term": autumn.pk},
        ).report

    assert run_report(report.pk) == "failed"  # the worker's job, run here

    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == "failed" and not report.ready
    assert "no room left to store this report" in report.error
    assert full_disk.files() == []  # the part-written file is gone
    page = client.get(reverse("reports:request", args=["alder", report.pk])).content.decode()
    assert "no room left to store this report" in page and "Try again" in page
    download = client.get(reverse("reports:request_download", args=["alder", report.pk]))
    assert download.status_code == 302  # no file to send: back to the request's page

    # The rest of the app does not depend on that disk.
    assert client.get(reverse("reports:requests", args=["alder"])).status_code == 200
    assert client.get(reverse("reports:dashboard", args=["alder"])).status_code == 200
    client.logout()
    login(cast.user(Role.ASSISTANT))
    response = client.post(
        reverse("incidents:log", args=["alder"]),
        vocab_for_alder(cast.pupils_a[0], cast.user(Role.ASSISTANT)),
    )
    assert response.status_code == 302
    client.logout()

    full_disk.free()
    login(cast.user(Role.SLT))
    response = client.post(reverse("reports:request_retry", args=["alder", report.pk]))
    assert response.status_code == 302
    assert run_report(report.pk) == "done"

    with scopes_disabled():
        report.refresh_from_db()
        assert ReportRequest.objects.count() == 1
    assert (report.status, report.error, report.attempts) == ("done", "", 1)
    assert full_disk.files() == [Path(report.file.path)]
    download = client.get(reverse("reports:request_download", args=["alder", report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
