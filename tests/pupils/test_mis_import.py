"""The MIS import: upload → preview → confirm, file and row checks, and property tests (garbage
in never means a server error, and an import is all or nothing; on SQLite and PostgreSQL alike)."""

import csv
import datetime
import html
import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pupils.mis import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    BadValue,
    ImportFileError,
    clean_date_of_birth,
    clean_primary_need,
    clean_sen_status,
    clean_year_group,
    decode_upload,
    parse_csv,
    preview_import,
)
from pupils.models import Pupil, PupilImport
from pupils.selectors import access_import
from pupils.services.mis_import import ImportRefused, apply_import, start_import
from pupils.validators import upn_check_letter
from semh.access import Role
from semh.models import AuditEvent
from semh.tenancy import resolve_school_access
from tests.conftest import SUITE_DAY
from tests.factories import MembershipFactory, PupilFactory, SchoolFactory, UserFactory
from tests.factories.pupils import PupilImportFactory

SAMPLE = Path(__file__).parent / "data" / "mis_sample.csv"
SIMS_HEADERS = ["UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Year", "Reg Group"]


def file_upn(n: int) -> str:
    """UPNs of a range no factory uses."""
    body = f"888{n:09d}"
    return upn_check_letter(body) + body


def csv_bytes(rows, headers=SIMS_HEADERS, encoding="utf-8", newline="\r\n", delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def good_rows(count=3):
    return [
        [file_upn(i), f"Surname{i}", f"Forename{i}", "14/03/2013", "Year 7", "7AB"]
        for i in range(1, count + 1)
    ]


def import_url(school):
    return reverse("pupils:import", kwargs={"school_slug": school.slug})


def preview_url(pupil_import):
    return reverse(
        "pupils:import_preview",
        kwargs={"school_slug": pupil_import.school.slug, "import_id": pupil_import.pk},
    )


def confirm_url(pupil_import):
    return reverse(
        "pupils:import_confirm",
        kwargs={"school_slug": pupil_import.school.slug, "import_id": pupil_import.pk},
    )


def upload(client, school, content: bytes, name="pupils.csv"):
    return client.post(
        import_url(school), {"file": SimpleUploadedFile(name, content, "text/csv")}, follow=True
    )


def latest_import(school):
    with scopes_disabled():
        return PupilImport.objects.filter(school=school).latest("created_at")


def pupils_of(school):
    with scopes_disabled():
        return {p.upn: p for p in Pupil.objects.filter(school=school)}


def counts():
    with scopes_disabled():
        return Pupil.objects.count(), PupilImport.objects.count()


@pytest.fixture
def senco(cast, login):
    return login(cast.user(Role.SENCO))


# --- A good file ----------------------------------------------------------------------------


def test_sample_file_previews_then_imports_every_pupil_with_the_right_values(senco, cast):
    before = len(pupils_of(cast.school_a))

    preview = upload(senco, cast.school_a, SAMPLE.read_bytes(), name="mis_sample.csv")

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "New pupils (10)" in page and "Testpupil" in page
    assert "Import now: 10 new, 0 updated" in page
    assert len(pupils_of(cast.school_a)) == before  # nothing saved to pupils yet
    batch = latest_import(cast.school_a)
    assert batch.status == PupilImport.Status.PREVIEWED and batch.row_count == 10

    done = senco.post(confirm_url(batch), follow=True)

    assert "Imported: 10 new, 0 updated, 0 unchanged." in done.content.decode()
    pupils = pupils_of(cast.school_a)
    assert len(pupils) == before + 10
    alpha, bravo = pupils["R999123424001"], pupils["F999123424002"]
    assert (alpha.legal_first_name, alpha.legal_last_name, alpha.preferred_first_name) == (
        "Alpha",
        "Testpupil",
        "Al",
    )
    assert alpha.date_of_birth == datetime.date(2013, 3, 14)
    assert (alpha.gender, alpha.year_group, alpha.form) == ("F", 7, "7AB")
    assert (alpha.sen_status, alpha.primary_need) == ("K", "SEMH")
    assert bravo.date_of_birth == datetime.date(2012, 9, 2)  # 2/9/2012 is 2 September
    assert (bravo.year_group, bravo.sen_status, bravo.primary_need) == (8, "E", "ASD")
    assert pupils["J999123424004"].year_group == 0  # Reception
    assert pupils["Y999123424005"].year_group == -2  # N1
    assert pupils["M999123424006"].year_group == -1  # N2
    assert pupils["V999123424003"].sen_status == "N"  # blank SEN status
    batch.refresh_from_db()
    assert batch.status == PupilImport.Status.IMPORTED
    assert (batch.created_count, batch.updated_count, batch.content) == (10, 0, "")


def test_import_is_audited_with_counts_and_no_names(senco, cast):
    upload(senco, cast.school_a, SAMPLE.read_bytes())
    batch = latest_import(cast.school_a)

    senco.post(confirm_url(batch))

    with scopes_disabled():
        event = AuditEvent.objects.get(action="pupil.import")
    assert event.detail == {"rows": 10, "created": 10, "updated": 0, "unchanged": 0}
    assert event.object_id == str(batch.pk) and event.actor == cast.user(Role.SENCO)
    with scopes_disabled():
        assert "Testpupil" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_confirming_twice_imports_once(senco, cast):
    upload(senco, cast.school_a, SAMPLE.read_bytes())
    batch = latest_import(cast.school_a)
    senco.post(confirm_url(batch))
    before = counts()

    again = senco.post(confirm_url(batch), follow=True)

    assert "already dealt with; nothing was changed" in again.content.decode()
    assert counts() == before
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="pupil.import").count() == 1


