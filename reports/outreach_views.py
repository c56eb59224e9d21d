"""The lead practitioner's page: every open referral of their outreach service, across its
schools, and nothing of those schools' other pupils.

Outside the school area (it spans schools), so it does itself what the school middleware does
for a school page: 404 unless the viewer leads this service, MFA first, and every query inside
the scope of the service's schools."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_scopes import scope

from pupils.selectors import service_referral_rows
from semh import audit
from semh.access import Capability, capabilities_for
from semh.audit import AuditAction, Client
from semh.middleware import mfa_setup_url
from semh.models import OutreachService, ServiceMembership

from .figures.referrals import ServiceScope, service_headlines


def _led_service(user, service_slug) -> OutreachService:
    """The service, if the viewer leads it (an active lead practitioner); 404 otherwise."""
    memberships = list(
        ServiceMembership.objects.active()
        .filter(user=user, service__slug=service_slug)
        .select_related("service")
    )
    if Capability.REFERRAL_OVERVIEW not in capabilities_for({m.role for m in memberships}):
        raise Http404
    return memberships[0].service


@login_required
@require_safe
def service_referrals(request, service_slug):
    service = _led_service(request.user, service_slug)
    if settings.SEMH_REQUIRE_MFA and not is_mfa_enabled(request.user):
        return redirect(mfa_setup_url(next_url=request.get_full_path()))
    schools = list(service.schools.all())
    today = timezone.localdate()
    with scope(school=schools):
        staff = (
            ServiceMembership.objects.active()
            .filter(service=service)
            .values_list("user", flat=True)
        )
        referrals = service_referral_rows(service, staff, today=today)
        headlines = service_headlines(ServiceScope(service, schools, today))
        # Each pupil's access log shows who saw them here.
        audit.record_each(
            actor=request.user,
            action=AuditAction.REFERRALS_OVERVIEW_VIEW,
            targets=[(r.pupil.school, r, {"pupil": str(r.pupil_id)}) for r in referrals],
            client=Client.of(request),
        )
    by_school = {s.pk: [] for s in schools}
    for referral in referrals:
        by_school[referral.pupil.school_id].append(referral)
    context = {
        "service": service,
        "today": today,
        "referrals": referrals,
        "headlines": headlines,
        "schools": [(s, by_school[s.pk]) for s in schools],
    }
    return render(request, "reports/outreach/referrals.html", context)
