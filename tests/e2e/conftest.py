"""Browser tests: headless system Chromium driven by Playwright against pytest-django's live_server.

Every test here is marked `e2e`. Screenshots go to artifacts/screenshots/ (gitignored).
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import require_service

# Playwright's sync API runs an asyncio loop in this thread, so Django would refuse ORM calls
# made by the test itself (seeding, assertions) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach Google's services, which are not there.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        require_service(False, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_page(browser, live_server):
    """Return a function making a page in a fresh context at a named viewport."""
    contexts = []

    def _make_page(viewport="desktop"):
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",  # UK date formats in date inputs, as staff see them
            timezone_id="Europe/London",
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _make_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page("desktop")


@pytest.fixture
def phone_page(make_page):
    return make_page("phone")


@pytest.fixture
def desktop_page(make_page):
    return make_page("desktop")


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG to artifacts/screenshots/<name>.png for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name) + ".png")
    page.screenshot(path=path, full_page=True)
    return path
