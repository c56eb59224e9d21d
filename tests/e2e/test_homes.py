"""At phone width the DSL's home leads with the open concerns (the longest open first, each with
its pupil, a preview, who raised it and for how long) and the SLT's with figures and reports; a
missing pupil in the Reset Area is a line with a link on both, not a block."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from semh.access import Role
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.factories.incidents import ConcernFactory, IncidentFactory
from tests.factories.reset_area import MissingPupilFactory, PlannedPlacementFactory, RoomFactory


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.fixture
def school(cast):
    """Two open concerns raised days apart and a pupil missing from the Reset Area."""
    with scopes_disabled():
        for pupil, days, text in (
            (cast.pupils_a[0], 1, "Said they were left alone overnight"),
            (cast.pupils_a[1], 4, "Disclosed bruising from an adult at home"),
        ):
            incident = IncidentFactory(
                school=cast.school_a, reported_by=cast.user(Role.TEACHER), pupils=[pupil]
            )
            ConcernFactory(
                incident=incident,
                raised_by=cast.user(Role.TEACHER),
                raised_at=timezone.now() - timedelta(days=days),
                concern=text,
            )
        room = RoomFactory(school=cast.school_a, name="The Hub")
        MissingPupilFactory(placement=PlannedPlacementFactory(room=room, pupil=cast.pupils_a[4]))
    return cast.school_a


def main_headings(page):
    return page.locator("main h2").all_inner_texts()


def test_the_dsl_home_on_a_phone_leads_with_open_concerns_longest_open_first(
    make_page, cast, school
):
    page = make_page("phone")
    sign_in(page, cast.user(Role.DSL))
    page.goto(reverse("school_home", args=[school.slug]))

    screenshot(page, "home-dsl-phone")
    assert main_headings(page)[0] == "Safeguarding concerns"
    rows = page.locator(".home-concerns > li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(cast.pupils_a[1].full_name)
    expect(rows.nth(0)).to_contain_text("open 4 days")
    expect(rows.nth(0)).to_contain_text("Disclosed bruising from an adult at home")
    expect(rows.nth(0)).to_contain_text(f"raised by {cast.user(Role.TEACHER).name}")
    expect(rows.nth(1)).to_contain_text("open 1 day")
    expect(page.locator("main")).to_contain_text("1 missing pupil")
    expect(page.locator("main")).not_to_contain_text(cast.pupils_a[4].full_name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_slt_home_on_a_phone_leads_with_figures_and_reports(make_page, cast, school):
    page = make_page("phone")
    sign_in(page, cast.user(Role.SLT))
    page.goto(reverse("school_home", args=[school.slug]))

    screenshot(page, "home-slt-phone")
    headings = main_headings(page)
    assert headings[0] == "Figures and reports"
    assert "Safeguarding concerns" not in headings
    expect(page.get_by_role("link", name="Incident analysis")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 missing pupil")
    expect(page.locator("main")).not_to_contain_text(cast.pupils_a[4].full_name)
    expect(page.get_by_role("link", name="Resolve")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