def test_reimporting_the_same_file_updates_and_never_duplicates(senco, cast):
    rows = good_rows(3)
    upload(senco, cast.school_a, csv_bytes(rows))
    senco.post(confirm_url(latest_import(cast.school_a)))
    count = len(pupils_of(cast.school_a))
    rows[0][5] = "8XY"  # moved form
    rows[1][4] = "Year 8"

    preview = upload(senco, cast.school_a, csv_bytes(rows))
    senco.post(confirm_url(latest_import(cast.school_a)))

    assert "Updates to pupils already here (2)" in preview.content.decode()
    assert "Already up to date (1)" in preview.content.decode()
    pupils = pupils_of(cast.school_a)
    assert len(pupils) == count
    assert pupils[file_upn(1)].form == "8XY" and pupils[file_upn(2)].year_group == 8
    batch = latest_import(cast.school_a)
    assert (batch.created_count, batch.updated_count) == (0, 2)


def test_a_pupil_added_between_preview_and_confirm_is_updated_not_duplicated(senco, cast):
    upload(senco, cast.school_a, csv_bytes(good_rows(2)))
    with scopes_disabled():
        PupilFactory(school=cast.school_a, upn=file_upn(1), form="OLD")

    senco.post(confirm_url(latest_import(cast.school_a)))

    pupils = pupils_of(cast.school_a)
    assert pupils[file_upn(1)].form == "7AB"
    assert len([u for u in pupils if u in {file_upn(1), file_upn(2)}]) == 2


def test_updating_an_archived_pupil_keeps_them_archived(senco, cast):
    leaver = cast.pupils_a[0]
    with scopes_disabled():
        Pupil.objects.filter(pk=leaver.pk).update(left_on=datetime.date(2024, 7, 19))
    rows = [[leaver.upn, "Newsurname", leaver.legal_first_name, "14/03/2013", "Year 9", "9Z"]]

    preview = upload(senco, cast.school_a, csv_bytes(rows))
    senco.post(confirm_url(latest_import(cast.school_a)))

    assert "stays archived" in preview.content.decode()
    leaver.refresh_from_db()
    assert leaver.left_on == datetime.date(2024, 7, 19)
    assert (leaver.legal_last_name, leaver.year_group, leaver.form) == ("Newsurname", 9, "9Z")


def test_columns_not_in_the_file_leave_existing_values_alone(senco, cast):
    pupil = cast.pupils_a[1]
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(sen_status="E", primary_need="SEMH", gender="F")
    rows = [[pupil.upn, pupil.legal_last_name, pupil.legal_first_name, "1/9/2013", "8", "8A"]]

    upload(senco, cast.school_a, csv_bytes(rows))
    senco.post(confirm_url(latest_import(cast.school_a)))

    pupil.refresh_from_db()
    assert (pupil.sen_status, pupil.primary_need, pupil.gender) == ("E", "SEMH", "F")
    assert (pupil.date_of_birth, pupil.year_group) == (datetime.date(2013, 9, 1), 8)


def test_discarded_upload_cannot_be_imported(senco, cast):
    upload(senco, cast.school_a, csv_bytes(good_rows(2)))
    batch = latest_import(cast.school_a)
    before = len(pupils_of(cast.school_a))

    senco.post(reverse("pupils:import_discard", args=[cast.school_a.slug, batch.pk]))
    senco.post(confirm_url(batch))

    batch.refresh_from_db()
    assert (batch.status, batch.content) == (PupilImport.Status.DISCARDED, "")
    assert len(pupils_of(cast.school_a)) == before


# --- Header variants and encodings ------------------------------------------------------------

ARBOR = [
    "Unique Pupil Number",
    "Last Name",
    "First Name",
    "Preferred First Name",
    "Preferred Last Name",
    "Date Of Birth",
    "Gender",
    "Year Group",
    "Registration Group",
    "SEN Status",
    "Primary SEN Need",
]
SIMS = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Preferred Forename",
    "Preferred Surname",
    "DOB",
    "Gender",
    "NC Year",
    "Reg Group",
    "SEN",
    "SEN Primary Need",
]
BROMCOM = [
    "upn",
    "SURNAME",
    "forename",
    "Known As",
    "preferred_surname",
    "  date of  birth ",
    "Sex",
    "Curriculum Year",
    "Tutor Group",
    "Sen status",
    "Primary Need",
]


