"""The pupil page's Reset Area section: the pupil's visits and planned sessions, loaded by htmx
from the Reset Area's own URL, for those who may open the pupil."""

from django.urls import reverse
from django_scopes import scopes_disabled

from reset_area import services
from reset_area.models import Reason, Zone
from semh.access import Role
from semh.models import AuditEvent
from tests.reset_area.conftest import MONDAY, at, plan


def section_url(pupil):
    return reverse("reset_area:pupil_visits", args=[pupil.school.slug, pupil.pk])


def test_pupil_page_loads_the_reset_area_section_which_lists_visits_and_placements(
    client, login, cast, hub, clock, senco
):
    pupil = cast.pupils_a[0]
    plan(hub, pupil, 0, "P1", by=senco, purpose="Soft start")
    with scopes_disabled():
        visit = services.check_in(
            room=hub,
            pupil=pupil,
            reason=Reason.SELF_REFERRAL,
            zone_on_arrival=Zone.BLUE,
            by=senco,
            at=at(MONDAY, 10, 5),
        )
        clock.set(MONDAY, 10, 40)
        services.check_out(
            visit=visit,
            left_at=at(MONDAY, 10, 35),
            zone_on_leaving=Zone.GREEN,
            outcome="returned",
            by=senco,
        )
    login(senco)

    page = client.get(reverse("pupils:detail", args=[cast.school_a.slug, pupil.pk]))
    section = client.get(section_url(pupil), HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="{section_url(pupil)}"' in page.content.decode()
    assert "<html" not in section
    assert "Mon 16/11/2026 10:05" in section and "30 min" in section
    assert "Self-referral (time-out pass)" in section
    assert "Monday P1 (08:50–09:50) in The Hub: Soft start" in section
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="reset.pupil_visits_view", object_id=str(pupil.pk))


def test_the_section_follows_pupil_access(client, login, cast, hub):
    on_caseload, elsewhere = cast.pupils_a[0], cast.pupils_a[4]
    login(cast.user(Role.ASSISTANT))

    assert client.get(section_url(on_caseload)).status_code == 200
    assert client.get(section_url(elsewhere)).status_code == 404
    client.force_login(cast.user(Role.SENCO, "b"))
    assert client.get(section_url(on_caseload)).status_code == 404


def test_without_htmx_the_section_is_a_page_of_its_own(client, login, cast, hub, senco):
    login(senco)

    response = client.get(section_url(cast.pupils_a[0]))

    assert "<html" in response.content.decode() and "Recent visits" in response.content.decode()
