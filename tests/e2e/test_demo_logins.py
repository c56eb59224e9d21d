"""Each demo login signs in through the real form and lands on its own school home page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

DEMO_PASSWORD = "semh-demo-2026"

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
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{role} {viewport}: page is {width}px wide"
        screenshot(page, f"home-{role}-{viewport}")
