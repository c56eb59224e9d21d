"""Outreach referrals: a school refers a pupil to an outreach service; the service's staff open
that pupil (and nobody else of the school) only while the referral is open; the lead practitioner
sees every open referral across the service's schools and nothing else."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from pupils.models import DailyNote, Referral
from semh.access import Role, ServiceRole
from semh.models import AuditEvent
from tests.factories import PupilFactory
from tests.factories.pupils import (
    OutreachServiceFactory,
    ReferralFactory,
    SupportPlanFactory,
    TargetFactory,
    service_staff,
)

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def outreach(cast):
    """A service working with both cast schools, one outreach assistant and one lead, and the
    first pupil of school A referred to it (open)."""
    with scopes_disabled():
        service = OutreachServiceFactory(
            name="Bridges Outreach", slug="bridges", schools=[cast.school_a, cast.school_b]
        )
        worker = service_staff(service, email="kim@bridges.example")
        lead = service_staff(service, ServiceRole.LEAD_PRACTITIONER, email="dee@bridges.example")
        referral = ReferralFactory(pupil=cast.pupils_a[0], service=service)
    return {"service": service, "worker": worker, "lead": lead, "referral": referral}


def pupil_url(pupil, name="detail"):
    return reverse(f"pupils:{name}", args=[pupil.school.slug, pupil.pk])


def set_referral(referral, **fields):
    with scopes_disabled():
        Referral.objects.filter(pk=referral.pk).update(**fields)


def test_outreach_assistant_opens_the_referred_pupil_only_while_the_referral_is_open(
    client, cast, outreach, clock
):
    referral, pupil = outreach["referral"], cast.pupils_a[0]
    client.force_login(outreach["worker"])

    assert client.get(pupil_url(pupil)).status_code == 200

    set_referral(referral, starts_on=TODAY + datetime.timedelta(days=1))  # not yet started
    assert client.get(pupil_url(pupil)).status_code == 404

    set_referral(referral, starts_on=TODAY - datetime.timedelta(days=30))
    assert client.get(pupil_url(pupil)).status_code == 200
    clock.set(referral.planned_end_on, 16)  # the planned exit is the last day
    client.force_login(outreach["worker"])  # a new day, a new sign-in
    assert client.get(pupil_url(pupil)).status_code == 200
    clock.set(referral.planned_end_on + datetime.timedelta(days=1), 8)  # ends by itself
    client.force_login(outreach["worker"])
    assert client.get(pupil_url(pupil)).status_code == 404


def test_outreach_staff_never_see_another_pupil_of_the_school(client, cast, outreach):
    client.force_login(outreach["worker"])
    school = cast.school_a
    others = cast.pupils_a[1:]

    for pupil in others:
        assert client.get(pupil_url(pupil)).status_code == 404
        assert client.get(pupil_url(pupil, "note_create")).status_code == 404
    listing = client.get(reverse("pupils:list", args=[school.slug])).content.decode()
    assert str(cast.pupils_a[0].pk) in listing
    assert not any(str(p.pk) in listing for p in others)
    for pupil in others:  # the incident form's and the concern form's pupil search
        found = client.get(
            reverse("incidents:pupil_search", args=[school.slug]), {"q": pupil.legal_last_name}
        ).content.decode()
        assert str(pupil.pk) not in found
    picker = client.get(reverse("pupils:note_pick_pupil", args=[school.slug])).content.decode()
    assert not any(str(p.pk) in picker for p in others)
    # The rooms and registers show every pupil of the school: not for outreach staff.
    assert client.get(reverse("reset_area:index", args=[school.slug])).status_code == 403
    assert client.get(reverse("interventions:index", args=[school.slug])).status_code == 403


def test_an_incident_logged_by_outreach_staff_can_only_be_about_a_referred_pupil(
    client, cast, outreach
):
    client.force_login(outreach["worker"])
    other = cast.pupils_a[1]
    response = client.get(
        reverse("incidents:log", args=[cast.school_a.slug]), {"pupil": str(other.pk)}
    )
    assert response.status_code == 200
    assert str(other.pk) not in response.content.decode()
    concern = client.post(
        reverse("incidents:concern_new", args=[cast.school_a.slug]),
        {
            "pupil": str(other.pk),
            "concern": "Said something worrying",
            "noticed_at": "25/11/2026 10:00",
        },
    )
    assert concern.status_code == 200  # the form again: that pupil is not a choice
    assert "Select a valid choice" in concern.content.decode()


def test_what_outreach_staff_record_belongs_to_the_school(client, cast, outreach):
    pupil = cast.pupils_a[0]
    client.force_login(outreach["worker"])
    response = client.post(
        pupil_url(pupil, "note_create"), {"kind": "positive", "text": "Stayed in maths all lesson"}
    )
    assert response.status_code == 302

    client.force_login(cast.user(Role.SENCO))
    page = client.get(pupil_url(pupil)).content.decode()
    assert "Stayed in maths all lesson" in page
    set_referral(outreach["referral"], ended_on=TODAY)  # ended: the note stays the school's
    assert "Stayed in maths all lesson" in client.get(pupil_url(pupil)).content.decode()
    client.force_login(outreach["worker"])
    assert client.get(pupil_url(pupil)).status_code == 404


def test_outreach_staff_reach_only_the_schools_their_service_works_with(client, cast, outreach):
    with scopes_disabled():
        elsewhere = OutreachServiceFactory(name="Elsewhere", slug="elsewhere")
        stranger = service_staff(elsewhere)
        ReferralFactory(pupil=cast.pupils_a[1], service=elsewhere)  # not a partner of school A
    client.force_login(stranger)
    assert client.get(reverse("school_home", args=[cast.school_a.slug])).status_code == 404
    assert client.get(pupil_url(cast.pupils_a[1])).status_code == 404

    client.force_login(outreach["worker"])
    home = client.get(reverse("school_home", args=[cast.school_a.slug])).content.decode()
    assert "Pupils referred to your service" in home
    assert cast.pupils_a[0].legal_last_name in home
    home_b = client.get(reverse("school_home", args=[cast.school_b.slug])).content.decode()
    assert "no open referral to your service" in home_b


def test_the_senco_refers_a_pupil_extends_the_referral_and_ends_it(client, cast, outreach):
    pupil, worker = cast.pupils_a[2], outreach["worker"]
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=pupil)
    client.force_login(cast.user(Role.SENCO))
    response = client.post(
        pupil_url(pupil, "referral_create"),
        {
            "service": outreach["service"].pk,
            "starts_on": "25/11/2026",
            "planned_end_on": "04/12/2026",
            "exit_strategy": "reintegration",
            "plan": str(plan.pk),
            "reason": "Two days a week with an outreach assistant",
            "submission_key": "3f0a6b8e-3c1f-4c8e-9a52-0e6f2d0c9b11",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        referral = Referral.objects.get(pupil=pupil)
    assert (referral.plan, referral.planned_end_on) == (plan, datetime.date(2026, 12, 4))
    page = client.get(pupil_url(pupil)).content.decode()
    assert "Bridges Outreach" in page and "04/12/2026 (planned exit)" in page

    client.force_login(worker)
    assert client.get(pupil_url(pupil)).status_code == 200

    client.force_login(cast.user(Role.SENCO))
    edit = reverse("pupils:referral_edit", args=[cast.school_a.slug, pupil.pk, referral.pk])
    moved = client.post(
        edit,
        {
            "planned_end_on": "18/12/2026",
            "exit_strategy": "reintegration",
            "plan": str(plan.pk),
            "reason": "Extended to the end of term",
        },
    )
    assert moved.status_code == 302
    end = reverse("pupils:referral_end", args=[cast.school_a.slug, pupil.pk, referral.pk])
    assert "How it ended" in client.post(end, {"end_note": ""}).content.decode()
    assert client.post(end, {"end_note": "Back in class full time"}).status_code == 302

    client.force_login(worker)
    assert client.get(pupil_url(pupil)).status_code == 404
    with scopes_disabled():
        actions = list(
            AuditEvent.objects.filter(object_id=str(referral.pk))
            .order_by("at")
            .values_list("action", flat=True)
        )
    assert actions == ["pupils.referral_create", "pupils.referral_update", "pupils.referral_end"]


def test_a_referral_needs_a_service_the_school_works_with_and_an_exit_after_its_start(
    client, cast, outreach
):
    with scopes_disabled():
        elsewhere = OutreachServiceFactory(name="Elsewhere", slug="elsewhere")
    pupil = cast.pupils_a[3]
    client.force_login(cast.user(Role.SENCO))
    base = {
        "starts_on": "25/11/2026",
        "planned_end_on": "04/12/2026",
        "exit_strategy": "transition",
        "reason": "Moving to secondary",
    }
    refused = client.post(pupil_url(pupil, "referral_create"), {**base, "service": elsewhere.pk})
    assert "Select a valid choice" in refused.content.decode()
    backwards = client.post(
        pupil_url(pupil, "referral_create"),
        {**base, "service": outreach["service"].pk, "planned_end_on": "20/11/2026"},
    )
    assert "The planned exit cannot be before the start." in backwards.content.decode()
    with scopes_disabled():
        assert not Referral.objects.filter(pupil=pupil).exists()


def test_only_those_who_edit_pupil_records_refer(client, cast, outreach):
    pupil = cast.caseload[0]
    for user in (cast.user(Role.ASSISTANT), outreach["worker"], cast.user(Role.SLT)):
        client.force_login(user)
        assert client.get(pupil_url(pupil, "referral_create")).status_code in (403, 404)


def test_the_lead_practitioner_sees_every_open_referral_across_the_services_schools(
    client, cast, outreach
):
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=cast.pupils_b[0])
        TargetFactory(plan=plan, description="Stays in class for a whole lesson")
        ReferralFactory(pupil=cast.pupils_b[0], service=outreach["service"], plan=plan)
        ReferralFactory(  # ended: not shown
            pupil=cast.pupils_a[1], service=outreach["service"], ended_on=TODAY
        )
        DailyNote.objects.create(
            pupil=cast.pupils_b[0],
            kind="positive",
            on_day=TODAY - datetime.timedelta(days=2),
            text="Great morning",
            recorded_by=outreach["worker"],
        )
    client.force_login(outreach["lead"])
    url = reverse("outreach_referrals", args=["bridges"])
    page = client.get(url).content.decode()

    assert "2 open referrals" in page
    assert cast.pupils_a[0].legal_last_name in page and cast.pupils_b[0].legal_last_name in page
    shown = [p for p in cast.pupils_a[1:] + cast.pupils_b[1:] if str(p.pk) in page]
    assert shown == []
    assert "Stays in class for a whole lesson" in page
    assert "23/11/2026" in page  # last contact
    with scopes_disabled():
        audited = AuditEvent.objects.filter(action="outreach.referrals_view")
        assert {e.school_id for e in audited} == {cast.school_a.pk, cast.school_b.pk}

    # Nobody else reaches it: the outreach assistant, the school's SENCo, another service's lead.
    with scopes_disabled():
        other_lead = service_staff(
            OutreachServiceFactory(slug="other"), ServiceRole.LEAD_PRACTITIONER
        )
    for user in (outreach["worker"], cast.user(Role.SENCO), other_lead):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_lead_practitioners_page_queries_stay_flat_as_referrals_grow(
    client, cast, outreach, django_assert_max_num_queries
):
    with scopes_disabled():
        plan = TargetFactory(plan__pupil=cast.pupils_a[0]).plan
    set_referral(outreach["referral"], plan=plan)
    client.force_login(outreach["lead"])
    url = reverse("outreach_referrals", args=["bridges"])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    with scopes_disabled():
        for _ in range(8):
            pupil = PupilFactory(school=cast.school_b)
            plan = SupportPlanFactory(pupil=pupil)
            TargetFactory.create_batch(2, plan=plan)
            ReferralFactory(pupil=pupil, service=outreach["service"], plan=plan)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "9 open referrals" in page.content.decode()


def test_the_lead_practitioner_sets_up_mfa_before_any_page_the_outreach_assistant_need_not(
    client, cast, outreach, settings
):
    settings.SEMH_REQUIRE_MFA = True
    client.force_login(outreach["lead"])
    for url in (
        reverse("outreach_referrals", args=["bridges"]),
        reverse("school_home", args=[cast.school_a.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    client.force_login(outreach["worker"])
    assert client.get(reverse("school_home", args=[cast.school_a.slug])).status_code == 200


def test_the_deployment_sets_up_a_service_its_schools_and_staff_by_command(cast):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from semh.models import OutreachService, ServiceMembership

    out = StringIO()
    call_command(
        "outreach_service",
        "north",
        "--name=North Outreach",
        f"--school={cast.school_a.slug}",
        "--outreach=New.Worker@north.example",
        "--lead=lead@north.example",
        stdout=out,
    )
    service = OutreachService.objects.get(slug="north")
    assert list(service.schools.all()) == [cast.school_a]
    assert "new.worker@north.example · Outreach assistant" in out.getvalue()
    call_command("outreach_service", "north", "--remove-staff=new.worker@north.example", stdout=out)
    assert not ServiceMembership.objects.get(user__email="new.worker@north.example").is_active
    with pytest.raises(CommandError, match="No school with slug nowhere"):
        call_command("outreach_service", "north", "--school=nowhere")
    with pytest.raises(CommandError, match="give --name"):
        call_command("outreach_service", "unknown")


def test_outreach_staff_see_incidents_about_their_pupil_and_no_other_pupils_name(
    client, cast, outreach
):
    from tests.factories.incidents import IncidentFactory

    referred, classmate, third = cast.pupils_a[0], cast.pupils_a[1], cast.pupils_a[2]
    with scopes_disabled():
        theirs = IncidentFactory(
            school=cast.school_a, pupils=[referred, classmate], reported_by=outreach["worker"]
        )
        about_the_classmate = IncidentFactory(school=cast.school_a, pupils=[third, referred])
    client.force_login(outreach["worker"])
    school = cast.school_a.slug

    listing = client.get(reverse("incidents:list", args=[school])).content.decode()
    assert str(theirs.pk) in listing and str(about_the_classmate.pk) not in listing
    assert "Export" not in listing
    assert client.get(reverse("incidents:export_csv", args=[school])).status_code == 403
    detail = reverse("incidents:detail", args=[school, theirs.pk])
    page = client.get(detail).content.decode()
    assert referred.full_name in page
    assert classmate.full_name not in page and "Another pupil" in page
    detail_other = reverse("incidents:detail", args=[school, about_the_classmate.pk])
    assert client.get(detail_other).status_code == 404

    set_referral(outreach["referral"], ended_on=TODAY)  # even the one they reported
    assert client.get(detail).status_code == 404

    client.force_login(cast.user(Role.SENCO))  # the school's staff see everyone involved
    assert classmate.full_name in client.get(detail).content.decode()


def test_outreach_staff_log_an_incident_for_their_pupil_and_name_themselves_as_involved(
    client, cast, outreach
):
    from incidents.models import Incident, RestrictiveIntervention
    from tests.factories.incidents import incident_data, restraint_data, school_vocabulary

    worker, pupil = outreach["worker"], cast.pupils_a[0]
    vocab = school_vocabulary(cast.school_a)
    client.force_login(worker)
    log = reverse("incidents:log", args=[cast.school_a.slug])

    response = client.post(log, incident_data(vocab, pupil, worker))
    assert response.status_code == 302
    with scopes_disabled():
        incident = Incident.objects.get(reported_by=worker)
        assert incident.school == cast.school_a
        assert list(incident.staff_involved.all()) == [worker]
    refused = client.post(log, incident_data(vocab, cast.pupils_a[1], worker))
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()

    # A restraint they carried out is recorded with them as the member of staff who held.
    with_force = {**incident_data(vocab, pupil, worker), **restraint_data(vocab, worker)}
    assert client.post(log, with_force).status_code == 302
    with scopes_disabled():
        restraint = RestrictiveIntervention.objects.get(pupil=pupil)
        assert list(restraint.staff_involved.all()) == [worker]
