"""Staff blank the screen at once when a pupil walks up; nothing typed is lost."""

from django.core.management import call_command

from tests.e2e.test_invite_and_caseload import DEMO_PASSWORD, sign_in


def test_hide_screen_blanks_the_page_and_returning_keeps_what_was_typed(make_page):
    call_command("seed_demo", "--force")
    page = make_page("phone")
    sign_in(page, "senco@demo.example", DEMO_PASSWORD)
    page.goto("/s/oakfield/pupils/")
    page.get_by_label("Search by name or UPN").fill("half-typed note")

    page.get_by_role("button", name="Hide").click()

    assert page.locator("#privacy-cover").is_visible()
    assert not page.get_by_label("Search by name or UPN").is_visible()
    assert not page.get_by_role("heading", name="Pupils").is_visible()

    page.get_by_role("button", name="Show screen").click()

    assert page.get_by_label("Search by name or UPN").input_value() == "half-typed note"
    assert not page.locator("#privacy-cover").is_visible()


def test_pressing_escape_twice_hides_the_screen(make_page):
    call_command("seed_demo", "--force")
    page = make_page("desktop")
    sign_in(page, "assistant@demo.example", DEMO_PASSWORD)
    page.wait_for_load_state("load")  # app.js is deferred

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    assert page.locator("#privacy-cover").is_visible()
