"""SLT ask for the termly report in the browser, watch it wait and then be made, and download the
PDF. A real Celery worker on Redis makes it, started only once the page shows the request waiting,
so the page is seen updating by itself (polling the request's row) without a reload."""

import subprocess

import redis
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from config.celery import app
from semh.access import Role
from tests.conftest import redis_available, redis_url, require_service
from tests.e2e.conftest import screenshot
from tests.e2e.test_homes import sign_in
from tests.factories import TermFactory
from tests.reports.test_report_requests import broker


def test_slt_request_the_termly_report_see_it_progress_and_download_it(page, cast):
    require_service(redis_available(), f"Redis at {redis_url()}")
    redis.Redis.from_url(redis_url()).delete("celery")
    with scope(school=cast.school_a):
        TermFactory(school=cast.school_a)
    sign_in(page, cast.user(Role.SLT))
    page.goto(reverse("school_home", args=["alder"]))
    page.get_by_role("link", name="Reports to download").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    screenshot(page, "reports-page")

    termly = page.locator(
        "article",
        has=page.get_by_role("heading", name="Termly provision-effectiveness report", exact=True),
    )
    expect(termly.get_by_label("Term")).to_have_accessible_name("Term")
    with broker(redis_url()):
        termly.get_by_role("button", name="Request this report").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Termly provision")
        status = page.locator("#report-status")
        expect(status).to_contain_text("Waiting to start")
        expect(status.get_by_role("progressbar")).to_be_visible()
        screenshot(page, "termly-report-waiting")

        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            download = page.get_by_role("button", name="Download the PDF")
            expect(download).to_be_visible(timeout=30_000)
        expect(status).to_contain_text("Ready")
        screenshot(page, "termly-report-ready")

    with page.expect_download() as pdf:
        download.click()
    assert pdf.value.suggested_filename.startswith("alder-termly")
    assert pdf.value.suggested_filename.endswith(".pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf.value.path()), "-"], capture_output=True, check=True
    ).stdout
    assert b"Alder School" in text and b"Autumn 2026/27" in text