@pytest.mark.parametrize("headers", [ARBOR, SIMS, BROMCOM], ids=["arbor", "sims", "bromcom"])
def test_header_variants_of_each_mis_map_to_the_same_fields(senco, cast, headers):
    row = ["A001", file_upn(7), "Lastly", "Firstly", "Fi", "La", "2013-03-14", "Male", "Y7", "7C"]
    row += ["EHC Plan", "Social, emotional and mental health"]

    upload(senco, cast.school_a, csv_bytes([row], headers=["Admission No", *headers]))
    senco.post(confirm_url(latest_import(cast.school_a)))

    pupil = pupils_of(cast.school_a)[file_upn(7)]
    assert (pupil.legal_last_name, pupil.legal_first_name) == ("Lastly", "Firstly")
    assert (pupil.preferred_first_name, pupil.preferred_last_name) == ("Fi", "La")
    assert (pupil.date_of_birth, pupil.gender, pupil.year_group) == (
        datetime.date(2013, 3, 14),
        "M",
        7,
    )
    assert (pupil.form, pupil.sen_status, pupil.primary_need) == ("7C", "E", "SEMH")


def test_windows_1252_file_with_accented_names_imports_correctly(senco, cast):
    rows = [[file_upn(1), "Ní Bhriain", "Zoë", "01/02/2014", "Year 6", "6É"]]
    rows += [[file_upn(2), "Müller", "Seán", "1/2/2014", "6", "6É"]]

    upload(senco, cast.school_a, csv_bytes(rows, encoding="cp1252"))
    senco.post(confirm_url(latest_import(cast.school_a)))

    pupils = pupils_of(cast.school_a)
    assert (pupils[file_upn(1)].legal_first_name, pupils[file_upn(1)].legal_last_name) == (
        "Zoë",
        "Ní Bhriain",
    )
    assert pupils[file_upn(2)].legal_first_name == "Seán" and pupils[file_upn(2)].form == "6É"


def test_windows_1252_file_is_read_as_windows_1252_and_the_preview_says_so(senco, cast):
    headers = [*SIMS_HEADERS, "Dinner money"]
    rows = [[file_upn(1), "Brontë", "Zoë", "01/02/2014", "Year 6", "6É", "£2.40"]]
    rows += [[file_upn(2), "Jones", "Siân", "1/2/2014", "6", "6A", "£0.00"]]

    preview = upload(senco, cast.school_a, csv_bytes(rows, headers=headers, encoding="cp1252"))
    senco.post(confirm_url(latest_import(cast.school_a)))

    assert "Read as Windows-1252" in preview.content.decode()
    pupils = pupils_of(cast.school_a)
    assert pupils[file_upn(1)].legal_first_name == "Zoë"
    assert pupils[file_upn(2)].legal_first_name == "Siân"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"], ids=["utf-8", "utf-8-bom"])
def test_utf8_with_or_without_a_bom_is_read_as_utf8(senco, cast, encoding):
    rows = [[file_upn(1), "Kowalski", "Łukasz", "01/02/2014", "Year 6", "6A"]]
    rows += [[file_upn(2), "Brontë", "Zoë", "01/02/2014", "Year 6", "6A"]]

    preview = upload(senco, cast.school_a, csv_bytes(rows, encoding=encoding))
    senco.post(confirm_url(latest_import(cast.school_a)))

    assert "Read as UTF-8" in preview.content.decode()
    assert pupils_of(cast.school_a)[file_upn(1)].legal_first_name == "Łukasz"


def test_excel_unicode_text_utf16_file_imports(senco, cast):
    # Excel's "Unicode Text (*.txt)": UTF-16 with a byte order mark, tab-separated.
    rows = [[file_upn(1), "Nowak", "Łukasz", "01/02/2014", "Year 6", "6A"]]
    rows += [[file_upn(2), "Ní Bhriain", "Siân", "01/02/2014", "Year 6", "6A"]]
    content = csv_bytes(rows, encoding="utf-16", delimiter="\t")

    preview = upload(senco, cast.school_a, content)
    senco.post(confirm_url(latest_import(cast.school_a)))

    assert "Read as UTF-16" in preview.content.decode()
    pupils = pupils_of(cast.school_a)
    assert pupils[file_upn(1)].legal_first_name == "Łukasz"
    assert pupils[file_upn(2)].legal_last_name == "Ní Bhriain"


def test_shift_jis_file_is_refused_not_imported_with_garbled_names(senco, cast):
    rows = [[file_upn(1), "山田", "太郎", "01/02/2014", "Year 6", "6A"]]
    rows += [[file_upn(2), "田中", "花子", "01/02/2014", "Year 6", "6A"]]
    rows += [[file_upn(3), "Smith", "John", "01/02/2014", "Year 6", "6A"]]
    content = csv_bytes(rows, encoding="shift_jis")
    content.decode("cp1252")  # the hazard: these bytes are also "valid" Windows-1252
    before = counts()

    response = upload(senco, cast.school_a, content)

    page = html.unescape(response.content.decode())
    assert 'class="field has-error"' in page
    assert "could not tell which encoding" in page and '"CSV UTF-8' in page
    assert counts() == before


@pytest.mark.parametrize("surname", ["山田", "田中", "中村", "やまだ", "ヤマダ"])
def test_a_shift_jis_file_with_one_japanese_name_is_refused_too(senco, cast, surname):
    rows = [[file_upn(1), surname, "Ann", "01/02/2014", "Year 6", "6A"]]
    rows += [[file_upn(2), "Smith", "John", "01/02/2014", "Year 6", "6A"]]
    before = counts()

    response = upload(senco, cast.school_a, csv_bytes(rows, encoding="shift_jis"))

    assert 'class="field has-error"' in response.content.decode()
    assert counts() == before


