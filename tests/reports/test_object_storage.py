"""Files in an S3-compatible bucket (SEMH_S3_BUCKET), against a real S3 API on loopback: moto's
server mode. A report made by the worker's job lands in the bucket, comes back only through the
permission-checked download, is never readable from the bucket without the keys, goes with the
purge, and is tried again when the bucket is out of reach."""

import datetime
import socket

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from config.settings import object_storages
from reports.models import ReportRequest
from reports.services.report_requests import (
    TransientReportError,
    purge_expired_reports,
    request_report,
    run_report,
)
from semh.access import Role
from tests.factories import TermFactory

BUCKET = "semh-files-test"
REGION = "eu-west-2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """An empty private bucket, and both file storages (uploads, reports) pointed at it."""
    requests.post(f"{s3_endpoint}/moto-api/reset", timeout=10)  # nothing left from another test
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "semh-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "semh-test-secret")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # loopback only, whatever proxy the machine has
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        **object_storages(bucket=BUCKET, endpoint_url=s3_endpoint, region=REGION),
    }
    # The file field holds its storage from start-up; point it at the bucket, as start-up would.
    field = ReportRequest._meta.get_field("file")
    monkeypatch.setattr(field, "storage", storages["reports"])
    return s3


def keys_in(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def assert_private(s3, s3_endpoint, key):
    anonymous = requests.get(f"{s3_endpoint}/{BUCKET}/{key}", timeout=10)
    assert anonymous.status_code == 403
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers, no AuthUsers


@pytest.fixture
def requested(cast, bucket):
    """A termly report of Alder, asked for (not yet made)."""
    with scope(school=cast.school_a):
        term = TermFactory(school=cast.school_a)
        return request_report(
            actor=cast.user(Role.SLT), school=cast.school_a, kind="termly", params={"term": term.pk}
        ).report


@pytest.fixture
def made_in_bucket(requested):
    """The report made by the worker's job (run here), stored in the bucket."""
    assert run_report(requested.pk) == "done"
    requested.refresh_from_db()
    return requested


def download_url(report, school=None):
    return reverse("reports:request_download", args=[(school or report.school).slug, report.pk])


def test_a_made_report_is_stored_in_the_bucket_and_downloads_only_for_those_who_may_see_it(
    client, cast, login, bucket, s3_endpoint, made_in_bucket
):
    report = made_in_bucket
    key = f"reports/{report.file.name}"
    assert keys_in(bucket) == [key]
    stored = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored.startswith(b"%PDF") and len(stored) == report.size_bytes

    login(cast.user(Role.SLT))
    page = client.get(reverse("reports:request", args=[cast.school_a.slug, report.pk]))
    response = client.get(download_url(report))

    assert s3_endpoint.removeprefix("http://") not in page.content.decode()
    assert BUCKET not in page.content.decode()  # no link to the bucket, signed or not
    assert response.status_code == 200  # streamed through us, not a redirect to the bucket
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == stored

    client.logout()
    login(cast.user(Role.SLT, "b"))
    assert client.get(download_url(report)).status_code == 404
    assert client.get(download_url(report, cast.school_b)).status_code == 404
    client.logout()
    login(cast.user(Role.ASSISTANT))
    assert client.get(download_url(report)).status_code == 403


def test_a_report_in_the_bucket_cannot_be_read_without_the_keys(
    bucket, s3_endpoint, made_in_bucket
):
    assert_private(bucket, s3_endpoint, f"reports/{made_in_bucket.file.name}")


def test_making_a_report_again_overwrites_its_own_object(bucket, made_in_bucket):
    first = keys_in(bucket)
    with scopes_disabled():
        ReportRequest.objects.filter(pk=made_in_bucket.pk).update(status="queued")

    assert run_report(made_in_bucket.pk) == "done"

    made_in_bucket.refresh_from_db()
    assert keys_in(bucket) == first == [f"reports/{made_in_bucket.file.name}"]


def test_the_purge_deletes_the_reports_object_from_the_bucket(
    bucket, made_in_bucket, clock, settings, django_capture_on_commit_callbacks
):
    assert keys_in(bucket)
    settings.SEMH_REPORT_RETENTION_DAYS = 30
    clock.now = clock.now + datetime.timedelta(days=31)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_reports() == 1

    assert keys_in(bucket) == []
    with scopes_disabled():
        assert not ReportRequest.objects.exists()


def test_a_bucket_out_of_reach_puts_the_report_back_to_be_tried_again(
    bucket, requested, monkeypatch
):
    field = ReportRequest._meta.get_field("file")
    closed = object_storages(
        bucket=BUCKET, endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION
    )["reports"]["OPTIONS"]
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # boto3 would otherwise retry for seconds
    monkeypatch.setattr(field, "storage", S3Storage(**closed))

    with pytest.raises(TransientReportError):
        run_report(requested.pk)

    requested.refresh_from_db()
    assert (requested.status, requested.stage, requested.error) == (
        "queued",
        "Waiting to try again",
        "",
    )
    monkeypatch.setattr(field, "storage", storages["reports"])  # the bucket is back
    assert run_report(requested.pk) == "done"
    requested.refresh_from_db()
    assert keys_in(bucket) == [f"reports/{requested.file.name}"]


def test_an_uploaded_file_is_kept_privately_under_the_uploads_prefix(bucket, s3_endpoint):
    # The CSV imports keep their decoded text in the database; anything saved to the default
    # storage goes to the same private bucket, under its own prefix.
    name = default_storage.save("imports/pupils.csv", ContentFile(b"UPN,Legal Surname\n"))

    assert keys_in(bucket) == [f"uploads/{name}"]
    with default_storage.open(name) as stored:
        assert stored.read() == b"UPN,Legal Surname\n"
    assert_private(bucket, s3_endpoint, f"uploads/{name}")
