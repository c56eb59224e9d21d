"""The print documents, read as a person reads them: the PDF's text (pdftotext), its page count
and metadata (pdfinfo) and its fonts (pdffonts), against figures worked out by the shared figure
functions from the records made here.

The suite's today is Wed 25/11/2026, in the autumn term (3/9 to 18/12/2026); the summer term
before it is entered too."""

import datetime
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django_scopes import scope, scopes_disabled

from incidents.models import InterventionKind, Outcome
from pupils.models import PrimaryNeed
from reports.documents import KINDS, DocumentError, render_document
from reports.figures import comparison_scopes
from reports.figures.incidents import incident_totals
from reports.figures.reset_area import reset_visits
from reports.figures.restrictive import restrictive_by_kind
from reset_area.models import Reason, VisitOutcome
from semh import pdf
from semh.models import AcademicYear, Term
from tests.conftest import at
from tests.factories import PupilFactory, TermFactory
from tests.factories.incidents import IncidentFactory, RestrictiveInterventionFactory
from tests.factories.pupils import (
    DailyNoteFactory,
    PlanReviewFactory,
    PupilProfileFactory,
    SupportPlanFactory,
    TargetFactory,
    TargetReviewFactory,
)
from tests.factories.reset_area import RoomFactory, VisitFactory

pytestmark = pytest.mark.django_db
D = datetime.date

BEHAVIOUR = "Threw a chair across the library after the fire drill"
PROFILE_TEXT = "Loves talking about the Titanic and drawing maps"
TARGET = "Use the calm-down card to ask for a break"
RATING_EVIDENCE = "Used the card four times in class this half term"
NOTE_EVIDENCE = "Showed the card in maths and went to the calm corner unprompted"


class _Counting(BaseHTTPRequestHandler):
    requests: list = []

    def do_GET(self):  # noqa: N802 - the http.server name
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def outside_server():
    """A web server on this machine that counts the requests it gets (none is the answer)."""
    _Counting.requests = []
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Counting.requests
    server.shutdown()


