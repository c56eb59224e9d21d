"""The attendance import: upload → preview → confirm, idempotency, and bad input refused row by
row (never a server error, never a half import)."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pupils.attendance_csv import parse_attendance_csv, preview_attendance
from pupils.mis import ImportFileError, decode_upload
from pupils.models import AttendanceRecord, PupilImport
from pupils.services.attendance_import import (
    apply_attendance_import,
    start_attendance_import,
)
from pupils.services.mis_import import ImportRefused
from semh.access import Role
from semh.models import AuditEvent

HEADERS = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "From",
    "To",
    "Possible Sessions",
    "Present",
    "Authorised Absence",
    "Unauthorised Absence",
]


def csv_bytes(rows, headers=HEADERS):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def week_rows(pupils, present="9"):
    return [
        [
            p.upn,
            p.legal_last_name,
            p.legal_first_name,
            "16/11/2026",
            "20/11/2026",
            "10",
            present,
            "1",
            "0",
        ]
        for p in pupils
    ]


def upload(client, school, content: bytes, name="attendance.csv"):
    url = reverse("pupils:attendance_import", args=[school.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")}, follow=True)


def latest(school):
    with scopes_disabled():
        return PupilImport.objects.filter(school=school, kind="attendance").latest("created_at")


def confirm(client, batch, **kw):
    url = reverse("pupils:attendance_import_confirm", args=[batch.school.slug, batch.pk])
    return client.post(url, **kw)


def records():
    with scopes_disabled():
        return list(AttendanceRecord.objects.order_by("pupil__upn").values())


@pytest.fixture
def senco(cast, login):
    return login(cast.user(Role.SENCO))


def test_upload_previews_then_confirm_writes_one_record_per_pupil(senco, cast):
    pupils = cast.pupils_a[:2]

    page = upload(senco, cast.school_a, csv_bytes(week_rows(pupils))).content.decode()

    assert "Import now: 2 new, 0 updated" in page and "90.0%" in page
    assert records() == []
    done = confirm(senco, latest(cast.school_a), follow=True).content.decode()
    assert "Attendance imported: 2 new, 0 updated, 0 unchanged." in done
    saved = records()
    assert [(r["possible"], r["present"], r["authorised"]) for r in saved] == [(10, 9, 1)] * 2
    assert saved[0]["starts_on"] == datetime.date(2026, 11, 16)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="attendance.import").count() == 1


def test_reimporting_the_same_file_changes_nothing_and_a_corrected_file_updates(senco, cast):
    pupils = cast.pupils_a[:2]
    upload(senco, cast.school_a, csv_bytes(week_rows(pupils)))
    confirm(senco, latest(cast.school_a))
    first = records()

    page = upload(senco, cast.school_a, csv_bytes(week_rows(pupils))).content.decode()
    assert "Import now: 0 new, 0 updated" in page
    confirm(senco, latest(cast.school_a))
    assert [r["id"] for r in records()] == [r["id"] for r in first]

    corrected = week_rows(pupils, present="8")
    corrected[0][7], corrected[1][7] = "2", "2"
    upload(senco, cast.school_a, csv_bytes(corrected))
    done = confirm(senco, latest(cast.school_a), follow=True).content.decode()
    assert "0 new, 2 updated" in done
    assert [(r["present"], r["authorised"]) for r in records()] == [(8, 2)] * 2
    assert len(records()) == 2


def test_confirming_twice_imports_once(senco, cast):
    upload(senco, cast.school_a, csv_bytes(week_rows(cast.pupils_a[:1])))
    batch = latest(cast.school_a)
    confirm(senco, batch)
    again = confirm(senco, batch, follow=True).content.decode()
    assert "already dealt with" in again
    assert len(records()) == 1


def test_unknown_upn_is_a_warning_and_is_not_created(senco, cast):
    rows = week_rows(cast.pupils_a[:1]) + week_rows(cast.pupils_b[:1])  # other school's pupil

    page = upload(senco, cast.school_a, csv_bytes(rows)).content.decode()

    assert "No pupil with UPN" in page and "Import now: 1 new" in page
    confirm(senco, latest(cast.school_a))
    assert len(records()) == 1


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        (6, "nine", "is not a whole number of sessions"),
        (6, "-1", "is not a whole number of sessions"),
        (6, "9.5", "is not a whole number of sessions"),
        (6, "11", "is more than the 10 possible sessions"),
        (5, "99999", "more sessions than a school year has"),
        (3, "31/02/2026", "is not a date"),
        (3, "2026-13-01", "is not a date"),
        (4, "01/11/2026", "is before From"),
        (2, "=HYPERLINK(1)", "could run as a formula"),
        (0, "", "UPN is missing"),
    ],
)
def test_bad_rows_are_refused_with_a_message_and_nothing_is_imported(
    senco, cast, cell, value, message
):
    rows = week_rows(cast.pupils_a[:2])
    rows[1][cell] = value

    page = upload(senco, cast.school_a, csv_bytes(rows))

    assert page.status_code == 200
    assert message in page.content.decode()
    assert "1 row has errors" in page.content.decode()
    response = confirm(senco, latest(cast.school_a), follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert records() == []


def test_duplicate_pupil_and_period_is_an_error(senco, cast):
    rows = week_rows(cast.pupils_a[:1]) * 2
    page = upload(senco, cast.school_a, csv_bytes(rows)).content.decode()
    assert "each pupil and period must appear once" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"UPN,From\x00,To\r\n", "encoding"),
        (b"", "The file is empty"),
        (b"UPN,Surname\r\nA1,B\r\n", "missing required columns"),
        (b"PK\x03\x04rest", "not a CSV file"),
    ],
)
def test_whole_file_problems_save_nothing(senco, cast, content, message):
    page = upload(senco, cast.school_a, content)
    assert page.status_code == 200 and message in page.content.decode()
    with scopes_disabled():
        assert not PupilImport.objects.filter(kind="attendance").exists()


def test_huge_file_is_refused(senco, cast):
    content = csv_bytes(week_rows(cast.pupils_a[:1])) + b"x" * (6 * 1024 * 1024)
    page = upload(senco, cast.school_a, content)
    assert page.status_code == 200 and "too large" in page.content.decode()


def test_template_downloads_with_the_documented_headings(senco, cast):
    response = senco.get(reverse("pupils:attendance_template", args=[cast.school_a.slug]))
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    first = body.decode("utf-8-sig").splitlines()[0]
    assert first.startswith("UPN,Legal Surname,Legal Forename,From,To,Possible Sessions,Present")


def test_assistant_is_refused_and_other_school_batch_is_not_found(cast, login, senco):
    upload(senco, cast.school_a, csv_bytes(week_rows(cast.pupils_a[:1])))
    batch = latest(cast.school_a)
    senco.logout()
    assistant = login(cast.user(Role.ASSISTANT))
    assert (
        assistant.get(reverse("pupils:attendance_import", args=[cast.school_a.slug])).status_code
        == 403
    )
    assistant.logout()
    other = login(cast.user(Role.SENCO, school="b"))
    url = reverse("pupils:attendance_import_preview", args=[cast.school_b.slug, batch.pk])
    assert other.get(url).status_code == 404
    assert (
        confirm(other, type("B", (), {"school": cast.school_b, "pk": batch.pk})).status_code == 404
    )
    assert records() == []


def test_pupil_import_pages_do_not_open_an_attendance_batch(senco, cast):
    upload(senco, cast.school_a, csv_bytes(week_rows(cast.pupils_a[:1])))
    batch = latest(cast.school_a)
    url = reverse("pupils:import_preview", args=[cast.school_a.slug, batch.pk])
    assert senco.get(url).status_code == 404


# --- Garbage in: never a server error, never a half import ---------------------------------

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=60,
)
CELLS = st.one_of(
    st.sampled_from(["", "0", "5", "10", "-1", "9.5", "1e3", "١٠", "=1+1", "\x00", " 7 "]),
    st.sampled_from(["16/11/2026", "20/11/2026", "31/02/2026", "2026-11-16", "11/16/2026"]),
    st.text(max_size=8),
)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=9, max_size=9), min_size=1, max_size=6))
def test_any_rows_preview_and_import_all_or_nothing(cast, rows):
    upns = [p.upn for p in cast.pupils_a[:3]]
    for i, row in enumerate(rows):
        if i % 2 == 0:
            row[0] = upns[i % 3]
    raw = csv_bytes(rows)
    senco = cast.user(Role.SENCO)
    school = cast.school_a
    with scopes_disabled():
        before = list(AttendanceRecord.objects.order_by("pk").values())
        try:
            text = decode_upload(raw)
            parse_attendance_csv(text)
        except ImportFileError as error:
            assert error.message
            return
        preview = preview_attendance(school=school, text=text)
        batch = start_attendance_import(actor=senco, school=school, filename="f.csv", text=text)
        try:
            outcome = apply_attendance_import(actor=senco, school=school, batch=batch)
        except ImportRefused:
            assert not preview.can_import
            assert list(AttendanceRecord.objects.order_by("pk").values()) == before
            return
        after = AttendanceRecord.objects.count()
        assert after == len(before) + outcome.created
        for record in AttendanceRecord.objects.all():
            assert record.present + record.authorised + record.unauthorised <= record.possible