def test_a_windows_1250_file_never_imports_polish_names_misread(senco, cast):
    rows = [[file_upn(1), "Łukasiewicz", "Łukasz", "01/02/2014", "Year 6", "6A"]]
    rows += [[file_upn(2), "Żak", "Małgorzata", "01/02/2014", "Year 6", "6A"]]

    response = upload(senco, cast.school_a, csv_bytes(rows, encoding="cp1250"))

    if "preview" in response.context:  # read, so read right
        senco.post(confirm_url(latest_import(cast.school_a)))
        assert "Read as Windows-1250" in response.content.decode()
        assert pupils_of(cast.school_a)[file_upn(1)].legal_first_name == "Łukasz"
    else:
        assert "could not tell which encoding" in html.unescape(response.content.decode())


def test_a_utf8_file_with_names_garbled_by_an_earlier_conversion_is_refused(senco, cast):
    # "Zoë" once read as Windows-1252 and saved again as UTF-8: "ZoÃ«".
    rows = [[file_upn(1), "BrontÃ«", "ZoÃ«", "01/02/2014", "Year 6", "6A"]]
    before = counts()

    response = upload(senco, cast.school_a, csv_bytes(rows))

    page = html.unescape(response.content.decode())
    assert "looks garbled" in page and "ZoÃ«" in page
    assert counts() == before


@pytest.mark.parametrize(
    ("encoding", "newline", "delimiter"),
    [("utf-8-sig", "\r\n", ","), ("utf-8", "\n", ","), ("utf-8", "\r", ";"), ("utf-8", "\n", "\t")],
    ids=["bom-crlf", "lf", "cr-semicolon", "tab"],
)
def test_bom_line_endings_and_delimiters_are_handled(senco, cast, encoding, newline, delimiter):
    content = csv_bytes(good_rows(2), encoding=encoding, newline=newline, delimiter=delimiter)

    upload(senco, cast.school_a, content)
    senco.post(confirm_url(latest_import(cast.school_a)))

    pupils = pupils_of(cast.school_a)
    assert pupils[file_upn(2)].legal_last_name == "Surname2" and pupils[file_upn(2)].form == "7AB"


# --- Whole-file errors: a clear message, nothing saved -----------------------------------------


def _too_many_rows():
    return csv_bytes(good_rows(1) * (MAX_ROWS + 1))


BAD_FILES = {
    "empty": (b"", "The file is empty."),
    "blank lines only": (b"\r\n \r\n", "The file is empty."),
    "header only": (csv_bytes([]), "has a header row but no pupils"),
    "wrong encoding": (
        b"UPN,Surname,Forename,DOB,Year\r\n\x81\x8d\xff,a,b,c,d\r\n",
        "could not tell which encoding",
    ),
    "binary": (bytes(range(1, 32)) * 20, "an encoding we cannot read"),
    "missing columns": (
        csv_bytes([["A", "B", "C"]], headers=["UPN", "Surname", "Forename"]),
        "missing required columns: Date of birth, Year group",
    ),
    "duplicate column": (
        csv_bytes([], headers=[*SIMS_HEADERS, "upn"]),
        'The column "UPN" appears 2 times',
    ),
    "excel workbook": (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 50, "looks like an Excel"),
    "not a csv": (b"Dear parents\r\nThe trip is on Monday\r\n", "does not look like a CSV file"),
    "too big": (b"UPN,Surname\r\n" + b"x" * MAX_BYTES, "The limit is 5 MB or 10,000 pupils"),
}


@pytest.mark.parametrize("case", list(BAD_FILES) + ["too many rows"])
def test_bad_file_gives_a_clear_message_and_saves_nothing(senco, cast, case):
    if case == "too many rows":
        content, message = _too_many_rows(), "more than 10,000 pupils"
    else:
        content, message = BAD_FILES[case]
    before = counts()

    response = upload(senco, cast.school_a, content)

    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert 'class="field has-error"' in response.content.decode()
    assert counts() == before


def test_missing_columns_message_names_the_headings_we_accept(senco, cast):
    response = upload(senco, cast.school_a, csv_bytes([["x"] * 4], headers=SIMS_HEADERS[:4]))

    assert "Year group: &quot;Year Group&quot; / &quot;NC Year&quot;" in response.content.decode()


# --- Row errors: shown in the preview, and the import refused ----------------------------------