def poppler(pdf_bytes: bytes, tmp_path, name="doc.pdf") -> dict:
    if not all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdffonts")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo, pdffonts) is not installed")
    path = tmp_path / name
    path.write_bytes(pdf_bytes)

    def run(*args):
        return subprocess.run(
            [*args, str(path), *(["-"] if args[0] == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    info = run("pdfinfo")
    field = {
        key: re.search(rf"^{key}:\s*(.*)$", info, re.MULTILINE)
        for key in ("Title", "Author", "Pages", "Tagged", "Page size")
    }
    layout = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return {
        "text": " ".join(run("pdftotext").split()),
        # Each line as laid out (a table's row on one line), its spaces collapsed.
        "lines": [" ".join(line.split()) for line in layout.splitlines() if line.strip()],
        "info": {k: (m.group(1).strip() if m else "") for k, m in field.items()},
        "fonts": run("pdffonts"),
    }


@pytest.fixture
def world(cast, outside_server):
    """School A's autumn term: three pupils with incidents (one restraint and one seclusion), a
    Reset Area room with visits, one pupil with a plan, a rated target with its evidence and a
    profile whose free text tries to fetch an outside image."""
    school = cast.school_a
    url, requests = outside_server
    with scope(school=school):
        year = AcademicYear.objects.create(
            school=school, name="2025/26", starts_on=D(2025, 9, 1), ends_on=D(2026, 7, 31)
        )
        TermFactory(
            school=school,
            academic_year=year,
            season=Term.Season.SUMMER,
            starts_on=D(2026, 4, 13),
            ends_on=D(2026, 7, 21),
        )
        autumn = TermFactory(school=school)
        pupils = [
            PupilFactory(
                school=school,
                primary_need=PrimaryNeed.SEMH,
                legal_first_name=first,
                legal_last_name=last,
            )
            for first, last in (
                ("Zebedee", "Quartermain"),
                ("Ottoline", "Brackenbury"),
                ("Leopold", "Fairweather"),
            )
        ]
        main = pupils[0]
        for n, pupil in enumerate(pupils):
            for day in (D(2026, 9, 10), D(2026, 10, 6), D(2026, 11, 3))[: n + 1]:
                IncidentFactory(
                    school=school, occurred_at=at(day, 10), pupils=[pupil], behaviour=BEHAVIOUR
                )
        for kind, minutes in ((InterventionKind.RESTRAINT, 6), (InterventionKind.SECLUSION, 10)):
            incident = IncidentFactory(
                school=school,
                occurred_at=at(D(2026, 11, 10), 11),
                pupils=[main],
                outcome=Outcome.RESET_AREA,
                behaviour=BEHAVIOUR,
            )
            RestrictiveInterventionFactory(incident=incident, kind=kind, minutes=minutes)
        IncidentFactory(school=school, occurred_at=at(D(2026, 5, 5), 10), pupils=[main])
        room = RoomFactory(school=school, name="The Den")
        for n, pupil in enumerate(pupils * 3):
            day = D(2026, 9, 14) + datetime.timedelta(days=n)
            VisitFactory(
                room=room,
                pupil=pupil,
                arrived_at=at(day, 9),
                left_at=at(day, 9, 40),
                stay_minutes=40,
                minutes_out_of_learning=35,
                reason=Reason.PLANNED if n % 3 == 0 else Reason.REFERRED,
                outcome=VisitOutcome.RETURNED,
            )
        plan = SupportPlanFactory(pupil=main, starts_on=D(2026, 9, 7))
        target = TargetFactory(plan=plan, description=TARGET)
        TargetReviewFactory(
            target=target,
            review=PlanReviewFactory(plan=plan, held_on=D(2026, 10, 20)),
            rating=3,
            evidence=RATING_EVIDENCE,
        )
        DailyNoteFactory(pupil=main, target=target, on_day=D(2026, 10, 14), text=NOTE_EVIDENCE)
    with scopes_disabled():
        PupilProfileFactory(
            pupil=main,
            strengths_and_interests=f'{PROFILE_TEXT} <img src="{url}/profile.png">',
            pupil_voice="I want to be a train driver",
        )
    return {
        "school": school,
        "term": autumn,
        "pupils": pupils,
        "main": main,
        "room": room,
        "requests": requests,
        "url": url,
    }


def test_the_termly_report_gives_the_school_the_term_and_the_figures_of_the_figure_functions(
    world, tmp_path
):
    school, term = world["school"], world["term"]

    rendered = render_document("termly", school, {"term": str(term.pk)})

    read = poppler(rendered.pdf, tmp_path)
    with scope(school=school):
        scopes = comparison_scopes(term)
        incidents = incident_totals(scopes["this"]).value["total"]
        before = incident_totals(scopes["previous"]).value["total"]
        visits = reset_visits(scopes["this"]).value["visits"]
        kinds = {row["kind"]: row for row in restrictive_by_kind(scopes["this"]).value}
    text = read["text"]
    assert school.name in text and str(term) in text
    assert (incidents, before, visits) == (8, 1, 9)  # the fixture's, as the figures count them
    lines = read["lines"]
    assert f"Incidents {incidents} {before} —" in lines  # the summary: this term, the previous
    assert f"Visits {visits} 0 —" in lines
    restraint, seclusion = kinds["restraint"], kinds["seclusion"]
    assert f"Restraints and seclusions {restraint['count'] + seclusion['count']} 0 —" in lines
    assert any(
        line.startswith(f"Restraint (physical intervention) 1 {restraint['total_minutes']}")
        for line in lines
    )
    assert "Zebedee Quartermain" in text  # the school's own version names pupils
    for heading in (
        "Contents",
        "Suspensions by DfE reason",
        "Provision reviews: scores and decisions",
        "Reach and equity",
        "Pupils of concern",
        "Method: how each",
    ):
        assert heading in text, heading
    assert "dated by when they happened" in text  # the dashboard's definition, on the method page


def test_the_governors_version_names_no_pupil_and_hides_small_counts(world, tmp_path):
    school = world["school"]

    rendered = render_document("termly_governors", school, {"term": str(world["term"].pk)})

    text = poppler(rendered.pdf, tmp_path)["text"]
    assert "fewer than 5" in text
    for pupil in world["pupils"]:
        for name in (pupil.legal_first_name, pupil.legal_last_name, pupil.full_name):
            assert name not in text
        initials = pupil.legal_first_name[0] + pupil.legal_last_name[0]
        assert not re.search(rf"\b{initials}\b|\b{initials[0]}\. ?{initials[1]}\.", text)
    for free_text in (BEHAVIOUR, PROFILE_TEXT, TARGET, RATING_EVIDENCE, NOTE_EVIDENCE):
        assert free_text not in text
    assert "Still missing" not in text  # no pupil-level rows (the outstanding follow-up's)
    assert "governors' anonymised version" in rendered.title


def test_the_pupil_pack_has_the_target_evidence_and_no_name_in_its_metadata(world, tmp_path):
    school, main = world["school"], world["main"]

    rendered = render_document("pupil_pack", school, {"pupil": str(main.pk)})

    read = poppler(rendered.pdf, tmp_path)
    text = read["text"]
    assert main.full_name in text
    for seen in (TARGET, RATING_EVIDENCE, NOTE_EVIDENCE, "I want to be a train driver"):
        assert seen in text, seen
    assert "Seclusion (prevented from leaving)" in text
    for name in (main.legal_first_name, main.legal_last_name):
        assert name not in read["info"]["Title"]
        assert name not in rendered.title and name.lower() not in rendered.filename
    assert read["info"]["Title"] == rendered.title and read["info"]["Author"] == school.name


def test_text_a_pupil_typed_never_makes_the_pdf_fetch_anything(world, tmp_path):
    """The profile holds <img src="http://…">: printed as text, never requested. And should
    markup ever reach the renderer, the helper's fetcher refuses anything but our static files."""
    rendered = render_document("pupil_pack", world["school"], {"pupil": str(world["main"].pk)})
    assert PROFILE_TEXT in poppler(rendered.pdf, tmp_path)["text"]

    made = pdf.render_pdf(
        f'<p>Hello</p><img src="{world["url"]}/tracker.png" alt="">'
        f'<link rel="stylesheet" href="{world["url"]}/x.css">'
        '<img src="file:///etc/hostname" alt="">',
        stylesheets=["print/report.css"],
    )

    assert world["requests"] == []
    refused = [w for w in made.warnings if "Refused to fetch" in w]
    assert any(world["url"] in w for w in refused) and any("/etc/hostname" in w for w in refused)
    assert "DejaVu" in poppler(made.pdf, tmp_path, "helper.pdf")["fonts"]  # the bundled fonts


def test_the_reset_area_report_gives_the_rooms_counts(world, tmp_path):
    school, room = world["school"], world["room"]

    rendered = render_document(
        "reset_area",
        school,
        {"room": str(room.pk), "date_from": "2026-09-01", "date_to": "2026-11-25"},
    )

    read = poppler(rendered.pdf, tmp_path)
    text, lines = read["text"], read["lines"]
    assert "The Den" in text and "01/09/2026 to 25/11/2026" in text
    # The headline tiles (read in any order), then the tables under them.
    tiles = text[text.index("Use of the room Visits") : text.index("Visits by reason")]
    for label, value in (
        ("Visits", "9"),
        ("Planned / unplanned", "3 / 6"),
        ("Minutes out of learning", "315"),
        ("Returned to lesson", "9 of 9"),
        ("Median stay", "40.0 min"),
        ("Repeat visitors (3+ visits)", "3"),
    ):
        assert label in tiles and value.replace(" ", "") in tiles.replace(" ", ""), label
    assert "3 pupils" in tiles
    assert any(line.startswith("Planned session 3") for line in lines)
    assert any(line.startswith("Referred by staff 6") for line in lines)
    main = world["main"]
    assert f"{main.full_name} 3 3 105 120 100% " in " ".join(lines) + " "


def test_each_pdf_is_a4_tagged_with_its_pages_counted_and_titled(world, tmp_path):
    school = world["school"]
    params = {
        "termly": {"term": str(world["term"].pk)},
        "pupil_pack": {"pupil": str(world["main"].pk)},
        "reset_area": {
            "room": str(world["room"].pk),
            "date_from": "2026-09-01",
            "date_to": "2026-11-25",
        },
    }
    for kind, given in params.items():
        rendered = render_document(kind, school, given)
        read = poppler(rendered.pdf, tmp_path, f"{kind}.pdf")
        info = read["info"]
        assert int(info["Pages"]) == rendered.pages, kind
        assert {"termly": 10, "pupil_pack": 5, "reset_area": 3}[kind] <= rendered.pages <= 30
        assert info["Page size"].startswith("595") and "(A4)" in info["Page size"]
        assert info["Tagged"] == "yes"
        assert info["Title"] == rendered.title and rendered.title.startswith(KINDS[kind])
        assert info["Author"] == school.name
        assert f"Page 2 of {rendered.pages}" in read["text"]
        assert rendered.filename.startswith(school.slug) and rendered.filename.endswith(".pdf")
        assert rendered.warnings == []


def test_parameters_naming_nothing_of_the_school_are_refused_in_words(world, cast):
    other = cast.school_b
    with scope(school=other):
        other_term = TermFactory(school=other)
        other_room = RoomFactory(school=other)
    asks = [
        ("termly", {"term": str(other_term.pk)}),
        ("termly_governors", {"term": "not-a-term"}),
        ("pupil_pack", {"pupil": str(cast.pupils_b[0].pk)}),
        ("pupil_pack", {"pupil": "garbage"}),
        (
            "reset_area",
            {"room": str(other_room.pk), "date_from": "2026-09-01", "date_to": "2026-11-25"},
        ),
        (
            "reset_area",
            {"room": str(world["room"].pk), "date_from": "2026-11-25", "date_to": "2026-09-01"},
        ),
        ("nonsense", {}),
    ]
    for kind, params in asks:
        with pytest.raises(DocumentError):
            render_document(kind, world["school"], params)
