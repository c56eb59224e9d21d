"""How long the MIS import takes for a school-sized file (default 2,000 synthetic pupils).

Runs in a throwaway test database that it creates and destroys (``test_<name>`` next to the
database DATABASE_URL names; SQLite by default, in memory). Prints the time and query count of each
step, through the service and through the pages (upload → preview page → confirm).

    .venv/bin/python benchmarks/bench_import.py [rows]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch_import .venv/bin/python benchmarks/...
"""

import sys
import time
from contextlib import contextmanager

from harness import throwaway_database  # sets Django up: must come first

# isort: split

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from pupils.mis import decode_upload, preview_import
from pupils.models import Pupil, PupilImport
from pupils.services.mis_import import apply_import, start_import
from pupils.validators import upn_check_letter
from semh.access import Role
from semh.models import Membership, School, User

HEADERS = "UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Gender,Year,"
HEADERS += "Reg Group,SEN Status,Primary Need"
YEARS = ["Year 7", "Year 8", "Year 9", "Year 10", "Year 11"]
SEN = ["", "", "", "K", "E"]
NEEDS = ["", "SEMH", "ASD", "SLCN", "SPLD"]


def synthetic_csv(rows: int, *, serial_from: int = 0, form_suffix: str = "") -> bytes:
    lines = [HEADERS]
    for i in range(serial_from, serial_from + rows):
        body = f"999{i:09d}"
        year = YEARS[i % 5]
        lines.append(
            ",".join(
                [
                    upn_check_letter(body) + body,
                    f"Benchsurname{i}",
                    f"Benchforename{i}",
                    "" if i % 7 else f"Bench{i}",
                    f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2010 + i % 5}",
                    "FMX"[i % 3],
                    year,
                    f"{year[5:]}{'ABCD'[i % 4]}{form_suffix}",
                    SEN[i % 5],
                    NEEDS[i % 5] if SEN[i % 5] else "",
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@contextmanager
def timed(label: str, results: list):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
    results.append((label, elapsed, len(queries)))


def run(rows: int) -> list:
    results: list = []
    with scopes_disabled():
        school = School.objects.create(urn="999999", name="Bench School", slug="bench", phase="ap")
        senco = User.objects.create_user("senco@bench.example", "bench-password-123456")
        Membership.objects.create(user=senco, school=school, role=Role.SENCO)

    with scope(school=school):
        raw = synthetic_csv(rows)
        with timed(f"service: preview {rows} new rows (decode, parse, validate)", results):
            preview = preview_import(school=school, text=decode_upload(raw))
        assert len(preview.new_rows) == rows, preview.errors[:3]
        with timed("service: store the batch (previewed)", results):
            batch = start_import(actor=senco, school=school, filename="a.csv", text=raw.decode())
        with timed(f"service: import {rows} new pupils", results):
            outcome = apply_import(actor=senco, school=school, pupil_import=batch)
        assert outcome.created == rows and Pupil.objects.filter(school=school).count() == rows

        changed = synthetic_csv(rows, form_suffix="X")
        batch = start_import(actor=senco, school=school, filename="b.csv", text=changed.decode())
        with timed(f"service: import {rows} updates (form changed)", results):
            outcome = apply_import(actor=senco, school=school, pupil_import=batch)
        assert outcome.updated == rows

    client = Client()
    client.force_login(senco)
    upload_url = reverse("pupils:import", args=[school.slug])
    pages = synthetic_csv(rows, serial_from=rows)  # another 2,000: new pupils
    with timed(f"page: upload {rows} rows → redirect", results):
        response = client.post(upload_url, {"file": SimpleUploadedFile("c.csv", pages)})
    assert response.status_code == 302, response.content[:500]
    with timed(f"page: preview page listing {rows} rows", results):
        response = client.get(response["Location"])
    assert response.status_code == 200 and f"New pupils ({rows})" in response.content.decode()
    with scopes_disabled():
        batch = PupilImport.objects.get(filename="c.csv")
    with timed(f"page: confirm → {rows} pupils created", results):
        response = client.post(reverse("pupils:import_confirm", args=[school.slug, batch.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        assert Pupil.objects.filter(school=school).count() == 2 * rows
    return results


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with throwaway_database():
        results = run(rows)
    print(f"MIS import benchmark — {connection.vendor}, {rows} rows")
    for label, seconds, queries in results:
        print(f"  {label:<58} {seconds:7.3f} s  {queries:4d} queries")


if __name__ == "__main__":
    main()