def test_row_errors_are_listed_with_rows_and_columns_and_the_import_is_refused(senco, cast):
    bad_check = "B" + file_upn(4)[1:] if file_upn(4)[0] != "B" else "C" + file_upn(4)[1:]
    rows = [
        [file_upn(1), "Good", "Row", "14/03/2013", "Year 7", "7A"],  # row 2
        [bad_check, "Bad", "Check", "14/03/2013", "Year 7", "7A"],  # row 3
        [file_upn(5), "Bad", "Date", "31/02/2013", "Year 7", "7A"],  # row 4
        [file_upn(6), "Bad", "Year", "14/03/2013", "Year 15", "7A"],  # row 5
        [file_upn(1), "Duplicate", "Upn", "14/03/2013", "Year 7", "7A"],  # row 6
        [file_upn(7), "", "Nosurname", "14/03/2013", "Year 7", "7A"],  # row 7
        [file_upn(8), "Us", "Date", "03/14/2013", "Year 7", "7A"],  # row 8
    ]
    before = counts()

    response = upload(senco, cast.school_a, csv_bytes(rows))

    preview = response.context["preview"]
    assert {(e.row, e.column) for e in preview.errors} == {
        (3, "UPN"),
        (4, "Date of Birth"),
        (5, "Year"),
        (6, "UPN"),
        (7, "Legal Surname"),
        (8, "Date of Birth"),
    }
    page = response.content.decode()
    for text in (
        "check letter does not match",
        "&quot;31/02/2013&quot; is not a real date",
        "Unknown year group &quot;Year 15&quot;",
        "is also on row 2",
        "Legal surname is missing.",
        "6 rows have errors",
    ):
        assert text in page
    assert "Import now" not in page  # no confirm button

    refused = senco.post(confirm_url(latest_import(cast.school_a)), follow=True)

    assert "Nothing was imported: 6 rows have errors" in refused.content.decode()
    assert counts()[0] == before[0]
    assert latest_import(cast.school_a).status == PupilImport.Status.PREVIEWED


def test_cells_that_look_like_formulas_are_flagged_in_the_preview_and_imported_as_typed(
    senco, cast
):
    rows = [
        [file_upn(1), '=HYPERLINK("http://x.example","Smith")', "Jo", "14/03/2013", "7", "7A"],
        [file_upn(2), "Ward", "-Ann", "14/03/2013", "7", "7A"],
        [file_upn(3), "Lee", "Sam", "14/03/2013", "7", "+7B"],
        [file_upn(4), "@Home", "Kai", "14/03/2013", "7", "7A"],
        [file_upn(5), "Jones-Smith", "Amy", "14/03/2013", "7", "7A"],
    ]

    response = upload(senco, cast.school_a, csv_bytes(rows))

    preview = response.context["preview"]
    assert {(w.row, w.column) for w in preview.warnings} == {
        (2, "Legal Surname"),
        (3, "Legal Forename"),
        (4, "Reg Group"),
        (5, "Legal Surname"),
    }
    page = html.unescape(response.content.decode())
    assert "4 rows to check" in page and "begins with “-”" in page
    assert preview.can_import and "Import now: 5 new" in page

    senco.post(confirm_url(latest_import(cast.school_a)))

    pupils = pupils_of(cast.school_a)
    assert pupils[file_upn(2)].legal_first_name == "-Ann"
    assert pupils[file_upn(1)].legal_last_name.startswith("=HYPERLINK(")


def test_a_upn_with_an_unknown_la_code_is_a_warning_on_its_row_not_an_error(senco, cast):
    newer = [upn_check_letter(f"{code}200005001") + f"{code}200005001" for code in ("838", "943")]
    rows = [
        ["E000200005001", "Nowhere", "Nia", "14/03/2013", "7", "7A"],
        [newer[0], "Dorset", "Dai", "14/03/2013", "7", "7A"],
        [newer[1], "Westmorland", "Wyn", "14/03/2013", "7", "7A"],
    ]

    response = upload(senco, cast.school_a, csv_bytes(rows))

    preview = response.context["preview"]
    assert [(w.row, w.column) for w in preview.warnings] == [(2, "UPN")]
    page = response.content.decode()
    assert "not a local authority code the school census recognises" in page
    assert preview.can_import

    senco.post(confirm_url(latest_import(cast.school_a)))

    assert {"E000200005001", *newer} <= set(pupils_of(cast.school_a))


def test_unknown_sen_status_and_need_are_row_errors(senco, cast):
    headers = [*SIMS_HEADERS, "SEN Status", "Primary Need"]
    rows = [[*good_rows(1)[0], "Maybe", "SEMH"], [*good_rows(2)[1], "K", "Naughty"]]

    response = upload(senco, cast.school_a, csv_bytes(rows, headers=headers))

    errors = response.context["preview"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "SEN Status"), (3, "Primary Need")]
    assert "Unknown SEN status &quot;Maybe&quot;" in response.content.decode()


def test_preview_page_query_count_does_not_grow_with_rows(
    senco, cast, django_assert_max_num_queries
):
    upload(senco, cast.school_a, csv_bytes(good_rows(200)))
    batch = latest_import(cast.school_a)

    with django_assert_max_num_queries(8):
        response = senco.get(preview_url(batch))

    assert "New pupils (200)" in response.content.decode()


# --- The cleaners ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/03/2013", datetime.date(2013, 3, 14)),
        ("4/3/2013", datetime.date(2013, 3, 4)),
        ("2013-03-04", datetime.date(2013, 3, 4)),
        ("04-03-2013", datetime.date(2013, 3, 4)),
        ("04.03.2013", datetime.date(2013, 3, 4)),
        ("14 Mar 2013", datetime.date(2013, 3, 14)),
        ("14/03/2013 00:00:00", datetime.date(2013, 3, 14)),
    ],
)
def test_dates_are_read_day_first_or_iso(text, expected):
    assert clean_date_of_birth(text) == expected


