"""The 'what helps me' profile: the pupil page section, editing, the print view and the PDF."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import PupilProfile
from semh.access import Role
from semh.models import AuditEvent
from tests.factories.pupils import PupilProfileFactory

STRATEGIES = [
    "Greet me by name at the door and tell me where I am sitting",
    "Give me a job when I look restless",
    "Let me use my time-out card for five minutes in the Reset Area",
]


def url(name, pupil):
    kwargs = {"school_slug": pupil.school.slug, "pupil_id": pupil.pk}
    return reverse(f"pupils:{name}", kwargs=kwargs)


def make_profile(pupil, **fields):
    values = {
        "strategies_that_help": "\n".join(STRATEGIES),
        "triggers": "Sudden changes to the seating plan\nReading aloud in front of the class",
        "early_warning_signs": "Hood up, head down on the desk",
        "what_does_not_help": "Raising your voice or standing over me",
        "communication_preferences": "Short, clear instructions; give me take-up time.",
        "strengths_and_interests": "Football and drawing cartoons",
        "pupil_voice": "When I go quiet I am calming down, not being rude.",
        "parent_carer_view": "Mum says mornings are hardest after contact weekends.",
        "last_reviewed_on": datetime.date(2026, 9, 15),
        **fields,
    }
    with scopes_disabled():
        return PupilProfileFactory(pupil=pupil, **values)


def pdf_text(pdf: bytes, tmp_path) -> tuple[str, int]:
    """The PDF's text (pdftotext) and its page count (pdfinfo)."""
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
    return " ".join(text.split()), pages


def audit_actions(pupil):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(object_id=str(pupil.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        )


# Reading: the pupil page section, the print view and the PDF.


def test_assistant_reads_the_strategies_in_order_on_the_pupil_page(client, cast, login):
    pupil = cast.caseload[0]
    make_profile(pupil)
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("detail", pupil)).content.decode()

    section = page[page.index('<h2 id="profile-h">What helps me</h2>') :]
    strategies = re.search(r'<ol class="profile-strategies">(.*?)</ol>', section, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", strategies) == STRATEGIES
    assert "Hood up, head down on the desk" in section
    assert "Last reviewed 15/09/2026" in section
    assert url("profile_print", pupil) in section
    assert url("profile_pdf", pupil) in section
    assert url("profile_edit", pupil) not in section


def test_senco_sees_an_invitation_to_write_a_missing_profile(client, cast, login):
    pupil = cast.pupils_a[3]
    login(cast.user(Role.SENCO))

    page = client.get(url("detail", pupil)).content.decode()

    assert 'No "what helps me" profile yet.' in page
    assert url("profile_edit", pupil) in page


def test_assistant_opens_the_print_view_without_the_screen_framework(client, cast, login):
    pupil = cast.caseload[0]
    make_profile(pupil)
    login(cast.user(Role.ASSISTANT))

    response = client.get(url("profile_print", pupil))

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "pico" not in page and "css/profile-print.css" in page
    assert all(s in page for s in STRATEGIES)
    assert f"Confidential</strong> — Alder School — printed {timezone.localdate():%d/%m/%Y}" in page
    assert audit_actions(pupil) == ["profile.print"]


def test_assistant_downloads_a_one_page_pdf_of_the_profile(client, cast, login, tmp_path):
    pupil = cast.caseload[0]
    make_profile(pupil)
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)

    response = client.get(url("profile_pdf", pupil))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="what-helps-me-')
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    text, pages = pdf_text(response.content, tmp_path)
    assert pages == 1
    assert pupil.full_name in text and "Year 7" in text
    for strategy in STRATEGIES:
        assert strategy in text
    assert "Hood up, head down on the desk" in text
    assert "When I go quiet I am calming down" in text
    printed = f"printed {timezone.localdate():%d/%m/%Y} by {assistant.name}"
    assert f"Confidential — Alder School — {printed}" in text
    assert audit_actions(pupil) == ["profile.pdf"]


def test_pdf_and_print_view_never_show_safeguarding_status_or_the_parent_view(
    client, cast, login, tmp_path
):
    pupil = cast.caseload[0]
    with scopes_disabled():
        pupil.safeguarding_status = "CP"
        pupil.looked_after = True
        pupil.save()
    make_profile(pupil)
    login(cast.user(Role.DSL))

    text, _ = pdf_text(client.get(url("profile_pdf", pupil)).content, tmp_path)
    page = client.get(url("profile_print", pupil)).content.decode()

    for shown in (text, page):
        assert "Child protection" not in shown and "CP" not in shown.split()
        assert "Looked after" not in shown
        assert "contact weekends" not in shown


def test_an_absurdly_long_profile_still_prints_on_one_page(client, cast, login, tmp_path):
    pupil = cast.caseload[0]
    make_profile(
        pupil,
        strategies_that_help="\n".join(f"Strategy number {n} that helps" for n in range(1, 200)),
        triggers="very long trigger text " * 2000,
        pupil_voice="I " + "really " * 3000 + "like drawing",
    )
    login(cast.user(Role.ASSISTANT))

    text, pages = pdf_text(client.get(url("profile_pdf", pupil)).content, tmp_path)

    assert pages == 1
    assert "Strategy number 1 that helps" in text
    assert "continued in the pupil's record" in text


