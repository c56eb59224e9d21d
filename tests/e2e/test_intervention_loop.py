"""The loop of issue 12 end to end: on a phone an assistant takes today's ELSA register and records
a pupil's exit SDQ; on a desktop the SENCo's effectiveness page then counts that pupil, and the
programme's figures change from small-group counts to a standardised change."""

from datetime import date

from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from interventions.models import MeasureDefinition, Session
from interventions.services.measures import record_result
from semh.access import Role
from tests.e2e.conftest import VIEWPORTS, screenshot
from tests.e2e.test_reset_area import sign_in
from tests.factories import PupilFactory
from tests.factories.interventions import EnrolmentFactory, GroupFactory, builtin_measures

TODAY = date(2026, 11, 25)  # the suite's Wednesday
START = date(2026, 9, 9)
# Four pupils already have both results (SDQ teacher totals, baseline → exit).
DONE = [(20, 14), (18, 15), (22, 20), (16, 16)]


def _sdq(senco, school, enrolment, point, taken_on, total):
    # Total difficulties = emotional + conduct + hyperactivity + peer.
    quarter, rest = divmod(total, 4)
    scores = {"emotional": quarter + rest, "conduct": quarter, "hyperactivity": quarter}
    record_result(
        actor=senco,
        school=school,
        pupil=enrolment.pupil,
        definition=MeasureDefinition.objects.get(key="sdq-teacher"),
        point=point,
        taken_on=taken_on,
        completed_by="Class teacher",
        subscale_scores={**scores, "peer": quarter},
        enrolment=enrolment,
    )


def test_assistant_registers_and_records_an_exit_sdq_and_the_senco_sees_the_change(
    browser, live_server, phone_page, cast
):
    school, senco, assistant = cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    pupil = cast.caseload[0]  # the assistant may open this pupil's record
    with scopes_disabled():
        builtin_measures()  # live_server tests start from an emptied database
        group = GroupFactory(
            programme__school=school,
            programme__name="ELSA",
            name="Wednesday ELSA",
            lead=assistant,
            weekday=TODAY.weekday(),
            starts_on=START,
            planned_end_on=date(2026, 12, 16),
        )
        mine = EnrolmentFactory(group=group, pupil=pupil, starts_on=START)
        _sdq(senco, school, mine, "baseline", START, 24)
        for pre, post in DONE:
            done = EnrolmentFactory(group=group, pupil=PupilFactory(school=school))
            _sdq(senco, school, done, "baseline", START, pre)
            _sdq(senco, school, done, "exit", date(2026, 11, 20), post)

    senco_page = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        **VIEWPORTS["desktop"],
    ).new_page()
    sign_in(senco_page, senco)
    effectiveness = reverse("reports:effectiveness", args=[school.slug])
    senco_page.goto(effectiveness)
    row = senco_page.get_by_role("row").filter(has_text="SDQ (teacher)")
    expect(row).to_contain_text("4 of 5")  # fewer than five pairs: counts, no effect size
    expect(row).to_contain_text("not shown")

    # The assistant, on a phone: today's register from the home page, one pupil absent.
    page = phone_page
    sign_in(page, assistant)
    page.get_by_role("button", name="Take register for Wednesday ELSA").click()
    absent = page.locator("fieldset.register-pupil", has_text=cast.pupils_a[0].full_name)
    absent.get_by_role("radio", name="Refused").click()
    page.get_by_role("button", name="Save register").click()
    expect(page.locator(".messages")).to_contain_text("Register saved for Wednesday ELSA")
    screenshot(page, "loop-register-saved-phone")

    # …then the pupil's exit SDQ from the paper form, by subscale totals (24 → 13).
    page.goto(reverse("interventions:result_create", args=[school.slug, pupil.pk]))
    page.get_by_label("Measure").select_option(label="SDQ (teacher)")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("link", name="subscale totals").click()
    page.get_by_label("Exit").check()
    page.get_by_label("Completed by").fill("Class teacher")
    for name, score in (("Emotional", 4), ("Conduct", 3), ("Hyperactivity", 4), ("Peer", 2)):
        page.get_by_label(name).fill(str(score))
    page.get_by_label("Prosocial").fill("7")
    # Linked to the pupil's one open enrolment unless changed.
    expect(page.get_by_label("Intervention")).to_have_value(str(mine.pk))
    screenshot(page, "loop-exit-sdq-phone")
    page.get_by_role("button", name="Save the result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SDQ (teacher): exit")

    # The SENCo's page now pairs all five: changes 6, 3, 2, 0, 11 → mean +4.4, 80% improved.
    senco_page.goto(effectiveness)
    row = senco_page.get_by_role("row").filter(has_text="SDQ (teacher)")
    expect(row).to_contain_text("5 of 5")
    expect(row).to_contain_text("+4.4")
    expect(row).to_contain_text("80% / 20% / 0%")
    expect(row).not_to_contain_text("not shown")
    screenshot(senco_page, "loop-effectiveness-desktop")
    with scopes_disabled():
        session = Session.objects.get(group=group, held_on=TODAY)
        assert session.marks.get(enrolment=mine).attendance == "refused"