@pytest.mark.parametrize(
    "text", ["03/14/2013", "14/03/13", "2013/14/03", "yesterday", "29/02/2015", "1/1/2999"]
)
def test_ambiguous_or_impossible_dates_are_refused(text):
    with pytest.raises(BadValue):
        clean_date_of_birth(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Year 7", 7),
        ("7", 7),
        ("Y7", 7),
        ("year  11", 11),
        ("R", 0),
        ("Reception", 0),
        ("YR", 0),
        ("N1", -2),
        ("N2", -1),
        ("Nursery 2", -1),
        ("14", 14),
    ],
)
def test_year_group_variants(text, expected):
    assert clean_year_group(text) == expected


@pytest.mark.parametrize("text", ["Year 15", "X", "", "Year -1", "7a"])
def test_unknown_year_groups_are_refused(text):
    with pytest.raises(BadValue):
        clean_year_group(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "N"),
        ("N", "N"),
        ("k", "K"),
        ("SEN Support", "K"),
        ("EHC Plan", "E"),
        ("EHCP", "E"),
        ("E - Education, health and care plan", "E"),
    ],
)
def test_sen_status_variants(text, expected):
    assert clean_sen_status(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("SEMH", "SEMH"), ("semh", "SEMH"), ("Autistic spectrum disorder", "ASD"), ("", "")],
)
def test_primary_need_codes_and_labels(text, expected):
    assert clean_primary_need(text) == expected


def test_preview_service_reports_creates_and_updates_without_writing(cast):
    existing = cast.pupils_a[0]
    rows = [
        [existing.upn, existing.legal_last_name, existing.legal_first_name, "14/03/2014", "7", "X"]
    ]
    rows += good_rows(1)
    with scope(school=cast.school_a):
        before = Pupil.objects.count()

        preview = preview_import(school=cast.school_a, text=csv_bytes(rows).decode())

        assert [r.action for r in preview.rows] == ["update", "create"]
        assert preview.rows[0].changes == ["form"]
        assert Pupil.objects.count() == before


# --- Access ---------------------------------------------------------------------------------


@pytest.fixture
def batch_a(cast):
    with scopes_disabled():
        return PupilImportFactory(
            school=cast.school_a,
            uploaded_by=cast.user(Role.SENCO),
            filename="a.csv",
            content=csv_bytes(good_rows(1)).decode(),
            row_count=1,
        )


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.DSL, Role.SLT, Role.ADMIN])
def test_only_the_senco_may_import(client, cast, login, batch_a, role):
    login(cast.user(role))

    assert client.get(import_url(cast.school_a)).status_code == 403
    assert client.get(preview_url(batch_a)).status_code == 403
    assert client.post(confirm_url(batch_a)).status_code == 403
    assert client.get(confirm_url(batch_a)).status_code == 403
    assert counts()[1] == 1 and latest_import(cast.school_a).status == "previewed"


def test_another_schools_senco_gets_404_on_school_a_imports(client, cast, login, batch_a):
    login(cast.user(Role.SENCO, "b"))
    own_school_url = reverse("pupils:import_preview", args=[cast.school_b.slug, batch_a.pk])
    own_school_confirm = reverse("pupils:import_confirm", args=[cast.school_b.slug, batch_a.pk])

    assert client.get(preview_url(batch_a)).status_code == 404
    assert client.get(own_school_url).status_code == 404
    assert client.post(own_school_confirm).status_code == 404
    assert latest_import(cast.school_a).status == "previewed"


def test_confirm_only_by_post(senco, batch_a):
    assert senco.get(confirm_url(batch_a)).status_code == 405


def test_pupil_list_links_the_senco_to_the_import(senco, cast):
    page = senco.get(reverse("pupils:list", args=[cast.school_a.slug])).content.decode()

    assert import_url(cast.school_a) in page


def test_a_stored_upload_that_no_longer_reads_is_shown_and_refused_not_a_server_error(senco, cast):
    with scopes_disabled():
        batch = PupilImportFactory(
            school=cast.school_a, uploaded_by=cast.user(Role.SENCO), filename="x.csv"
        )

    page = senco.get(preview_url(batch))
    refused = senco.post(confirm_url(batch), follow=True)

    assert page.status_code == 200 and "cannot be imported" in page.content.decode()
    assert "Nothing was imported" in refused.content.decode()
    assert latest_import(cast.school_a).status == "previewed"


def test_access_import_finds_only_the_schools_own_uploads(cast, batch_a):
    senco_a = resolve_school_access(cast.user(Role.SENCO), cast.school_a.slug)
    senco_b = resolve_school_access(cast.user(Role.SENCO, "b"), cast.school_b.slug)

    with scope(school=cast.school_a):
        assert access_import(senco_a, cast.school_a, batch_a.pk) == batch_a
        for viewer, school, import_id in (
            (senco_a, cast.school_a, uuid.uuid4()),
            (senco_a, cast.school_a, "not-a-uuid"),
            (senco_b, cast.school_a, batch_a.pk),
        ):
            with pytest.raises(Http404):
                access_import(viewer, school, import_id)
    with scope(school=cast.school_b), pytest.raises(Http404):
        access_import(senco_b, cast.school_b, batch_a.pk)


# --- Property tests -------------------------------------------------------------------------


FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis/ example database in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz_upn(n: int) -> str:
    body = f"777{n:09d}"
    return upn_check_letter(body) + body


