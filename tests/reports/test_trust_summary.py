# ruff: noqa: F811 - the SLT page tests' fixtures, imported, are the arguments of these tests
"""The trust summary: the SLT page's headline figures of several schools as a PDF, with the trust
total as ``schools_table`` works it out. Asked for on the SLT page by whoever sees the reports of
two or more schools; opened (status, download) by whoever sees the reports of every school it
covers; made again only while the requester still does.

The figures are those of the SLT page's tests (``test_slt_dashboard.schools``): Alder 2 incidents
and Birch 1 this term, 3 in all; returned to lesson 5 of 7 = 71%; attendance 80.0%.
"""

import datetime
import re
import subprocess

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reports.documents import KINDS, render_document, summary_params
from reports.documents.trust_summary import trust_name
from reports.headlines import columns_on, schools_table
from reports.models import ReportRequest
from reports.services.report_requests import request_report, run_report
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory
from tests.reports.test_documents import poppler
from tests.reports.test_report_requests import queue  # noqa: F401 - the real Redis queue
from tests.reports.test_slt_dashboard import schools, trust_leader  # noqa: F401 - fixtures

D = datetime.date
ON = D(2026, 11, 25)
SLT_PAGE = "/reports/schools/"
ASK = reverse("summary_request")


def pdf_text(content: bytes, *, layout=False) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=content, capture_output=True, check=True).stdout.decode()


def only_summary():
    with scopes_disabled():
        return ReportRequest.objects.summaries().get()


@pytest.fixture
def another_leader(cast):
    """A second member of SLT in both schools."""
    with scopes_disabled():
        user = UserFactory(email="deputy-ceo@trust.example")
        for school in (cast.school_a, cast.school_b):
            MembershipFactory(user=user, school=school, role=Role.SLT)
    return user


@pytest.fixture
def made(schools, trust_leader):
    """The trust leader's summary of both schools, made (the worker's job, run here)."""
    report = request_report(
        actor=trust_leader,
        school=None,
        kind="trust_summary",
        params=summary_params([s.pk for s in schools], ON),
    ).report
    assert run_report(report.pk) == "done", report.error
    report.refresh_from_db()
    return report


def test_the_pdf_holds_each_school_and_the_trust_total_schools_table_works_out(
    cast, schools, tmp_path
):
    a, b = schools
    table = schools_table(columns_on([a, b], ON))

    rendered = render_document("trust_summary", None, summary_params([b.pk, a.pk], ON))
    text = pdf_text(rendered.pdf)
    lines = pdf_text(rendered.pdf, layout=True).splitlines()

    assert "Alder School" in text and "Birch School" in text and "Trust total" in text
    assert "Autumn 2026/27" in text and "terms running on 25/11/2026".lower() in text.lower()
    for row in table.rows:
        # The row of the term's figures (the first with the label): each school's, then the total.
        line = next(line for line in lines if line.strip().startswith(row.headline.label[:18]))
        shown = [c.value.shown for c in row.cells] + [row.total.value.shown]
        assert all(value in line for value in shown), (line, shown)
        assert row.definition in " ".join(text.split())
    totals = {row.headline.key: row.total.value.shown for row in table.rows}
    assert (totals["incidents"], totals["returned"], totals["attendance"]) == ("3", "71%", "80.0%")
    assert "For the trust's senior leaders" in text
    # The termly report's print base: A4, tagged, titled, the running header and page x of y.
    read = poppler(rendered.pdf, tmp_path)
    info = read["info"]
    assert info["Page size"].startswith("595") and "(A4)" in info["Page size"]
    assert info["Tagged"] == "yes" and int(info["Pages"]) == rendered.pages >= 3
    assert info["Title"] == rendered.title and rendered.title.startswith(KINDS["trust_summary"])
    assert info["Author"] == trust_name([a, b])
    assert f"Page 2 of {rendered.pages}" in read["text"]
    assert read["text"].count("Terms running on 25/11/2026") >= rendered.pages - 1
    assert rendered.warnings == []
    for pupil in [*cast.pupils_a, *cast.pupils_b]:
        assert pupil.full_name not in text


