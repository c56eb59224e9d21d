"""An admin invites a new assistant, who accepts, is given a caseload and sees exactly it."""

import re

from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled

from pupils.models import Pupil
from semh.models import User
from tests.e2e.conftest import screenshot

DEMO_PASSWORD = "semh-demo-2026"
NEW_EMAIL = "new.assistant@demo.example"


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_invites_an_assistant_who_then_sees_exactly_their_caseload(make_page):
    call_command("seed_demo", "--force")
    mail.outbox.clear()
    admin = make_page("desktop")
    sign_in(admin, "admin@demo.example", DEMO_PASSWORD)

    admin.goto("/s/oakfield/staff/invite/")
    admin.get_by_label("Email address").fill(NEW_EMAIL)
    admin.get_by_label("Role").select_option("assistant")
    admin.get_by_role("button", name="Send invitation").click()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invite/\S+/", mail.outbox[0].body).group(0)
    screenshot(admin, "invite-sent-desktop")

    newcomer = make_page("phone")
    newcomer.goto(link)
    newcomer.get_by_label("First name").fill("Ola")
    newcomer.get_by_label("Last name").fill("Nowak")
    newcomer.get_by_label("Choose a password").fill("a-long-new-passphrase-2026")
    newcomer.get_by_label("Type the password again").fill("a-long-new-passphrase-2026")
    newcomer.get_by_role("button", name="Create my account").click()
    newcomer.wait_for_url(re.compile(r"/s/oakfield/$"))
    screenshot(newcomer, "invitee-home-phone")
    newcomer.goto("/s/oakfield/pupils/")
    assert "0 pupils" in newcomer.content()

    member = User.objects.get(email=NEW_EMAIL)
    admin.goto(f"/s/oakfield/staff/{member.public_id}/caseload/")
    whole_form = admin.get_by_role("region", name="A whole form or year group")
    form_name = (
        whole_form.get_by_label("Form / class").locator("option").nth(1).get_attribute("value")
    )
    whole_form.get_by_label("Form / class").select_option(form_name)
    whole_form.get_by_role("button", name="Add to caseload").click()
    screenshot(admin, "caseload-given-desktop")

    newcomer.goto("/s/oakfield/pupils/")
    screenshot(newcomer, "invitee-caseload-phone")
    with scopes_disabled():
        expected = set(
            Pupil.objects.filter(school__slug="oakfield", form=form_name)
            .on_roll()
            .values_list("pk", flat=True)
        )
    shown = {
        href.split("/")[-2]
        for href in newcomer.locator("table.pupil-table a[href*='/pupils/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    }
    assert expected and shown == {str(pk) for pk in expected}
