"""The MIS import through its pages, swept with hypothesis: hostile CSV bytes (known and junk
headings, any cell text, many encodings, BOMs, NULs, very long lines, ragged rows, repeated and
unknown-authority UPNs). Upload and preview never give a server error; confirming a preview
leaves all of its rows or none; an accepted file's names are stored as the file spells them.

The confirm button is read from the preview page (``tests/htmlforms.py``), so a question the
preview may add (an encoding or UPN to confirm) is posted as the page offers it.
Sweep size: 40 drawn files (twice ``SEMH_SWEEP_EXAMPLES``) and 5 made every run (a NUL, a
Shift-JIS file, a repeated UPN, an unknown authority, a formula name); about 12 s.
"""

import codecs
import csv
import io
import os
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from pupils.mis import COLUMNS, ImportFileError, preview_import
from pupils.models import Pupil, PupilImport
from pupils.validators import upn_check_letter
from semh.access import Role
from tests.htmlforms import post_forms

SWEEP_EXAMPLES = int(os.environ.get("SEMH_SWEEP_EXAMPLES", "20")) * 2
SWEEP = settings(
    max_examples=SWEEP_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Encodings a school's export might arrive in: a file the import accepts keeps its names exactly.
ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "cp1252",
    "latin-1",
    "gb18030",
    "koi8_r",
    "shift_jis",
    "utf-16",
    "utf-16-le",
    "utf-32",
]


def upn(body: str) -> str:
    return upn_check_letter(body) + body


# Real-looking UPNs, one of an authority that does not exist (000), and the cast's own pupils'.
UPN_BODIES = [f"8232026{n:05d}" for n in range(6)] + ["000202600001", "999202600002"]

names = st.text(alphabet=st.characters(categories=("L", "Zs", "Pd")), min_size=1, max_size=20)
any_text = st.text(max_size=30)  # control characters and NUL included
cells = {
    "upn": st.one_of(
        st.sampled_from(UPN_BODIES).map(upn), st.text("ABIOS0123456789 -", max_size=14), any_text
    ),
    "date_of_birth": st.one_of(
        st.sampled_from(["14/03/2014", "2014-03-14", "01/01/0001", "31/12/9999", "30/02/2014"]),
        any_text,
    ),
    "year_group": st.sampled_from(["Year 7", "7", "R", "N1", "15", "-1", "", "Y"]),
    "gender": st.sampled_from(["F", "M", "X", "", "?", "Female"]),
    "sen_status": st.sampled_from(["", "N", "K", "E", "?"]),
    "primary_need": st.sampled_from(["", "SEMH", "asd", "nope"]),
}
junk = st.one_of(
    any_text,
    st.sampled_from(["=1+1", "+SUM(A1)", "-2", "@cmd", '"', '""', "\r", "\n", "\x00", "\ufeff"]),
    st.integers(1_000, 40_000).map(lambda n: "x" * n),  # a very long line
)


GOOD = {
    "upn": st.sampled_from(UPN_BODIES[:6]).map(upn),
    "date_of_birth": st.sampled_from(["14/03/2014", "2014-03-14", "1 Sep 2013"]),
    "year_group": st.sampled_from(["Year 7", "7", "Y8"]),
    "gender": st.sampled_from(["F", "M", "X", ""]),
    "sen_status": st.sampled_from(["", "N", "K", "E"]),
    "primary_need": st.sampled_from(["", "SEMH"]),
}


@st.composite
def csv_files(draw):
    """(bytes of the file, its encoding, or None when the bytes are not a clean encoding).
    About half the files are clean exports (good cells, some repeated UPNs); half are hostile."""
    messy = draw(st.booleans())
    columns = [c for c in COLUMNS if c.required or draw(st.booleans())]
    if messy and draw(st.integers(0, 5)) == 0:
        columns.remove(draw(st.sampled_from(columns)))
    columns = draw(st.permutations(columns))
    headings = [draw(st.sampled_from(c.headings)) for c in columns]
    if messy:
        headings += draw(
            st.lists(st.one_of(any_text, st.sampled_from(["UPN", "Surname"])), max_size=3)
        )
    rows = []
    for _ in range(draw(st.integers(0 if messy else 1, 8))):
        good = [draw(GOOD.get(c.field, names)) for c in columns]
        if not messy:
            rows.append(good)
            continue
        row = [
            draw(st.one_of(st.just(v), cells.get(c.field, names), junk))
            for c, v in zip(columns, good, strict=True)
        ]
        row += [draw(junk) for _ in range(len(headings) - len(columns))]
        if draw(st.integers(0, 4)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(junk, max_size=2))
        rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))).writerows(
        [headings, *rows]
    )
    usual = ["utf-8", "utf-8-sig", "cp1252"]
    encoding = draw(st.sampled_from(ENCODINGS if messy else [*usual, *usual, *ENCODINGS]))
    raw = out.getvalue().encode(encoding, errors="replace")
    if messy and draw(st.integers(0, 4)) == 0:
        raw = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\x00"])) + raw
        encoding = None
    if messy and draw(st.integers(0, 5)) == 0:
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(min_size=1, max_size=8)) + raw[cut:]
        encoding = None
    return raw, encoding


