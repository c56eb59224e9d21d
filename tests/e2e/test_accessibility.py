"""axe-core (WCAG 2.2 A/AA rules) on the main pages of every role in the demo data: no serious or
critical violations. The same walk checks that the pages print UK dates (dd/mm/yyyy, 24-hour)."""

import re
from pathlib import Path

from django.core.management import call_command
from django_scopes import scopes_disabled

from incidents.models import Incident, SafeguardingConcern
from interventions.models import Group
from reset_area.models import Room
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.test_invite_and_caseload import DEMO_PASSWORD, sign_in

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
    where: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""
FIRST_PUPIL = """() => Array.from(document.querySelectorAll("main a"))
  .map(a => a.getAttribute("href")).find(h => /\\/pupils\\/[0-9a-f-]{36}\\/$/.test(h))"""
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
US_OR_12_HOUR = re.compile(
    rf"\b[ap]\.m\.|\b\d{{1,2}}(?::\d{{2}})?\s?[ap]m\b|\bnoon\b|\bmidnight\b|\b{MONTH} \d{{1,2}}\b",
    re.IGNORECASE,
)


def _page_states(school="oakfield"):
    with scopes_disabled():
        incident = Incident.objects.filter(school__slug=school).order_by("pk").first()
        concern = (
            SafeguardingConcern.objects.filter(incident__school__slug=school).order_by("pk").first()
        )
        room = Room.objects.filter(school__slug=school).order_by("name").first()
        group = Group.objects.filter(school__slug=school).order_by("weekday").first()
    s = f"/s/{school}"
    return {
        "assistant": (
            "phone",
            [
                f"{s}/",
                f"{s}/pupils/",
                "first-pupil",
                f"{s}/incidents/new/",
                f"{s}/interventions/groups/{group.pk}/register/",
            ],
        ),
        "teacher": ("phone", [f"{s}/", f"{s}/incidents/", "menu-open"]),
        "senco": (
            "desktop",
            [
                f"{s}/",
                f"{s}/pupils/",
                "first-pupil",
                f"{s}/incidents/",
                f"{s}/incidents/{incident.pk}/",
                f"{s}/incidents/review/",
                f"{s}/incidents/analysis/",
                f"{s}/reset-area/rooms/{room.pk}/",
                f"{s}/interventions/",
                f"{s}/interventions/groups/{group.pk}/",
                f"{s}/reports/effectiveness/",
                f"{s}/reports/dashboard/",
                f"{s}/reports/requests/",
            ],
        ),
        "dsl": (
            "desktop",
            [f"{s}/", f"{s}/incidents/concerns/", f"{s}/incidents/concerns/{concern.pk}/"],
        ),
        "slt": (
            "phone",
            [f"{s}/", f"{s}/incidents/analysis/", f"{s}/pupils/", f"{s}/reports/requests/"],
        ),
        "admin": ("desktop", [f"{s}/", f"{s}/staff/", f"{s}/audit/"]),
        # Outreach staff work in both demo schools: they sign in to the choice of school.
        "outreach@bridges.example": ("phone", ["/", f"{s}/", "first-pupil"]),
        "lead@bridges.example": ("phone", ["/outreach/bridges/referrals/"]),
        # SLT in both schools: their figures side by side with the trust total, on a phone.
        "trust@demo-trust.example": ("phone", ["/", "/reports/schools/"]),
    }


def test_main_pages_of_every_role_have_no_serious_accessibility_violations_and_uk_dates(
    browser, live_server
):
    call_command("seed_demo", "--force")
    axe = AXE.read_text()
    problems, dates, counted = [], [], 0
    for role, (viewport, paths) in _page_states().items():
        # axe is put in by the test only; the app's CSP rightly refuses an inline script.
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            bypass_csp=True,
            **VIEWPORTS[viewport],
        )
        page = context.new_page()
        login = role if "@" in role else f"{role}@demo.example"
        sign_in(page, login, DEMO_PASSWORD)
        if "@" in role:
            page.get_by_role("heading", name="Choose a school").wait_for()
        else:
            page.wait_for_url(re.compile(r"/s/"))
        for path in paths:
            if path == "first-pupil":
                page.goto(page.evaluate(FIRST_PUPIL))
            elif path == "menu-open":
                page.locator(".site-menu summary").click()
                # The menu fades in: measure contrast once it is fully shown, not mid-fade.
                page.wait_for_function(
                    "getComputedStyle(document.querySelector('.site-menu > ul')).opacity === '1'"
                )
            else:
                assert page.goto(path).status == 200, path
            # Sections loaded by htmx (the pupil page's Reset Area) are checked once settled.
            page.wait_for_load_state("networkidle")
            page.wait_for_function(
                "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
            )
            page.add_script_tag(content=axe)
            violations = page.evaluate(RUN_AXE, WCAG)
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            counted += 1
            where = "(menu open)" if path == "menu-open" else page.url[len(live_server.url) :]
            print(
                f"{role:9} {viewport:7} {where}: "
                f"{len(violations)} violations, {len(bad)} serious/critical"
            )
            problems += [(role, page.url, v) for v in bad]
            for v in bad:
                print("   ", v)
            text = page.locator("body").inner_text()
            dates += [(page.url, hit) for hit in US_OR_12_HOUR.findall(text)]
        context.close()

    print(f"{counted} page states checked")
    assert problems == []
    assert dates == []
