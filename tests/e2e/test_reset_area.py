"""At phone width an assistant checks a pupil in and out of the Reset Area; the wall board
updates itself without a reload, and what someone is typing survives its refreshes."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from reset_area.models import Room, Visit
from semh.access import Role
from semh.school_day import ensure_typical_school_day
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.factories.reset_area import MissingPupilFactory, PlannedPlacementFactory, VisitFactory


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_assistant_checks_a_pupil_in_and_out_at_phone_width_and_the_board_updates(
    live_server, browser, make_page, cast, settings
):
    settings.SEMH_RESET_BOARD_POLL_SECONDS = 1
    with scopes_disabled():
        ensure_typical_school_day(cast.school_a)
        room = Room.objects.create(school=cast.school_a, name="The Hub", capacity=4)
    pupil = cast.pupils_a[3]  # not on the assistant's caseload: anyone of the school can come in
    board = reverse("reset_area:board", args=[cast.school_a.slug, room.pk])

    # The board on a tablet on the wall (768×1024), refreshing itself.
    tablet = browser.new_context(
        base_url=live_server.url, viewport={"width": 768, "height": 1024}, has_touch=True
    )
    tablet.set_default_timeout(10_000)
    wall = tablet.new_page()
    sign_in(wall, cast.user(Role.SENCO))
    wall.goto(board)
    expect(wall.locator("#in-now")).to_contain_text("Nobody is in.")

    phone = make_page("phone")
    sign_in(phone, cast.user(Role.ASSISTANT))
    phone.goto(board)
    search = phone.get_by_label("Find a pupil by name")
    search.fill(pupil.legal_last_name[:4])
    result = phone.locator(".pupil-result", has_text=pupil.full_name)
    expect(result).to_be_visible()
    phone.wait_for_timeout(1500)  # a board refresh or two
    expect(search).to_have_value(pupil.legal_last_name[:4])  # typing survives the refresh
    screenshot(phone, "reset-check-in-search-phone")
    result.click()
    expect(phone.locator(".chosen")).to_contain_text(pupil.full_name)
    screenshot(phone, "reset-check-in-form-phone")
    phone.get_by_role("button", name=re.compile(r"^Yellow")).click()

    expect(phone.locator(".messages")).to_contain_text(f"{pupil.full_name} checked in.")
    expect(phone.locator("#in-now")).to_contain_text(pupil.full_name)
    expect(wall.locator("#in-now")).to_contain_text(pupil.full_name, timeout=5000)
    expect(wall.locator(".places")).to_contain_text("1 of 4 in")
    screenshot(phone, "reset-board-pupil-in-phone")
    screenshot(wall, "reset-board-pupil-in-wall")

    phone.get_by_role("button", name=f"Check out {pupil.full_name}").click()
    phone.get_by_role("radio", name=re.compile("Green")).check()
    phone.get_by_role("radio", name="Returned to lesson").check()
    screenshot(phone, "reset-check-out-phone")
    phone.get_by_role("button", name="Check out").click()

    expect(phone.locator(".messages")).to_contain_text(f"{pupil.full_name} checked out.")
    expect(phone.locator("#in-now")).to_contain_text("Nobody is in.")
    expect(wall.locator("#in-now")).to_contain_text("Nobody is in.", timeout=5000)
    screenshot(wall, "reset-board-after-check-out-wall")
    tablet.close()
    with scopes_disabled():
        visit = Visit.objects.get(pupil=pupil)
    assert visit.left_at is not None and visit.zone_on_leaving == "green"
    assert visit.outcome == "returned" and visit.minutes_out_of_learning is not None


def test_on_a_wall_tablet_in_now_leads_the_board_with_the_alerts_beside_it(
    live_server, browser, cast
):
    with scopes_disabled():
        ensure_typical_school_day(cast.school_a)
        room = Room.objects.create(school=cast.school_a, name="The Hub", capacity=4)
        for pupil in cast.pupils_a[:2]:
            VisitFactory(room=room, pupil=pupil)
        VisitFactory(room=room, pupil=cast.pupils_a[2], arrived_at=timezone.now() - timedelta(1))
        placement = PlannedPlacementFactory(room=room, pupil=cast.pupils_a[3])
        MissingPupilFactory(placement=placement)
    tablet = browser.new_context(
        base_url=live_server.url, viewport={"width": 820, "height": 1180}, has_touch=True
    )
    tablet.set_default_timeout(10_000)
    wall = tablet.new_page()
    sign_in(wall, cast.user(Role.SENCO))
    wall.goto(reverse("reset_area:board", args=[cast.school_a.slug, room.pk]))

    in_now = wall.get_by_role("heading", name="In now (2)").bounding_box()
    missing = wall.get_by_role("heading", name=re.compile(r"^Missing .*\(1\)")).bounding_box()
    left_open = wall.get_by_role("heading", name=re.compile("^Left open")).bounding_box()
    screenshot(wall, "reset-board-in-now-and-alerts-tablet")
    assert in_now["y"] <= missing["y"] < left_open["y"]
    assert missing["x"] > in_now["x"] + in_now["width"] / 2  # beside it, not below
    assert missing["y"] + missing["height"] < 1180  # on the first screen
    expect(wall.locator(".board-alert-counts")).to_have_text(re.compile("1 missing.*1 left open"))

    # Checking someone in: "Referred by" and "Which incident?" only for the reasons they fit.
    wall.get_by_label("Find a pupil by name").fill(cast.pupils_a[4].legal_last_name[:4])
    wall.locator(".pupil-result", has_text=cast.pupils_a[4].full_name).click()
    referred_by, which = (
        wall.get_by_label("Referred by", exact=True),
        wall.get_by_label("Which incident?"),
    )
    expect(referred_by).to_be_visible()
    expect(which).to_be_hidden()
    wall.get_by_label("Self-referral (time-out pass)").check()
    expect(referred_by).to_be_hidden()
    wall.get_by_label("Following an incident").check()
    expect(referred_by).to_be_visible()
    expect(which).to_be_visible()
    tablet.close()
