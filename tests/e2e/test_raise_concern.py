"""An assistant raises a safeguarding concern on its own (a disclosure, no incident) on a phone."""

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from incidents.models import SafeguardingConcern
from semh.access import Role
from tests.e2e.conftest import screenshot
from tests.e2e.test_log_incident import Interactions, labelled, sign_in
from tests.factories import PupilFactory

WORDS = "She said: Dad's friend hurts me when Mum is out. She asked me not to tell anyone."


def test_an_assistant_raises_a_concern_on_its_own_on_a_phone(make_page, cast):
    with scopes_disabled():
        PupilFactory(
            school=cast.school_a, legal_first_name="Maisie", legal_last_name="Hart", year_group=7
        )
    page = make_page("phone")
    sign_in(page, cast.user(Role.ASSISTANT))
    me = Interactions(page)

    me.tap(page.get_by_role("button", name="Raise a safeguarding concern"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a safeguarding concern")
    screenshot(page, "raise-concern-phone-1-form")
    me.type(page.get_by_placeholder("Type a name to find the pupil"), "maisie")
    me.tap(page.get_by_label("Maisie Hart"))
    me.type(labelled(page, "What you saw, heard or were told"), WORDS)
    me.type(labelled(page, "Anything you did straight away (optional)"), "Stayed with her.")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the form is {width}px wide on a phone"
    me.tap(page.get_by_role("button", name="Send to the DSL"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding concern")
    expect(page.get_by_text("Concern raised.")).to_be_visible()
    expect(page.get_by_text("Dad's friend hurts me")).to_be_visible()
    expect(page.get_by_text("Maisie Hart")).to_be_visible()
    screenshot(page, "raise-concern-phone-2-raised")
    me.report("Raising a concern alone on a phone")
    with scopes_disabled():
        concern = SafeguardingConcern.objects.get()
    assert concern.incident_id is None and concern.pupil.legal_first_name == "Maisie"
