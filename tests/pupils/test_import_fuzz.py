"""Property tests of the MIS import: garbage in never means a server error, and an import is all
or nothing. Runs on SQLite and PostgreSQL (whatever DATABASE_URL the suite uses)."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pupils.imports import (
    COLUMNS,
    ImportFileError,
    ImportRefused,
    apply_import,
    decode_upload,
    parse_csv,
    preview_import,
    start_import,
)
from pupils.models import Pupil, PupilImport
from pupils.validators import upn_check_letter
from semh.access import Role
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis/ example database in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def upn(n: int) -> str:
    body = f"777{n:09d}"
    return upn_check_letter(body) + body


# A small pool, so files repeat UPNs (duplicates) and re-use earlier examples' pupils (updates).
UPN_POOL = [upn(n) for n in range(12)]

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
TODAY = datetime.date.today()


def formatted(day_range, formats):
    return st.builds(lambda d, f: d.strftime(f), st.dates(*day_range), st.sampled_from(formats))


UK_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%-d/%-m/%Y", "%d %b %Y"]
PLAUSIBLE = (TODAY.replace(year=TODAY.year - 25), TODAY.replace(year=TODAY.year - 2))
ANY_DAY = (datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))

# Values a real export has: every one of them imports.
GOOD = {
    "upn": st.integers(0, 40).map(upn),
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
        batch = start_import(school=school, user=senco, filename="fuzz.csv", text=text)
        assert snapshot(school) == before  # a preview writes no pupils

        try:
            result = apply_import(pupil_import=batch, user=senco)
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