def test_slt_of_both_schools_ask_on_the_slt_page_and_the_same_summary_again_is_that_one(
    client,
    cast,
    schools,
    trust_leader,
    another_leader,
    queue,
    django_capture_on_commit_callbacks,
):
    client.force_login(trust_leader)
    page = client.get(SLT_PAGE, {"on": "2026-11-25"}).content.decode()
    assert f'action="{ASK}"' in page and "Alder School, Birch School" in page

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(ASK, {"on": "2026-11-25"})
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(ASK, {"on": "2026-11-25"})

    report = only_summary()
    assert first.status_code == 302 and first["Location"] == again["Location"]
    assert first["Location"] == reverse("summary", args=[report.pk])
    assert report.school is None and report.requested_by == trust_leader
    ids = sorted([cast.school_a.pk, cast.school_b.pk])
    assert report.params == {"schools": f"{ids[0]},{ids[1]}", "on": "2026-11-25"}
    status = client.get(first["Location"]).content.decode()
    assert "Waiting to start" in status and 'hx-trigger="every 2s"' in status
    assert "already on its way" in status and queue() == 1
    with scopes_disabled():
        asked = AuditEvent.objects.filter(action=AuditAction.REPORT_REQUEST, actor=trust_leader)
        assert sorted(e.school_id for e in asked) == ids
    # Someone else asking for the same summary has their own.
    client.force_login(another_leader)
    assert client.post(ASK, {"on": "2026-11-25"})["Location"] != first["Location"]


def test_a_leader_of_only_one_schools_reports_cannot_ask_for_it_nor_open_one(
    client,
    cast,
    made,
    another_leader,
):
    page_url = reverse("summary", args=[made.pk])
    download_url = reverse("summary_download", args=[made.pk])
    with scopes_disabled():
        # SLT of Alder, DSL of Birch: sees both schools' dashboards, the reports of Alder only.
        half = UserFactory(email="half@trust.example")
        MembershipFactory(user=half, school=cast.school_a, role=Role.SLT)
        MembershipFactory(user=half, school=cast.school_b, role=Role.DSL)
    for user in (cast.user(Role.SLT), cast.user(Role.SENCO, "b"), half):
        client.force_login(user)
        slt_page = client.get(SLT_PAGE).content.decode()
        assert ASK not in slt_page
        assert client.post(ASK, {"on": "2026-11-25"}).status_code == 404, user
        assert client.get(page_url).status_code == 404, user
        assert client.get(download_url).status_code == 404, user
        assert client.post(reverse("summary_retry", args=[made.pk])).status_code == 404
    assert "Birch School" in slt_page  # half sees Birch's figures, yet asks for no summary of it
    with scopes_disabled():
        assert ReportRequest.objects.summaries().count() == 1
    # Anyone who holds the reports of every school it covers opens it, not only its requester.
    client.force_login(another_leader)
    assert "Download the PDF" in client.get(page_url).content.decode()


def test_the_download_asks_for_the_password_again_and_is_audited_in_each_school(
    client,
    cast,
    login,
    made,
    trust_leader,
):
    url = reverse("summary_download", args=[made.pk])
    client.force_login(trust_leader)  # no sign-in recorded: the password is asked again
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action=AuditAction.REPORT_DOWNLOAD).exists()

    client.logout()
    login(trust_leader)
    response = client.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "summary-2026-11-25.pdf" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Trust summary of the termly figures" in text and "Birch School" in text
    with scopes_disabled():
        downloads = AuditEvent.objects.filter(action=AuditAction.REPORT_DOWNLOAD)
        assert sorted(e.school_id for e in downloads) == sorted(
            [cast.school_a.pk, cast.school_b.pk]
        )
        assert {(e.actor, e.object_id, e.detail["kind"]) for e in downloads} == {
            (trust_leader, str(made.pk), "trust_summary")
        }


def test_a_summary_whose_requester_lost_one_schools_reports_fails_with_a_reason(
    client,
    cast,
    schools,
    trust_leader,
    another_leader,
):
    report = request_report(
        actor=trust_leader,
        school=None,
        kind="trust_summary",
        params=summary_params([s.pk for s in schools], ON),
    ).report
    with scopes_disabled():
        trust_leader.memberships.filter(school=cast.school_b).update(is_active=False)

    assert run_report(report.pk) == "failed"

    report.refresh_from_db()
    assert "can no longer see the reports of every school it covers" in report.error
    assert not report.ready
    client.force_login(another_leader)
    page = client.get(reverse("summary", args=[report.pk])).content.decode()
    assert report.error in page.replace("&#x27;", "'") and "Try again" in page


def test_params_naming_no_school_or_no_day_are_refused_in_words(cast, schools):
    from reports.documents import DocumentError

    with pytest.raises(DocumentError, match="schools of this summary were not found"):
        render_document("trust_summary", None, {"schools": "999999", "on": "2026-11-25"})
    with pytest.raises(DocumentError, match="not a date"):
        ids = ",".join(str(s.pk) for s in schools)
        render_document("trust_summary", None, {"schools": ids, "on": "someday"})
    assert re.fullmatch(r"\d+,\d+", summary_params([s.pk for s in schools], ON)["schools"])
