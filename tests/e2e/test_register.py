"""At phone width an assistant sees today's session on the home page, takes its register (one
tap marks a pupil absent, everyone else stays attended) and sees it saved."""

from datetime import date

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from interventions.models import Attendance, SessionAttendance
from semh.access import Role
from tests.e2e.conftest import screenshot
from tests.e2e.test_reset_area import sign_in
from tests.factories.interventions import EnrolmentFactory, GroupFactory

TODAY = date(2026, 11, 25)  # the suite's Wednesday


def test_assistant_takes_a_register_on_a_phone(live_server, phone_page, cast):
    with scopes_disabled():
        group = GroupFactory(
            programme__school=cast.school_a,
            programme__name="Lego-based therapy",
            name="Wednesday Lego",
            lead=cast.user(Role.ASSISTANT),
            weekday=TODAY.weekday(),
            starts_on=date(2026, 11, 4),
            planned_end_on=date(2026, 12, 16),
            room="Library",
        )
        for pupil in cast.pupils_a:
            EnrolmentFactory(group=group, pupil=pupil, starts_on=date(2026, 11, 4))
    absent = cast.pupils_a[1]
    page = phone_page
    sign_in(page, cast.user(Role.ASSISTANT))

    home = page.locator("section", has=page.get_by_role("heading", name="Sessions today"))
    expect(home).to_contain_text("Wednesday Lego")
    screenshot(page, "register-home-phone")
    home.get_by_role("button", name="Take register for Wednesday Lego").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wednesday Lego")
    row = page.locator("fieldset.register-pupil", has_text=absent.full_name)
    row.get_by_role("radio", name="Absent from school").click()  # one tap
    expect(row.get_by_label("Reason (optional)")).to_be_visible()
    expect(row.get_by_text("Engagement")).to_be_hidden()
    keen = page.locator("fieldset.register-pupil", has_text=cast.pupils_a[2].full_name)
    keen.get_by_role("radio", name="4", exact=True).click()
    screenshot(page, "register-phone")
    page.get_by_role("button", name="Save register").click()

    expect(page.locator(".messages")).to_contain_text(
        "Register saved for Wednesday Lego (4 attended, 1 absent)."
    )
    expect(page.get_by_role("link", name="Register taken ✓ 4/5")).to_be_visible()
    screenshot(page, "register-saved-phone")
    with scopes_disabled():
        marks = SessionAttendance.objects.filter(session__group=group)
        assert marks.get(enrolment__pupil=absent).attendance == Attendance.ABSENT
        assert marks.filter(attendance=Attendance.ATTENDED).count() == 4