def test_a_pupil_without_a_profile_prints_a_page_saying_so(client, cast, login, tmp_path):
    pupil = cast.caseload[1]
    login(cast.user(Role.ASSISTANT))

    text, pages = pdf_text(client.get(url("profile_pdf", pupil)).content, tmp_path)

    assert pages == 1
    assert "has been written for" in text


# Who may reach what.


@pytest.mark.parametrize("name", ["detail", "profile_print", "profile_pdf"])
def test_assistant_without_the_pupil_on_caseload_gets_not_found(client, cast, login, name):
    pupil = cast.caseload[0]
    make_profile(pupil)
    login(cast.assistant_no_caseload)

    assert client.get(url(name, pupil)).status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action__startswith="profile.").exists()


@pytest.mark.parametrize("name", ["profile_edit", "profile_print", "profile_pdf"])
def test_another_schools_senco_gets_not_found(client, cast, login, name):
    pupil = cast.pupils_a[0]
    make_profile(pupil)
    login(cast.user(Role.SENCO, "b"))

    assert client.get(url(name, pupil)).status_code == 404
    assert client.post(url(name, pupil)).status_code == 404


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SLT, Role.ASSISTANT, Role.DSL])
def test_only_the_senco_may_edit_the_profile(client, cast, login, role):
    pupil = cast.caseload[0]
    login(cast.user(role))

    assert client.get(url("profile_edit", pupil)).status_code == 403
    response = client.post(url("profile_edit", pupil), {"strategies_that_help": "Shout"})

    assert response.status_code == 403
    with scopes_disabled():
        assert not PupilProfile.objects.filter(pupil=pupil).exists()


# Editing.


def test_opening_the_edit_form_does_not_create_a_profile(client, cast, login):
    pupil = cast.pupils_a[2]
    login(cast.user(Role.SENCO))

    response = client.get(url("profile_edit", pupil))

    assert response.status_code == 200
    assert 'for="id_strategies_that_help"' in response.content.decode()
    with scopes_disabled():
        assert not PupilProfile.objects.filter(pupil=pupil).exists()


def test_senco_writes_a_profile_which_is_marked_reviewed_today_by_them(client, cast, login):
    pupil = cast.pupils_a[2]
    senco = cast.user(Role.SENCO)
    login(senco)

    response = client.post(
        url("profile_edit", pupil),
        {"strategies_that_help": "Sit me near the door\n\nGive me a job", "triggers": "Noise"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("detail", pupil) + "#profile"
    with scopes_disabled():
        profile = PupilProfile.objects.get(pupil=pupil)
    assert profile.strategies == ["Sit me near the door", "Give me a job"]
    assert profile.triggers == "Noise"
    assert profile.last_reviewed_on == timezone.localdate()
    assert profile.last_reviewed_by == senco
    with scopes_disabled():
        event = AuditEvent.objects.get(action="profile.update")
    assert event.actor == senco and event.object_id == str(pupil.pk)
    assert event.detail["created"] is True
    assert "Noise" not in str(event.detail)  # ids and field names only, never the text
    page = client.get(url("detail", pupil)).content.decode()
    assert f"Last reviewed {timezone.localdate():%d/%m/%Y} by {senco.name}" in page


def test_saving_an_existing_profile_updates_it_and_its_review(client, cast, login):
    pupil = cast.caseload[0]
    profile = make_profile(pupil, last_reviewed_by=cast.user(Role.DSL))
    senco = cast.user(Role.SENCO)
    login(senco)

    form = client.get(url("profile_edit", pupil)).content.decode()
    assert STRATEGIES[0] in form
    response = client.post(
        url("profile_edit", pupil),
        {"strategies_that_help": "Only this now", "pupil_voice": profile.pupil_voice},
    )

    assert response.status_code == 302
    with scopes_disabled():
        profile.refresh_from_db()
        assert PupilProfile.objects.filter(pupil=pupil).count() == 1
    assert profile.strategies == ["Only this now"]
    assert profile.triggers == ""
    assert (profile.last_reviewed_on, profile.last_reviewed_by) == (timezone.localdate(), senco)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="profile.update")
    assert event.detail["created"] is False
    assert "strategies_that_help" in event.detail["fields"]


def test_overlong_text_is_refused_with_an_error_next_to_the_field(client, cast, login):
    pupil = cast.pupils_a[2]
    login(cast.user(Role.SENCO))

    response = client.post(url("profile_edit", pupil), {"triggers": "x" * 4001})

    assert response.status_code == 200
    assert 'id="id_triggers_error"' in response.content.decode()
    with scopes_disabled():
        assert not PupilProfile.objects.filter(pupil=pupil).exists()
