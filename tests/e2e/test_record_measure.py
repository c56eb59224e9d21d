"""At phone width an assistant records a pupil's exit SDQ by item scores from the paper form,
and the pupil page's Interventions section charts it against the baseline with its bands."""

from datetime import date

from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from interventions.models import MeasureDefinition, MeasureResult
from interventions.services.measures import record_result
from semh.access import Role
from tests.e2e.conftest import screenshot
from tests.e2e.test_reset_area import sign_in
from tests.factories.interventions import builtin_measures


def test_assistant_records_an_exit_sdq_at_phone_width_and_sees_it_charted(
    live_server, phone_page, cast
):
    pupil = cast.caseload[0]
    with scopes_disabled():
        builtin_measures()  # live_server tests start from an emptied database
        sdq = MeasureDefinition.objects.get(key="sdq-teacher")
        record_result(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            pupil=pupil,
            definition=sdq,
            point="baseline",
            taken_on=date(2026, 9, 10),
            completed_by="Class teacher",
            subscale_scores={"emotional": 6, "conduct": 5, "hyperactivity": 8, "peer": 3},
        )
    page = phone_page
    sign_in(page, cast.user(Role.ASSISTANT))
    page.goto(reverse("interventions:result_create", args=[cast.school_a.slug, pupil.pk]))
    page.get_by_label("Measure").select_option(label="SDQ (teacher)")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Exit").check()
    page.get_by_label("Completed by").fill("Class teacher")
    # Every item ticked 0: the reversed items (7, 11, 14, 21, 25) count 2 each, so total = 10.
    for n in range(1, 26):
        page.locator(f"input[name=item_{n}][value='0']").check()
    screenshot(page, "measure-record-sdq-items-phone")
    page.get_by_role("button", name="Save the result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SDQ (teacher): exit")
    expect(page.locator("table")).to_contain_text("Close to average")
    page.goto(reverse("pupils:detail", args=[cast.school_a.slug, pupil.pk]) + "#interventions")
    section = page.locator("#interventions")
    expect(section.locator("svg.chart")).to_be_visible()
    expect(section).to_contain_text("Very high 19–40")
    screenshot(page, "measure-pupil-section-phone")
    with scopes_disabled():
        exit_result = MeasureResult.objects.get(pupil=pupil, point="exit")
        assert exit_result.scores.get(subscale__key="total").score == 10
        assert exit_result.recorded_by == cast.user(Role.ASSISTANT)
