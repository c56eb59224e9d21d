"""On a phone the header is one compact bar with a Menu, charts keep readable text and the pupil
page's section links are all on screen."""

from django_scopes import scopes_disabled

from semh.access import Role
from tests.conftest import SUITE_DAY, at
from tests.e2e.test_invite_and_caseload import sign_in
from tests.factories import PASSWORD
from tests.factories.incidents import bulk_incidents

SMALLEST_TEXT = """() => Math.min(...Array.from(document.querySelectorAll("svg.chart text"))
  .map(t => t.getBoundingClientRect().height))"""


def test_phone_header_is_one_bar_and_charts_and_section_links_stay_readable(cast, make_page):
    senco = cast.user(Role.SENCO)
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a,
            pupils=cast.pupils_a,
            reporter=senco,
            count=12,
            start=at(SUITE_DAY.replace(day=3), 9),
        )
    page = make_page("phone")
    sign_in(page, senco.email, PASSWORD)
    page.goto(f"/s/alder/pupils/{pupil.pk}/")

    bar = page.locator("header.site-header")
    header = bar.bounding_box()
    print(f"header at 390 px: {header['height']:.0f} px high")
    assert header["height"] < 80
    assert bar.get_by_role("button", name="Hide").is_visible()
    assert not bar.get_by_role("link", name="Incidents", exact=True).is_visible()
    bar.locator(".site-menu summary").click()
    assert bar.get_by_role("link", name="Incidents", exact=True).is_visible()
    assert bar.get_by_role("link", name="Sign out").is_visible()

    nav = page.get_by_role("navigation", name="Sections")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, link.inner_text()

    page.goto("/s/alder/incidents/analysis/")
    smallest = page.evaluate(SMALLEST_TEXT)
    print(f"smallest chart text at 390 px: {smallest:.1f} px")
    assert smallest >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    chart = page.locator(".chart-figure").first
    assert chart.get_attribute("tabindex") == "0"
    assert chart.get_attribute("aria-label") == "Incidents per week"
    # It is wider than the phone, so the hint says to scroll it.
    assert "chart-scrolls" in chart.get_attribute("class")