# A small pool, so files repeat UPNs (duplicates) and re-use earlier examples' pupils (updates).
UPN_POOL = [fuzz_upn(n) for n in range(12)]

unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=25
)
nasty = st.sampled_from(
    ['"', '""', ",", ";", "\t", "\n", "\r\n", "'", "=1+1", "NULL", "\u202e", "\ufeff", "١٢", "é"]
)
garbage = st.one_of(st.just(""), unicode_text, nasty)
wild = st.one_of(garbage, st.text(max_size=6))  # any character at all, control characters too
long_text = st.text(alphabet="abcxyz ", min_size=95, max_size=130)
names = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=20)


def formatted(day_range, formats):
    return st.builds(lambda d, f: d.strftime(f), st.dates(*day_range), st.sampled_from(formats))


UK_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%-d/%-m/%Y", "%d %b %Y"]
# Relative to the suite's clock (the day every test runs on), never to the machine's date.
PLAUSIBLE = (
    SUITE_DAY.replace(year=SUITE_DAY.year - 25),
    SUITE_DAY.replace(year=SUITE_DAY.year - 2),
)
ANY_DAY = (datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))

# Values a real export has: every one of them imports.
GOOD = {
    "upn": st.integers(0, 40).map(fuzz_upn),
    "legal_last_name": names,
    "legal_first_name": names,
    "preferred_first_name": st.one_of(st.just(""), names),
    "preferred_last_name": st.one_of(st.just(""), names),
    "date_of_birth": formatted(PLAUSIBLE, UK_FORMATS),
    "gender": st.sampled_from(["F", "M", "X", "Female", "male", "", "U"]),
    "year_group": st.sampled_from(["Year 7", "7", "Y7", "R", "Reception", "N1", "N2", "13"]),
    "form": st.sampled_from(["7AB", "", "Nursery", "11/Sc"]),
    "sen_status": st.sampled_from(["", "N", "K", "E", "SEN Support", "EHC Plan", "EHCP"]),
    "primary_need": st.sampled_from(["", "SEMH", "asd", "Moderate learning difficulty"]),
}
# Plausible-looking values that are wrong, mixed with good ones.
NEAR_MISS = {
    "upn": st.one_of(st.sampled_from(UPN_POOL), st.text("ABIOS0123456789 -", max_size=14)),
    "legal_last_name": st.one_of(st.just(" "), long_text),
    "legal_first_name": st.just(""),
    "preferred_first_name": long_text,
    "preferred_last_name": unicode_text,
    "date_of_birth": formatted(ANY_DAY, [*UK_FORMATS, "%m/%d/%Y", "%d/%m/%y", "%A"]),
    "gender": st.sampled_from(["Boy", "girl", "?", "FM"]),
    "year_group": st.sampled_from(["15", "Year -1", "Y", "0", "fs1", "Year 7a"]),
    "form": long_text,
    "sen_status": st.sampled_from(["?", "S", "K - SEN Support", "-"]),
    "primary_need": st.sampled_from(["Nope", "BESD", "SEMH - Social, emotional"]),
}


def cell(field_name, messy, junk=garbage):
    if not messy:
        return GOOD[field_name]
    return st.one_of(GOOD[field_name], GOOD[field_name], NEAR_MISS[field_name], junk)


@st.composite
def mis_files(draw):
    """Bytes of a CSV export: real and garbled headings, odd cells, quoting, encodings.

    About half the files are clean (every row imports); the rest are messy in varied ways."""
    messy = draw(st.booleans())
    junk = wild if messy and draw(st.integers(0, 7)) == 0 else garbage
    columns = [c for c in COLUMNS if c.required or draw(st.booleans())]
    if messy and draw(st.integers(0, 5)) == 0:  # now and then a required column goes missing
        columns.remove(draw(st.sampled_from(columns)))
    columns = draw(st.permutations(columns))
    headings = [draw(st.sampled_from(c.headings)) for c in columns]
    headings = [draw(st.sampled_from([h, h.upper(), f" {h.lower()} "])) for h in headings]
    extras = draw(st.lists(unicode_text, max_size=3))
    count = draw(st.integers(0 if messy else 1, 12))
    upns = draw(st.lists(GOOD["upn"], min_size=count, max_size=count, unique=True))
    rows = []
    for number in range(count):
        row = [draw(cell(c.field, messy, junk)) for c in columns]
        row += [draw(junk if messy else unicode_text) for _ in extras]
        if not messy and "upn" in [c.field for c in columns]:
            row[[c.field for c in columns].index("upn")] = upns[number]
        if messy and draw(st.integers(0, 4)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # a short row
        rows.append(row)

    out = io.StringIO()
    if messy and draw(st.integers(0, 5)) == 0:  # hand-joined, quotes left unbalanced
        out.write("\n".join(",".join(r) for r in [headings + extras, *rows]))
    else:
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        writer = csv.writer(
            out, quoting=quoting, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))
        )
        writer.writerow(headings + extras)
        writer.writerows(rows)
    encodings = ["utf-8", "utf-8-sig", "cp1252"] + (["utf-16"] if messy else [])
    encoding = draw(st.sampled_from(encodings))
    return out.getvalue().encode(encoding, errors="replace")


