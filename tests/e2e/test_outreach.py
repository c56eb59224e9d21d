"""Outreach across schools in the browser: the lead practitioner finds every open referral of the
service across its schools on a phone and opens one; the outreach assistant writes in the referred
pupil's daily log; the SENCo ends the referral and the outreach assistant finds the record gone."""

from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from pupils.models import DailyNote
from semh.access import Role, ServiceRole
from tests.e2e.conftest import screenshot
from tests.e2e.test_log_incident import PASSWORD, assert_no_sideways_scroll, sign_in
from tests.factories import PupilFactory
from tests.factories.pupils import (
    OutreachServiceFactory,
    ReferralFactory,
    SupportPlanFactory,
    TargetFactory,
    service_staff,
)


def sign_in_to_choose(page, user):
    """Outreach staff work in several schools: signing in lands on the choice of school."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a school")


def test_outreach_referral_from_the_lead_practitioners_page_to_its_end(make_page, cast):
    with scopes_disabled():
        service = OutreachServiceFactory(
            name="Bridges Outreach", slug="bridges", schools=[cast.school_a, cast.school_b]
        )
        worker = service_staff(service, email="kim@bridges.example")
        lead = service_staff(service, ServiceRole.LEAD_PRACTITIONER, email="dee@bridges.example")
        maya = PupilFactory(school=cast.school_a, legal_first_name="Maya", legal_last_name="Reid")
        plan = SupportPlanFactory(pupil=maya)
        TargetFactory(plan=plan, description="Stays in class for a whole lesson")
        referral = ReferralFactory(pupil=maya, service=service, plan=plan)
        theo = PupilFactory(school=cast.school_b, legal_first_name="Theo", legal_last_name="Marsh")
        ReferralFactory(pupil=theo, service=service)

    page = make_page("phone")
    sign_in_to_choose(page, lead)
    page.get_by_role("button", name="Open referrals across").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open referrals")
    expect(page.locator("main")).to_contain_text("2 open referrals")
    expect(page.get_by_role("heading", name=cast.school_a.name)).to_be_visible()
    expect(page.get_by_role("heading", name=cast.school_b.name)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Stays in class for a whole lesson")
    for other in cast.pupils_a + cast.pupils_b:
        expect(page.locator("main")).not_to_contain_text(other.full_name)
    assert_no_sideways_scroll(page)
    screenshot(page, "outreach-lead-referrals-phone")
    page.get_by_role("link", name="Theo Marsh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Theo Marsh")

    page = make_page("phone")
    sign_in_to_choose(page, worker)
    page.goto(reverse("school_home", args=[cast.school_a.slug]))
    expect(page.locator("main")).to_contain_text("Pupils referred to your service")
    page.get_by_role("link", name="Maya Reid").click()
    page.get_by_role("button", name="Quick note").first.click()
    page.get_by_label("Note").fill("Stayed in maths all lesson")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".daily-notes")).to_contain_text("Stayed in maths all lesson")
    screenshot(page, "outreach-assistant-note-phone")

    senco = make_page("desktop")
    sign_in(senco, cast.user(Role.SENCO))
    senco.goto(reverse("pupils:detail", args=[cast.school_a.slug, maya.pk]))
    expect(senco.locator(".daily-notes")).to_contain_text("Stayed in maths all lesson")
    senco.locator("#referrals").get_by_role("link", name="End the referral").click()
    senco.get_by_label("How it ended").fill("Back in class full time")
    senco.get_by_role("button", name="End the referral today").click()
    expect(senco.locator("#referrals")).to_contain_text("Ended")
    screenshot(senco, "outreach-referral-ended-desktop")

    response = page.goto(reverse("pupils:detail", args=[cast.school_a.slug, maya.pk]))
    assert response.status == 404
    with scopes_disabled():
        assert DailyNote.objects.filter(pupil=maya, recorded_by=worker).count() == 1
        referral.refresh_from_db()
        assert referral.end_note == "Back in class full time"