HEADER = "UPN,Surname,Forename,DOB,Year\r\n"


def row(upn_body, surname):
    return f"{upn(upn_body)},{surname},Ada,14/03/2014,7\r\n"


def pupils_of(school):
    return {
        p["upn"]: p
        for p in Pupil.objects.filter(school=school).values(*(c.field for c in COLUMNS), "id")
    }


def test_no_csv_file_gives_a_server_error_or_a_half_done_import(client, cast):
    school, senco = cast.school_a, cast.user(Role.SENCO)
    client.force_login(senco)
    client.raise_request_exception = True
    upload_url = reverse("pupils:import", args=[school.slug])
    tally = {}

    @SWEEP
    @given(file=csv_files())
    @example(file=((HEADER + row("823202600001", "Ok\x00afor")).encode(), None))
    @example(file=((HEADER + row("823202600001", "岡田")).encode("shift_jis"), "shift_jis"))
    @example(file=((HEADER + 2 * row("823202600001", "Okafor")).encode(), "utf-8"))
    @example(file=((HEADER + row("000202600001", "Okafor")).encode(), "utf-8"))  # unknown LA
    @example(file=((HEADER + row("823202600001", "=HYPERLINK(1)")).encode(), "utf-8"))
    def sweep(file):
        raw, encoding = file
        with transaction.atomic(), scopes_disabled():
            before, batches = pupils_of(school), PupilImport.objects.count()
            upload = client.post(upload_url, {"file": SimpleUploadedFile("mis.csv", raw)})
            assert upload.status_code in (200, 302), upload.status_code
            if upload.status_code == 200:  # refused as a whole: a message, nothing kept
                why = re.search(r'class="error"[^>]*>([^<]{0,40})', upload.content.decode())
                tally[why[1] if why else "refused"] = tally.get(why[1] if why else "refused", 0) + 1
                assert 'class="error"' in upload.content.decode()
                assert (pupils_of(school), PupilImport.objects.count()) == (before, batches)
                transaction.set_rollback(True)
                return
            preview_page = client.get(upload["Location"])
            assert preview_page.status_code == 200
            batch = PupilImport.objects.latest("created_at")
            assert pupils_of(school) == before  # a preview writes no pupils
            try:
                preview = preview_import(school=school, text=batch.content)
            except ImportFileError:
                preview = None
            confirm_url = reverse("pupils:import_confirm", args=[school.slug, batch.pk])
            page_forms = post_forms(preview_page.content.decode())
            offered = [f for f in page_forms if f.action == confirm_url]
            data = {n: f.values for f in offered[:1] for n, f in f.fields.items()}
            confirm = client.post(confirm_url, data)
            assert confirm.status_code < 500
            batch.refresh_from_db()
            after = pupils_of(school)
            if batch.status != PupilImport.Status.IMPORTED:
                tally["not imported"] = tally.get("not imported", 0) + 1
                assert after == before, "an import that did not happen changed pupils"
            else:
                tally["imported"] = tally.get("imported", 0) + 1
                assert preview is not None and preview.can_import
                for row in preview.rows:  # every row of the file, as the preview showed it
                    for field_name, value in row.values.items():
                        assert after[row.upn][field_name] == value, (row.number, field_name)
                assert len(after) == len(before) + batch.created_count
                if encoding:
                    assert_names_as_in_file(raw, encoding, after)
            event(batch.status)
            transaction.set_rollback(True)

    sweep()
    print("MIS import sweep:", tally)


def assert_names_as_in_file(raw, encoding, saved):
    text = raw.decode(encoding).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().casefold() for h in rows[0]]
    for column in ("surname", "legal surname"):
        if column in header:
            at = header.index(column)
            upn_at = header.index("upn") if "upn" in header else None
            for row in rows[1:]:
                if upn_at is not None and len(row) > max(at, upn_at) and row[upn_at] in saved:
                    assert saved[row[upn_at]]["legal_last_name"] == row[at].strip()
