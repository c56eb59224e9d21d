"""Each demo login signs in through the real form and lands on its own school home page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

DEMO_PASSWORD = "semh-demo-2026"
# The innermost elements reaching past the right edge of the screen, to say what to fix.
TOO_WIDE = """() => Array.from(document.querySelectorAll("main *"))
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > innerWidth + 1))
  .slice(0, 5).map(e => e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 60))"""

# role, first name (from seed_demo), heading only that role's home page shows
DEMO_ROLES = [
    ("assistant", "Sam", "Quick actions"),
    ("teacher", "Jo", "Quick actions"),
    ("senco", "Alex", "SENCo dashboard"),
    ("dsl", "Chris", "Safeguarding concerns"),
    ("slt", "Pat", "Figures and reports"),
    ("admin", "Robin", "Staff"),
]


@pytest.mark.parametrize(
    ("role", "first_name", "marker"), DEMO_ROLES, ids=[r[0] for r in DEMO_ROLES]
)
def test_demo_login_lands_on_school_home(live_server, make_page, role, first_name, marker):
    call_command("seed_demo", "--force")

    for viewport in ("phone", "desktop"):
        page = make_page(viewport)
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(f"{role}@demo.example")
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page).to_have_url(f"{live_server.url}/s/oakfield/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {first_name}")
        expect(page.get_by_role("heading", level=2, name=marker, exact=True)).to_be_visible()
        # Nothing (such as a long role menu) makes the page scroll sideways on a phone.
        # Measured once the stylesheet has applied: the URL changes before the page has loaded.
        page.wait_for_load_state("load")
        screenshot(page, f"home-{role}-{viewport}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], (
            f"{role} {viewport}: page is {width}px wide; too wide: {page.evaluate(TOO_WIDE)}"
        )