def snapshot(school):
    return {
        p["upn"]: p
        for p in Pupil.objects.filter(school=school).values(
            *(c.field for c in COLUMNS), "left_on", "id"
        )
    }


@pytest.fixture
def school_and_senco(db):
    with scopes_disabled():
        school = SchoolFactory(slug="fuzz")
        senco = UserFactory(email="senco@fuzz.example")
        MembershipFactory(user=senco, school=school, role=Role.SENCO)
    return school, senco


def assert_all_or_nothing(school, before, preview, outcome_or_refusal):
    after = snapshot(school)
    if isinstance(outcome_or_refusal, ImportRefused):
        assert not preview.can_import
        assert after == before, "a refused import changed pupils"
        return
    outcome = outcome_or_refusal
    assert preview.can_import and outcome.done
    assert len(after) == len(before) + outcome.created
    for row in preview.rows:
        saved = after[row.upn]
        for field_name, value in row.values.items():
            assert saved[field_name] == value, (row.number, field_name)
        if row.existing is not None:
            assert saved["left_on"] == before[row.upn]["left_on"]
    in_file = {row.upn for row in preview.rows}
    assert {u: p for u, p in after.items() if u not in in_file} == {
        u: p for u, p in before.items() if u not in in_file
    }


@settings(FUZZ, max_examples=100)
@given(raw=mis_files())
def test_preview_never_raises_and_an_import_is_all_or_nothing(school_and_senco, raw):
    school, senco = school_and_senco
    with scope(school=school):
        before = snapshot(school)
        try:
            text = decode_upload(raw)
            parse_csv(text)
        except ImportFileError as error:
            event(f"whole file refused: {error.code}")
            assert error.message and error.code
            assert snapshot(school) == before
            return
        preview = preview_import(school=school, text=text)
        for row in preview.rows:
            assert row.action in {"create", "update", "unchanged", "error"}
            assert all(e.row == row.number and e.column and e.message for e in row.errors)
        batch = start_import(actor=senco, school=school, filename="fuzz.csv", text=text)
        assert snapshot(school) == before  # a preview writes no pupils

        try:
            result = apply_import(actor=senco, school=school, pupil_import=batch)
        except ImportRefused as refused:
            result = refused
        event("rows refused" if isinstance(result, ImportRefused) else "imported")
        assert_all_or_nothing(school, before, preview, result)
        batch.refresh_from_db()
        expected = "previewed" if isinstance(result, ImportRefused) else "imported"
        assert batch.status == expected


@settings(FUZZ, max_examples=12)
@given(raw=mis_files())
def test_the_pages_never_give_a_server_error(client, school_and_senco, raw):
    school, senco = school_and_senco
    client.force_login(senco)
    with scopes_disabled():
        before_pupils, before_batches = snapshot(school), PupilImport.objects.count()

    upload = client.post(
        reverse("pupils:import", args=[school.slug]),
        {"file": SimpleUploadedFile("export.csv", raw, "text/csv")},
    )

    assert upload.status_code in (200, 302)
    if upload.status_code == 200:  # refused as a whole: a message, nothing saved
        assert 'class="field has-error"' in upload.content.decode()
        with scopes_disabled():
            assert (snapshot(school), PupilImport.objects.count()) == (
                before_pupils,
                before_batches,
            )
        return
    assert client.get(upload["Location"]).status_code == 200
    with scopes_disabled():
        batch = PupilImport.objects.latest("created_at")
        preview = preview_import(school=school, text=batch.content)
    confirm = client.post(reverse("pupils:import_confirm", args=[school.slug, batch.pk]))
    assert confirm.status_code == 302
    with scopes_disabled():
        batch.refresh_from_db()
        if preview.can_import:
            assert batch.status == "imported"
            assert len(snapshot(school)) == len(before_pupils) + batch.created_count
        else:
            assert batch.status == "previewed"
            assert snapshot(school) == before_pupils


def test_error_rows_name_the_pupil_as_the_file_gives_it(senco, cast):
    rows = [
        [file_upn(1), "Adeyemi", "Tobi", "31/02/2013", "Year 7", "7A"],  # row 2
        [file_upn(2), "", "Nosurname", "14/03/2013", "Year 7", "7A"],  # row 3
        [file_upn(3), "", "", "14/03/2013", "Year 15", "7A"],  # row 4
    ]

    page = upload(senco, cast.school_a, csv_bytes(rows)).content.decode()

    errors = page[page.index('id="errors-heading"') :]
    errors = errors[: errors.index("</table>")]
    assert '<th scope="col">Pupil</th>' in errors
    assert "<tr><td>2</td><td>Tobi Adeyemi</td><td>Date of Birth</td>" in errors
    assert "<tr><td>3</td><td>Nosurname</td><td>Legal Surname</td>" in errors
    assert '<tr><td>4</td><td><span class="muted">No name in the file</span></td>' in errors


def test_import_counts_are_one_group_per_figure(senco, cast):
    page = upload(senco, cast.school_a, csv_bytes(good_rows(3))).content.decode()

    strip = page[page.index('<dl class="import-counts">') :]
    strip = strip[: strip.index("</dl>")]
    assert strip.count("<div>") == 5
    assert "<div><dt>New pupils</dt><dd>3</dd></div>" in strip
