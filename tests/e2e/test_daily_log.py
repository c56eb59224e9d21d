"""An assistant adds a positive quick note and a wellbeing check-in from the pupil page on a phone
(390 px wide) and sees both on the page. Interactions are counted as in the incident test."""

from django.urls import reverse
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from pupils.models import DailyNote, WellbeingCheckIn
from semh.access import Role
from tests.e2e.conftest import screenshot
from tests.e2e.test_log_incident import Interactions, assert_no_sideways_scroll, sign_in
from tests.factories import PupilFactory


def test_assistant_adds_a_positive_note_and_a_check_in_from_the_pupil_page_on_a_phone(
    make_page, cast
):
    assistant = cast.user(Role.ASSISTANT)
    with scopes_disabled():
        pupil = PupilFactory(
            school=cast.school_a, legal_first_name="Maya", legal_last_name="Reid", year_group=7
        )
        assign_perm("view_pupil", assistant, pupil)
    page = make_page("phone")
    sign_in(page, assistant)
    page.goto(
        reverse("pupils:detail", kwargs={"school_slug": cast.school_a.slug, "pupil_id": pupil.pk})
    )

    note = Interactions(page)
    note.tap(page.get_by_role("button", name="Quick note").first)
    note.page_changed()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quick note")
    assert page.get_by_label("Positive").is_checked()  # positive is chosen already
    assert_no_sideways_scroll(page)
    screenshot(page, "daily-log-quick-note-phone")
    note.type(page.get_by_label("Note"), "Helped a new pupil")
    note.tap(page.get_by_role("button", name="Save note"))
    note.page_changed()
    expect(page.locator(".daily-notes li.is-positive")).to_contain_text("Helped a new pupil")
    note.report("Quick positive note from the pupil page")
    assert note.count <= 3
    assert note.human_seconds < 15

    check_in = Interactions(page)
    check_in.tap(page.locator("#daily-log").get_by_role("button", name="Check-in"))
    check_in.page_changed()
    assert_no_sideways_scroll(page)
    check_in.tap(page.locator("label.zone-green"))
    screenshot(page, "daily-log-check-in-phone")
    check_in.tap(page.get_by_role("button", name="Save check-in"))
    check_in.page_changed()
    expect(page.locator("#daily-log")).to_contain_text("Green — calm, ready to learn")
    expect(page.locator("#daily-log .zone-strip li.zone-green")).to_be_visible()
    check_in.report("Wellbeing check-in from the pupil page")
    assert_no_sideways_scroll(page)
    page.locator("#daily-log").scroll_into_view_if_needed()
    screenshot(page, "daily-log-pupil-page-phone")

    with scopes_disabled():
        assert DailyNote.objects.filter(pupil=pupil, kind="positive").count() == 1
        assert WellbeingCheckIn.objects.filter(pupil=pupil, zone="green").count() == 1
