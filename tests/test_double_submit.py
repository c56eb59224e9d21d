"""Every form that creates a record, sent twice: one record, and never a server error.

One table row per creating form: who sends it, where, what it posts, and the rows to count. The
form page is opened first (as a person would) and its hidden submission key, if it has one, is
posted with the data. Forms whose record has a natural unique key (a UPN, a label, a room's
name, one next cycle per plan, one parent report per intervention, one placement of a pupil per
period) carry no key: the second sending is refused with a message, and the table holds them too.

A new creating form is one line in ``FORMS``.
"""

import re
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import (
    ConcernAction,
    FollowUpAction,
    Incident,
    IncidentAmendment,
    ParentReport,
    SafeguardingConcern,
    StaffStatement,
    Vocabulary,
)
from interventions.models import (
    Enrolment,
    Group,
    MeasureDefinition,
    MeasureResult,
    Programme,
    Session,
)
from pupils.models import (
    AgencyInvolvement,
    DailyNote,
    MeetingAction,
    ParentContact,
    PlanReview,
    Pupil,
    PupilProfile,
    SupportPlan,
    Target,
    WellbeingCheckIn,
)
from reset_area.models import PlannedPlacement, Room, RoomDuty, Visit
from semh.access import Role
from semh.models import Invitation, Period
from tests.factories import PASSWORD
from tests.factories.incidents import (
    ConcernFactory,
    IncidentFactory,
    RestrictiveInterventionFactory,
    incident_data,
    school_vocabulary,
)
from tests.factories.interventions import EnrolmentFactory, GroupFactory, builtin_measures
from tests.factories.pupils import SupportPlanFactory, TargetFactory
from tests.factories.reset_area import PeriodFactory, RoomFactory
from tests.incidents.test_amend import form_data as amendment

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
KEY = re.compile(r'name="submission_key" value="([^"]+)"')


@dataclass
class World:
    """What the creating forms need to exist already, in school A."""

    cast: object
    pupil: object
    plan: object
    target: object
    incident: object
    concern: object
    restraint: object
    room: object
    period: object
    vocab: dict

    def user(self, role):
        return self.cast.user(role)

    def url(self, name, **kwargs):
        return reverse(name, kwargs={"school_slug": self.cast.school_a.slug, **kwargs})

    def pupil_url(self, name):
        return self.url(name, pupil_id=self.pupil.pk)

    def plan_url(self, name):
        return self.url(name, pupil_id=self.pupil.pk, plan_id=self.plan.pk)


def build_world(cast) -> World:
    senco, assistant = cast.user(Role.SENCO), cast.user(Role.ASSISTANT)
    pupil = cast.caseload[0]
    with scopes_disabled():
        vocab = school_vocabulary(cast.school_a)
        plan = SupportPlanFactory(pupil=pupil, owner=senco, created_by=senco)
        target = TargetFactory(plan=plan, description="Uses the calm-down plan", position=0)
        incident = IncidentFactory(
            school=cast.school_a, reported_by=assistant, pupils=[pupil], staff=[assistant]
        )
        concern = ConcernFactory(incident=incident, raised_by=assistant, concern="Worried")
        restraint = RestrictiveInterventionFactory(
            incident=incident, recorded_by=assistant, staff=[assistant]
        )
        room = RoomFactory(school=cast.school_a, name="The Hub", capacity=4)
        period = PeriodFactory(school=cast.school_a, weekday=0, name="P1")
    return World(cast, pupil, plan, target, incident, concern, restraint, room, period, vocab)


def sdq_teacher():
    builtin_measures()  # a transactional test starts without the migration's rows
    return MeasureDefinition.objects.get(key="sdq-teacher")


def sdq_self():
    builtin_measures()
    return MeasureDefinition.objects.get(key="sdq-self")


