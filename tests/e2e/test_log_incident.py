"""An assistant logs incidents on a phone (390px wide) through the real form in Chromium.

Each test counts the person's interactions (taps, picks, typed fields) and times them. Playwright
types far faster than a person, so the report also gives an estimate at human speed: about 2 s per
tap or pick and 2 s per 10 characters typed on a phone keyboard.
"""

import datetime
import re
import time

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from incidents.models import Incident, IncidentDraft, RestrictiveIntervention
from pupils.models import PupilProfile, SupportPlan
from semh.access import Role
from semh.models import Period
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, PupilFactory


class Interactions:
    """Counts what a person would do and estimates how long it takes them, by the issue's model:
    2 s per tap, pick or field, 0.3 s per character typed, and 1 s per swipe (a screen height of
    scrolling, taken from where each thing touched is on the page)."""

    def __init__(self, page):
        self.page, self.count, self.characters, self.swipes = page, 0, 0, 0
        self.started = time.monotonic()
        self.screen_at = 0  # which screen height of the page the person is looking at

    def tap(self, locator):
        self._reach(locator)
        locator.click()
        self.count += 1

    def check(self, locator):
        self._reach(locator)
        locator.check()
        self.count += 1

    def pick(self, locator, label):
        self._reach(locator)
        locator.select_option(label=label)
        self.count += 1

    def type(self, locator, text):
        self._reach(locator)
        locator.fill(text)
        self.count += 1
        self.characters += len(text)

    def _reach(self, locator):
        """Swipes to bring ``locator`` on screen, from the screen the person last looked at."""
        top = locator.evaluate("el => el.getBoundingClientRect().top + window.scrollY")
        height = self.page.evaluate("innerHeight")
        screen = int(max(top - 60, 0) // (height * 0.8))
        self.swipes += abs(screen - self.screen_at)
        self.screen_at = screen

    def page_changed(self):
        self.screen_at = 0

    @property
    def human_seconds(self):
        return self.count * 2 + self.characters * 0.3 + self.swipes

    @property
    def machine_seconds(self):
        return time.monotonic() - self.started

    def report(self, what):
        print(  # noqa: T201 — the figures go into the issue note
            f"\n{what}: {self.count} interactions, {self.characters} characters, "
            f"{self.swipes} swipes, {self.machine_seconds:.1f} s in Chromium, "
            f"about {self.human_seconds:.0f} s at human speed"
        )


def assert_no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.fixture
def jay(cast):
    """A caseload pupil with 'what helps me' strategies and an active positive handling plan."""
    with scopes_disabled():
        pupil = PupilFactory(
            school=cast.school_a,
            legal_first_name="Jayden",
            preferred_first_name="Jay",
            legal_last_name="Okafor",
            year_group=8,
            form="8K",
        )
        assign_perm("view_pupil", cast.user(Role.ASSISTANT), pupil)
        PupilProfile.objects.create(
            pupil=pupil,
            strategies_that_help="Lego in the quiet room\nCount down from five\nFew words",
        )
        SupportPlan.objects.create(
            pupil=pupil,
            kind="positive_handling",
            status="active",
            starts_on=datetime.date(2026, 9, 7),
            owner=cast.user(Role.SENCO),
            created_by=cast.user(Role.SENCO),
        )
        now = timezone.localtime()
        Period.objects.create(
            school=cast.school_a,
            weekday=now.weekday(),
            name="P3 Maths",
            starts_at=datetime.time(0, 0),
            ends_at=datetime.time(23, 59, 59),
        )
    return pupil


def labelled(page, label):
    """The field with this label (a required field's label ends in "(required)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(required\))?$"))


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_assistant_logs_an_incident_with_restraint_on_a_phone(make_page, cast, jay):
    assistant = cast.user(Role.ASSISTANT)
    page = make_page("phone")
    sign_in(page, assistant)
    me = Interactions(page)

    me.tap(page.get_by_role("button", name="Log an incident"))
    expect(page.get_by_role("heading", name="Log an incident")).to_be_visible()
    me.type(page.get_by_placeholder("Type a name to find the pupil"), "jay")
    me.tap(page.get_by_label("Jay Okafor"))
    expect(page.get_by_text("What helps Jay")).to_be_visible()
    expect(page.get_by_text("Lego in the quiet room")).to_be_visible()
    me.pick(labelled(page, "Where"), "Corridor")
    me.pick(labelled(page, "What kind of incident"), "Physical aggression towards pupils")
    me.tap(page.get_by_label("Serious", exact=True))
    me.type(page.get_by_label("What happened just before (optional)"), "Ran at the Year 7 again")
    me.type(
        labelled(page, "What you saw and heard"),
        "Jay punched a Year 7 pupil twice and kicked the door.",
    )
    # Jay's own strategy ("Few words") comes first; the rest are behind "More strategies".
    me.check(page.get_by_label("Calm voice, few words"))
    me.tap(page.get_by_text("More strategies"))
    me.check(page.get_by_label("Offered the Reset Area"))
    me.tap(page.get_by_label("Went to the Reset Area"))
    me.tap(page.get_by_label("Yes", exact=True).first)
    me.type(page.get_by_label("Who, when and how"), "Mum by phone 11:30")
    screenshot(page, "log-incident-phone-1-filled")

    me.report("The incident before the restraint record (phone)")
    assert_no_sideways_scroll(page)
    rec = Interactions(page)
    rec.screen_at = me.screen_at
    rec.check(page.get_by_label("Force / restraint was used"))
    rpi = page.locator(".rpi-fields")
    expect(rpi).to_be_visible()
    expect(rpi.get_by_text("Active since 07/09/2026")).to_be_visible()
    # Not asked again: who was involved, what happened before and the de-escalation tried are
    # carried over from the incident above (shown, and editable).
    expect(rpi.get_by_label(assistant.name)).to_be_checked()
    expect(rpi.get_by_label("What happened before force was used")).to_have_value(
        "Ran at the Year 7 again"
    )
    expect(rpi.get_by_label("De-escalation tried first")).to_have_value(
        "Calm voice, few words; Offered the Reset Area"
    )
    # The start is the incident's time until changed; only the end is typed.
    expect(rpi.get_by_label("Force started at")).to_have_value("10:30")
    rec.type(rpi.get_by_label("Force ended at"), "10:33")
    expect(page.locator("#rpi-duration")).to_have_text("Duration: 3 minutes.")
    rec.check(rpi.get_by_label("Single elbow"))
    rec.check(rpi.get_by_label("Risk of injury to others"))
    rec.type(rpi.get_by_label("Explain why it was necessary"), "About to hit him again")
    rec.tap(rpi.locator("input[name='rpi-pupil_injured'][value='yes']"))
    rec.tap(rpi.locator("input[name='rpi-staff_injured'][value='no']"))
    rec.type(rpi.get_by_label("Injuries"), "Red mark left wrist")
    rec.check(rpi.get_by_label("Left hand"))
    # Common answers are taps; the details are a few words.
    rec.tap(rpi.get_by_label("First aid in school"))
    rec.check(rpi.get_by_label("Debrief with the pupil planned"))
    rec.type(rpi.get_by_label("Who and when, or other support"), "Tomorrow 08:45")
    rpi.scroll_into_view_if_needed()
    screenshot(page, "log-incident-phone-2-restraint")

    rec.tap(page.get_by_role("button", name="Submit incident"))
    expect(page.get_by_text("Incident logged for Jay Okafor.")).to_be_visible()
    rec.report("The restraint record (phone)")
    screenshot(page, "log-incident-phone-3-confirmation")
    assert rec.human_seconds < 90

    with scopes_disabled():
        incident = Incident.objects.get()
        record = RestrictiveIntervention.objects.get()
        assert record.incident == incident
        assert record.body_map == ["hand_left"]
        assert record.minutes == 3
        assert record.medical_attention == "First aid in school"
        assert record.support_offered == "Debrief with the pupil planned\nTomorrow 08:45"
        assert record.positive_handling_plan is not None
        assert record.what_happened_before == incident.antecedent == "Ran at the Year 7 again"
        assert record.deescalation_tried == "Calm voice, few words; Offered the Reset Area"
        assert list(record.staff_involved.all()) == [assistant]
        assert incident.period.name == "P3 Maths"
        assert not IncidentDraft.objects.exists()

    # The SENCo, also on a phone, finds it first in the review queue (restraint first) and
    # reviews it, with a follow-up action.
    senco = make_page("phone")
    sign_in(senco, cast.user(Role.SENCO))
    senco.goto(f"/s/{cast.school_a.slug}/incidents/review/")
    first = senco.locator("ul.queue li").first
    expect(first).to_contain_text("Jay Okafor")
    expect(first).to_contain_text("Restrictive intervention")
    first.get_by_role("link").click()
    senco.get_by_label("Review notes").fill("Second corridor incident this week; review the plan.")
    senco.get_by_label("Follow-up action").first.fill("Update Jay's positive handling plan")
    senco.get_by_label("Who").first.select_option(label=cast.user(Role.SENCO).name)
    senco.get_by_label("Mark this incident as reviewed").check()
    screenshot(senco, "review-incident-phone-1-form")
    senco.get_by_role("button", name="Save review").click()
    screenshot(senco, "review-incident-phone-2-done")

    with scopes_disabled():
        incident.refresh_from_db()
        assert incident.status == "reviewed"
        assert incident.reviewed_by == cast.user(Role.SENCO)
        assert incident.actions.get().description == "Update Jay's positive handling plan"


def test_a_typical_incident_on_a_phone(make_page, cast, jay):
    """The issue's typical incident: from the home page, find the pupil, the ABC, one strategy,
    the outcome and parents, submit."""
    page = make_page("phone")
    sign_in(page, cast.user(Role.ASSISTANT))
    me = Interactions(page)

    me.tap(page.get_by_role("button", name="Log an incident"))
    me.page_changed()
    assert_no_sideways_scroll(page)
    me.type(page.get_by_placeholder("Type a name to find the pupil"), "jay")
    me.tap(page.get_by_label("Jay Okafor"))
    expect(page.get_by_text("What helps Jay")).to_be_visible()
    me.pick(labelled(page, "Where"), "Classroom")
    me.pick(labelled(page, "What kind of incident"), "Refusal / non-compliance")
    me.tap(page.get_by_label("Low", exact=True))
    me.type(labelled(page, "What you saw and heard"), "Refused to start work, put head down.")
    me.check(page.get_by_label("Calm voice, few words"))
    me.tap(page.get_by_label("Returned to lesson"))
    me.tap(page.get_by_label("Not yet", exact=True))
    me.tap(page.get_by_label("At pick-up today"))
    assert_no_sideways_scroll(page)
    screenshot(page, "log-incident-phone-typical")
    me.tap(page.get_by_role("button", name="Submit incident"))

    expect(page.get_by_text("Incident logged for Jay Okafor.")).to_be_visible()
    me.report("Typical incident (phone)")
    assert_no_sideways_scroll(page)
    with scopes_disabled():
        incident = Incident.objects.get()
        assert incident.outcome == "returned"
        assert incident.parents_informed_detail == "Will tell them at pick-up today"
        assert [s.label for s in incident.strategies.all()] == ["Calm voice, few words"]
        assert list(incident.staff_involved.all()) == [cast.user(Role.ASSISTANT)]


def test_an_unfinished_incident_comes_back_after_the_tab_is_closed(make_page, cast, jay):
    page = make_page("phone")
    sign_in(page, cast.user(Role.ASSISTANT))
    page.goto(f"/s/{cast.school_a.slug}/incidents/new/?pupil={jay.pk}")
    labelled(page, "Where").select_option(label="Playground")
    labelled(page, "What you saw and heard").fill("Half-way through typing when the bell went")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=8000)
    page.close()

    page = make_page("phone")
    sign_in(page, cast.user(Role.ASSISTANT))
    page.goto(f"/s/{cast.school_a.slug}/incidents/new/")
    page.get_by_role("button", name=re.compile("Continue your unfinished incident")).click()

    expect(labelled(page, "What you saw and heard")).to_have_value(
        "Half-way through typing when the bell went"
    )
    expect(page.get_by_label("Jay Okafor")).to_be_checked()
    expect(labelled(page, "Where")).to_have_value(
        labelled(page, "Where").locator("option", has_text="Playground").get_attribute("value")
    )
    screenshot(page, "log-incident-phone-4-draft-restored")


def test_errors_show_at_the_top_and_keep_what_was_typed(make_page, cast, jay):
    page = make_page("phone")
    sign_in(page, cast.user(Role.ASSISTANT))
    page.goto(f"/s/{cast.school_a.slug}/incidents/new/?pupil={jay.pk}")
    labelled(page, "What you saw and heard").fill("Shouted across the dining hall")
    page.get_by_label("Force / restraint was used").check()
    page.get_by_role("button", name="Submit incident").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Say where it happened.")).to_be_visible()
    expect(summary.get_by_role("link", name="Tick the holds or techniques used.")).to_be_visible()
    expect(labelled(page, "What you saw and heard")).to_have_value("Shouted across the dining hall")
    screenshot(page, "log-incident-phone-5-errors")
