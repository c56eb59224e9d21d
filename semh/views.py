from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from semh.access import Capability, ServiceRole
from semh.models import ServiceMembership
from semh.tenancy import schools_of, schools_where


@login_required
def home(request):
    """Send staff to their school; someone in several schools picks one. A lead practitioner
    also finds their outreach service's referrals here."""
    schools = list(schools_of(request.user))
    led = [
        m.service
        for m in ServiceMembership.objects.active()
        .filter(user=request.user, role=ServiceRole.LEAD_PRACTITIONER)
        .select_related("service")
    ]
    if len(schools) == 1 and not led:
        return redirect("school_home", school_slug=schools[0].slug)
    context = {
        "schools": schools,
        "led_services": led,
        "many_dashboards": len(schools_where(request.user, Capability.DASHBOARDS)) >= 2,
    }
    return render(request, "semh/choose_school.html", context)
