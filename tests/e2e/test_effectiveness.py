"""The SENCo reads whether ELSA works on a desktop: the programme table with its standardised
change, then the programme's page with each score, in headless Chromium; axe finds nothing
serious on either page."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from semh.access import Role
from tests.e2e.conftest import VIEWPORTS, screenshot
from tests.e2e.test_accessibility import AXE, RUN_AXE, WCAG
from tests.e2e.test_senco_plan import sign_in
from tests.factories import PupilFactory
from tests.factories.interventions import GroupFactory, ProgrammeFactory
from tests.interventions.test_effectiveness import START, paired, sdq_like

pytestmark = pytest.mark.e2e


def serious_violations(page):
    page.add_script_tag(content=AXE.read_text())
    return [v for v in page.evaluate(RUN_AXE, WCAG) if v["impact"] in ("serious", "critical")]


def test_senco_sees_a_programmes_change_and_opens_its_scores(browser, live_server, cast):
    school = cast.school_a
    with scopes_disabled():
        programme = ProgrammeFactory(school=school, name="ELSA (Year 4)")
        definition = sdq_like(school)
        programme.measures.add(definition)
        group = GroupFactory(programme=programme, starts_on=START, name="Year 4 ELSA")
        # The five pupils of the hand-worked fixture: d = 1.14 [0.01 to 2.26].
        for pre, post in [(20, 14), (18, 15), (22, 20), (16, 16), (24, 17)]:
            pupil = PupilFactory(school=school)
            paired(group, definition, {"total": pre}, {"total": post}, pupil=pupil)
    # axe is put in by the test only; the app's CSP rightly refuses an inline script.
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        bypass_csp=True,
        **VIEWPORTS["desktop"],
    )
    page = context.new_page()
    sign_in(page, cast.user(Role.SENCO))
    page.goto(reverse("reports:effectiveness", args=[school.slug]))

    expect(page.get_by_role("heading", level=1)).to_contain_text("Intervention effectiveness")
    expect(page.locator("main")).to_contain_text("pre/post, no comparison group")
    row = page.get_by_role("row").filter(has_text="SDQ-like")
    expect(row).to_contain_text("5 of 5")
    expect(row).to_contain_text("+3.6")
    expect(row).to_contain_text("80% / 20% / 0%")
    expect(row).to_contain_text("1.14 [0.01 to 2.26]")
    screenshot(page, "effectiveness-desktop")
    serious = serious_violations(page)

    row.get_by_role("link", name="ELSA").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ELSA")
    total = page.get_by_role("row", name="Total difficulties lower")
    expect(total).to_contain_text("20.0")
    expect(total).to_contain_text("16.4")
    expect(total).to_contain_text("3 / 2 / 0")  # band moves: better / same / worse
    screenshot(page, "effectiveness-programme-desktop")
    serious.extend(serious_violations(page))
    context.close()
    assert serious == []