def todays_group(w):
    """A group of school A that meets today, the world's pupil enrolled (made on first use)."""
    if getattr(w, "group", None) is None:
        with scopes_disabled():
            w.group = GroupFactory(programme__school=w.cast.school_a, name="Register group")
            EnrolmentFactory(group=w.group, pupil=w.pupil)
    return w.group


def _programme(w):
    with scopes_disabled():
        return Programme.objects.get(school=w.cast.school_a, name="ELSA")


def _group(w):
    with scopes_disabled():
        return GroupFactory(programme=_programme(w), name="Wednesday ELSA")


def iso(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@dataclass
class Form:
    name: str
    role: str
    url: object  # World -> the URL posted to
    data: object  # World -> the POST data
    model: object
    rows: object  # World -> filter of the rows one sending makes
    page: object = None  # World -> the page showing the form (the URL posted to, unless given)


FORMS = [
    Form(
        "pupil (natural key: UPN)",
        Role.SENCO,
        lambda w: w.url("pupils:create"),
        lambda w: {
            "upn": "H801200001001",
            "legal_first_name": "Ellis",
            "legal_last_name": "Marsh",
            "date_of_birth": "2013-05-02",
            "gender": "X",
            "year_group": 8,
            "form": "8V",
            "sen_status": "K",
            "primary_need": "SEMH",
        },
        Pupil,
        lambda w: {"upn": "H801200001001"},
    ),
    Form(
        "support plan",
        Role.SENCO,
        lambda w: w.pupil_url("pupils:plan_create"),
        lambda w: {
            "kind": "ibp",
            "status": "active",
            "starts_on": iso(),
            "next_review_on": iso(42),
            "owner": w.user(Role.SENCO).pk,
            "pupil_voice": "I want to stay in class more.",
        },
        SupportPlan,
        lambda w: {"pupil": w.pupil, "pupil_voice": "I want to stay in class more."},
    ),
    Form(
        "target",
        Role.SENCO,
        lambda w: w.plan_url("pupils:target_create"),
        lambda w: {
            "area_of_need": "semh",
            "description": "Asks for a break card",
            "success_criteria": "Three times a week",
        },
        Target,
        lambda w: {"plan": w.plan, "description": "Asks for a break card"},
    ),
    Form(
        "plan review",
        Role.SENCO,
        lambda w: w.plan_url("pupils:plan_review_create"),
        lambda w: {
            "held_on": iso(),
            "attendees": "Ms Patel (SENCo)\nMum",
            f"rating_{w.target.pk}": "3",
            f"evidence_{w.target.pk}": "Used it twice",
        },
        PlanReview,
        lambda w: {"plan": w.plan},
    ),
    Form(
        "next cycle (natural key: one per plan)",
        Role.SENCO,
        lambda w: w.plan_url("pupils:plan_next_cycle"),
        lambda w: {"next_review_on": iso(60)},
        SupportPlan,
        lambda w: {"previous_cycle": w.plan},
    ),
    Form(
        "parent contact",
        Role.ASSISTANT,
        lambda w: w.pupil_url("pupils:contact_create"),
        lambda w: {
            "contacted_at": f"{iso(-1)}T15:30",
            "method": "phone",
            "with_whom": "Mum (Mrs Lee)",
            "summary": "Agreed a calm start plan.",
        },
        ParentContact,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "quick note",
        Role.ASSISTANT,
        lambda w: w.pupil_url("pupils:note_create"),
        lambda w: {"kind": "positive", "text": "Helped tidy up without being asked."},
        DailyNote,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "wellbeing check-in",
        Role.ASSISTANT,
        lambda w: w.pupil_url("pupils:check_in_create"),
        lambda w: {"zone": "green", "by": "pupil"},
        WellbeingCheckIn,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "agency involvement",
        Role.SENCO,
        lambda w: w.pupil_url("pupils:agency_create"),
        lambda w: {
            "agency": "camhs",
            "status": "referred",
            "referred_on": iso(-7),
            "contact_name": "Dr Rao",
        },
        AgencyInvolvement,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "meeting with an action",
        Role.SENCO,
        lambda w: w.pupil_url("pupils:meeting_create"),
        lambda w: {
            "kind": "multi_agency",
            "held_on": iso(-1),
            "staff_attendees": [w.user(Role.SENCO).pk],
            "notes": "Agreed a referral.",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Send Early Help referral",
            "actions-0-owner": w.user(Role.SENCO).pk,
            "actions-0-due_on": iso(7),
        },
        MeetingAction,
        lambda w: {"meeting__pupil": w.pupil},
    ),
    Form(
        "incident",
        Role.ASSISTANT,
        lambda w: w.url("incidents:log"),
        lambda w: {
            k: v
            for k, v in incident_data(w.vocab, w.pupil, w.user(Role.ASSISTANT)).items()
            if k != "submission_key"
        },
        Incident,
        lambda w: {"behaviour__startswith": "Swore at the teacher"},
    ),
    Form(
        "pupil profile (natural key: one per pupil)",
        Role.SENCO,
        lambda w: w.pupil_url("pupils:profile_edit"),
        lambda w: {"strengths_and_interests": "Lego and drawing"},
        PupilProfile,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "safeguarding concern raised on its own",
        Role.ASSISTANT,
        lambda w: w.url("incidents:concern_new"),
        lambda w: {
            "pupil": w.pupil.pk,
            "concern": "Said she is scared to go home",
            "noticed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        SafeguardingConcern,
        lambda w: {"concern": "Said she is scared to go home"},
    ),
    Form(
        "concern action",
        Role.DSL,
        lambda w: w.url("incidents:concern_action", concern_id=w.concern.pk),
        lambda w: {"note": "Referred to children's services"},
        ConcernAction,
        lambda w: {"concern": w.concern},
        page=lambda w: w.url("incidents:concern_detail", concern_id=w.concern.pk),
    ),
    Form(
        "incident review with a follow-up action",
        Role.SENCO,
        lambda w: w.url("incidents:review", incident_id=w.incident.pk),
        lambda w: {
            "review_notes": "Third corridor incident after break.",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Plan a calm transition from break",
            "actions-0-owner": w.user(Role.ASSISTANT).pk,
            "actions-0-due_on": iso(7),
        },
        FollowUpAction,
        lambda w: {"incident": w.incident},
    ),
    Form(
        "incident amendment (natural key: sent again, it changes nothing)",
        Role.ASSISTANT,
        lambda w: w.url("incidents:amend", incident_id=w.incident.pk),
        lambda w: amendment(w.incident, behaviour="Shouted; did not kick", reason="Misremembered"),
        IncidentAmendment,
        lambda w: {"incident": w.incident},
    ),
    Form(
        "report to parents (natural key: one per intervention)",
        Role.ASSISTANT,
        lambda w: w.url("incidents:parent_report", intervention_id=w.restraint.pk),
        lambda w: {
            "outcome": "made",
            "reported_at": f"{iso()}T09:00",
            "method": "Phone call",
            "reported_by": w.user(Role.ASSISTANT).pk,
            "what_was_said": "Explained the hold and why.",
        },
        ParentReport,
        lambda w: {"intervention": w.restraint},
    ),
    Form(
        "own statement on a hold (natural key: one per person)",
        Role.ASSISTANT,
        lambda w: w.url("incidents:statement", intervention_id=w.restraint.pk),
        lambda w: {"text": "I held his arm for four minutes."},
        StaffStatement,
        lambda w: {"intervention": w.restraint},
    ),
    Form(
        "vocabulary entry (natural key: label)",
        Role.SENCO,
        lambda w: w.url("incidents:vocabulary"),
        lambda w: {"kind": "location", "label": "Science lab"},
        Vocabulary,
        lambda w: {"school": w.cast.school_a, "label": "Science lab"},
    ),
    Form(
        "Reset Area room (natural key: name)",
        Role.SENCO,
        lambda w: w.url("reset_area:room_create"),
        lambda w: {"name": "Calm Room", "capacity": 3, "is_active": "on"},
        Room,
        lambda w: {"school": w.cast.school_a, "name": "Calm Room"},
    ),
    Form(
        "planned placement (natural key: pupil and period)",
        Role.SENCO,
        lambda w: w.url("reset_area:placement_create", room_id=w.room.pk),
        lambda w: {
            "pupil": w.pupil.pk,
            "period": w.period.pk,
            "purpose": "Zones check-in",
            "starts_on": iso(5),
            "ends_on": iso(30),
        },
        PlannedPlacement,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "Reset Area check-in (natural key: one open visit per pupil)",
        Role.ASSISTANT,
        lambda w: w.url("reset_area:check_in", room_id=w.room.pk),
        lambda w: {"pupil": w.pupil.pk, "reason": "referred", "zone_on_arrival": "yellow"},
        Visit,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "staff on duty (a set: each person once)",
        Role.ASSISTANT,
        lambda w: w.url("reset_area:duty", room_id=w.room.pk),
        lambda w: {"staff": [w.user(Role.ASSISTANT).pk]},
        RoomDuty,
        lambda w: {"room": w.room},
    ),
    Form(
        "a new period of the school day (natural key: its start)",
        Role.SENCO,
        lambda w: w.url("reset_area:school_day_edit") + "?day=0",
        lambda w: {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "1",
            "form-0-id": w.period.pk,
            "form-0-name": "P1",
            "form-0-starts_at": "09:00",
            "form-0-ends_at": "10:00",
            "form-0-is_learning": "on",
            "form-1-name": "Club",
            "form-1-starts_at": "15:00",
            "form-1-ends_at": "16:00",
        },
        Period,
        lambda w: {"school": w.cast.school_a, "name": "Club"},
    ),
    Form(
        "measure result (SDQ by subscale totals)",
        Role.ASSISTANT,
        lambda w: w.pupil_url("interventions:result_create") + f"?definition={sdq_teacher().pk}",
        lambda w: {
            "entry": "subscales",
            "point": "baseline",
            "taken_on": iso(),
            "completed_by": "Class teacher",
            "score_emotional": "4",
            "score_conduct": "2",
            "score_hyperactivity": "6",
            "score_peer": "1",
        },
        MeasureResult,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "school measure",
        Role.SENCO,
        lambda w: w.url("interventions:measure_create"),
        lambda w: {
            "name": "How I feel at lunchtime",
            "informant": "self",
            "s1_name": "Feeling",
            "s1_minimum": "1",
            "s1_maximum": "10",
            "s1_higher_is_better": "on",
        },
        MeasureDefinition,
        lambda w: {"name": "How I feel at lunchtime"},
    ),
    Form(
        "school copy of a measure",
        Role.SENCO,
        lambda w: w.url("interventions:measure_copy", measure_id=sdq_self().pk),
        lambda w: {},
        MeasureDefinition,
        lambda w: {"school": w.cast.school_a, "key__startswith": "sdq-self"},
        page=lambda w: w.url("interventions:measure", measure_id=sdq_self().pk),
    ),
    Form(
        "session register (natural key: group and day)",
        Role.ASSISTANT,
        lambda w: w.url("interventions:register", group_id=todays_group(w).pk),
        lambda w: {"delivered_by": w.user(Role.ASSISTANT).pk, "note": "Calm session"},
        Session,
        lambda w: {"group": todays_group(w)},
    ),
    Form(
        "session cancelled (natural key: group and day)",
        Role.ASSISTANT,
        lambda w: w.url("interventions:session_cancel", group_id=todays_group(w).pk),
        lambda w: {"reason": "Staff training"},
        Session,
        lambda w: {"group": todays_group(w)},
        page=lambda w: w.url("interventions:register", group_id=todays_group(w).pk),
    ),
    Form(
        "intervention programme (natural key: name)",
        Role.SENCO,
        lambda w: w.url("interventions:programme_create"),
        lambda w: {
            "name": "Worry busters",
            "wave": 2,
            "delivery": "group",
            "usual_sessions": 6,
            "frequency": "weekly",
            "session_minutes": 30,
            "area_of_need": "semh",
            "is_active": "on",
        },
        Programme,
        lambda w: {"school": w.cast.school_a, "name": "Worry busters"},
    ),
    Form(
        "intervention group",
        Role.SENCO,
        lambda w: w.url("interventions:group_create"),
        lambda w: {
            "programme": _programme(w).pk,
            "name": "Tuesday Lego",
            "lead": w.user(Role.ASSISTANT).pk,
            "weekday": 1,
            "starts_at": "13:15",
            "starts_on": iso(),
            "planned_end_on": iso(70),
            "planned_sessions": 10,
            "staff_hours_per_session": "1.5",
            "hourly_cost": "14.50",
        },
        Group,
        lambda w: {"school": w.cast.school_a, "name": "Tuesday Lego"},
    ),
    Form(
        "enrolment (natural key: one open enrolment per pupil and group)",
        Role.SENCO,
        lambda w: w.url("interventions:enrol"),
        lambda w: {
            "group": _group(w).pk,
            "pupil": w.pupil.pk,
            "starts_on": iso(),
            "reason": "Finds it hard to name feelings",
            "consent": "awaiting",
        },
        Enrolment,
        lambda w: {"pupil": w.pupil},
    ),
    Form(
        "staff invitation",
        Role.ADMIN,
        lambda w: w.url("staff:invite"),
        lambda w: {"email": "jo.bloggs@alder.example", "role": Role.ASSISTANT},
        Invitation,
        lambda w: {"email": "jo.bloggs@alder.example"},
    ),
]


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def form_post(client, form, w) -> dict:
    """The form's data, with the hidden key of the page as the person opened it."""
    page = client.get((form.page or form.url)(w))
    assert page.status_code == 200
    data = form.data(w)
    keys = KEY.findall(page.content.decode())
    if keys:
        data["submission_key"] = keys[0]
    return data


def count(form, w) -> int:
    with scopes_disabled():
        return form.model.objects.filter(**form.rows(w)).count()


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_a_form_sent_twice_makes_one_record(
    cast, form, mailoutbox, django_capture_on_commit_callbacks
):
    w = build_world(cast)
    client = signed_in(w.user(form.role))
    data = form_post(client, form, w)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(form.url(w), data)
        second = client.post(form.url(w), data)

    assert first.status_code == 302, first.content.decode()[:3000]
    assert second.status_code in (200, 302)
    assert count(form, w) == 1, form.name
    if form.model is Invitation:
        assert len(mailoutbox) == 1


def post_at_once(clients, url, data) -> list:
    """Each client posts at the same moment from its own thread (and database connection);
    ``url`` may be a list, one for each client."""
    barrier = threading.Barrier(len(clients))
    outcomes = [None] * len(clients)
    urls = url if isinstance(url, list) else [url] * len(clients)

    def send(n):
        try:
            barrier.wait()
            outcomes[n] = clients[n].post(urls[n], data).status_code
        except Exception as error:  # a server error raised through the test client
            outcomes[n] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_a_form_sent_twice_at_the_same_moment_makes_one_record(cast, form):
    w = build_world(cast)
    clients = [signed_in(w.user(form.role)) for _ in range(2)]
    data = form_post(clients[0], form, w)
    mail.outbox = []

    outcomes = post_at_once(clients, form.url(w), data)

    assert all(o in (200, 302) for o in outcomes), outcomes
    assert 302 in outcomes
    assert count(form, w) == 1, form.name
    if form.model is Invitation:
        assert len(mail.outbox) == 1
