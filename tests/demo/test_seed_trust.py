"""seed_trust: a tiny run opens in the app as its staff would see it."""

import html
import io
import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from demo.bulk import BulkWriter, KeyMismatch
from demo.management.commands.seed_trust import DEMO_PASSWORD
from incidents.models import Incident, IncidentPupil, RestrictiveIntervention, StaffStatement
from pupils.models import Meeting, MeetingAction, PlanReview, Pupil, SenStatus
from pupils.validators import validate_upn
from reset_area.models import PlannedPlacement, Visit
from semh.calendar import default_range
from semh.models import AuditEvent, Membership, School, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_trust", schools=2, scale=0.01, seed=7, force=True, stdout=out)
    with scopes_disabled():
        schools = {s.slug: s for s in School.objects.filter(urn__startswith="9710")}
    return out.getvalue(), schools["ashby"], schools["brook-lane"]


def test_prints_the_time_taken_and_every_table_filled(seeded):
    out, _, _ = seeded
    assert "Seeded 2 schools in" in out
    for table in ("pupils_pupil", "incidents_incident", "reset_area_visit", "semh_auditevent"):
        assert table in out
    with scopes_disabled():
        assert f"{Incident.objects.count():,}" in out.split("incidents_incident ")[1].split()[0]


def test_seeded_rows_keep_the_apps_rules(seeded):
    _, ashby, _ = seeded
    with scopes_disabled():
        pupils = Pupil.objects.filter(school=ashby)
        assert pupils.count() == 10
        assert pupils.exclude(sen_status=SenStatus.NONE).count() == 3
        for pupil in pupils:
            validate_upn(pupil.upn)
        incidents = Incident.objects.filter(school=ashby)
        assert incidents.exists()
        # Exactly one primary pupil per incident.
        assert (
            IncidentPupil.objects.filter(incident__school=ashby, is_primary=True).count()
            == incidents.count()
        )
        for record in RestrictiveIntervention.objects.filter(pupil__school=ashby):
            assert record.incident.occurred_at <= record.started_at < record.ended_at
        assert StaffStatement.objects.filter(intervention__pupil__school=ashby).exists()
        for visit in Visit.objects.filter(school=ashby)[:200]:
            assert visit.left_at > visit.arrived_at
            assert visit.minutes_out_of_learning <= visit.stay_minutes
        assert AuditEvent.objects.filter(school=ashby).count() > incidents.count()
        # Each plan review has its meeting, whose action is done once it is well past due.
        meetings = Meeting.objects.filter(pupil__school=ashby)
        assert meetings.count() == PlanReview.objects.filter(plan__pupil__school=ashby).count() > 0
        for action in MeetingAction.objects.filter(meeting__pupil__school=ashby):
            assert action.due_on > action.meeting.held_on
            assert action.done_on is None or action.done_on <= timezone.localdate()
        for role in ("senco", "dsl", "slt", "assistant"):
            user = User.objects.get(email=f"{role}@ashby.trust.example")
            assert Membership.objects.filter(user=user, school=ashby, role=role).exists()
        leader = User.objects.get(email="trust-slt@trust.example")
        assert Membership.objects.filter(user=leader, role="slt").count() == 2


def text_of(response) -> str:
    """The page's words as a person reads them: tags dropped, spaces collapsed."""
    page = re.sub(r"<(script|style).*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_senco_sees_the_seeded_pupils_incidents_and_figures(seeded, client, login, clock):
    _, ashby, _ = seeded
    with scopes_disabled():
        term = default_range(ashby, clock.today)
        senco = User.objects.get(email="senco@ashby.trust.example")
        pupils = list(Pupil.objects.filter(school=ashby))
        latest = Incident.objects.filter(school=ashby).order_by("-occurred_at").first()
        pupil = latest.involvements.get(is_primary=True).pupil
        incidents = Incident.objects.filter(
            school=ashby, occurred_at__date__gte=term.start, occurred_at__date__lte=term.end
        ).count()
        visits = Visit.objects.filter(school=ashby).between(term.start, term.end).count()
    login(senco, DEMO_PASSWORD)

    page = text_of(client.get(reverse("pupils:list", args=[ashby.slug])))
    assert all(p.full_name in page or p.legal_last_name in page for p in pupils)

    response = client.get(reverse("pupils:detail", args=[ashby.slug, pupil.pk]))
    assert response.status_code == 200
    page = text_of(response)
    assert pupil.full_name in page and "Support plans" in page

    response = client.get(reverse("incidents:list", args=[ashby.slug]))
    assert response.status_code == 200
    when = timezone.localtime(latest.occurred_at)
    assert f"{when:%d/%m/%Y %H:%M} {pupil.full_name}" in text_of(response)

    response = client.get(reverse("reports:dashboard", args=[ashby.slug]))
    assert response.status_code == 200
    assert incidents and re.search(rf"Incidents Incidents {incidents}\b", text_of(response))

    response = client.get(reverse("reset_area:metrics", args=[ashby.slug]))
    assert response.status_code == 200
    assert visits and f"Visits {visits} " in text_of(response)

    with scopes_disabled():  # today's timetabled Reset Area sessions, on the room's register
        planned = PlannedPlacement.objects.active_on(clock.today).filter(room__school=ashby)
        placement = planned.select_related("room", "pupil").first()
    register = reverse("reset_area:register", args=[ashby.slug, placement.room.pk])
    assert placement.pupil.full_name in text_of(client.get(register))


def test_senco_of_one_school_cannot_open_another_schools_pupils(seeded, client, login):
    _, ashby, brook_lane = seeded
    with scopes_disabled():
        senco = User.objects.get(email="senco@ashby.trust.example")
        other = Pupil.objects.filter(school=brook_lane).first()
    login(senco, DEMO_PASSWORD)
    assert client.get(reverse("pupils:detail", args=[ashby.slug, other.pk])).status_code == 404
    assert client.get(reverse("pupils:list", args=[brook_lane.slug])).status_code == 404
    assert client.get(reverse("pupils:detail", args=[brook_lane.slug, other.pk])).status_code == 404


def test_a_bulk_row_pointing_at_nothing_is_refused(db):
    writer = BulkWriter()
    writer.start()
    if not writer.deferred_keys:
        pytest.skip("keys are checked row by row here (SQLite, or a role without superuser)")
    writer.write(Pupil.key_adults.through, ["pupil_id", "user_id"], [(uuid.uuid4(), 999_999)])
    with pytest.raises(KeyMismatch, match="pupils_pupil_key_adults.pupil_id: 1 rows"):
        writer.check_keys()
