"""Each role's home page in a school: the front door to what they do most."""

from django.shortcuts import render
from django.utils import timezone

from incidents.selectors import home_open_concerns, review_summary, waiting_for
from interventions.selectors import home_sessions
from pupils.models import MeetingAction
from pupils.selectors import referred_here
from reset_area.selectors import home_reset_area
from semh.access import Capability, Role, ServiceRole
from semh.decorators import school_view
from semh.tenancy import schools_where

# Those who run the Reset Area see each missing pupil on their home page; for others (the DSL,
# SLT) the Reset Area is a link with its counts.
RUN_THE_RESET_AREA = frozenset({Role.ASSISTANT, Role.TEACHER, Role.SENCO})


@school_view()
def school_home(request):
    roles = request.school_access.roles
    is_senco = Role.SENCO in roles
    is_dsl = Role.DSL in roles
    return render(
        request,
        "semh/school_home.html",
        {
            "role_labels": [r.label for r in (*Role, *ServiceRole) if r in roles],
            "is_recorder": bool(roles & {Role.ASSISTANT, Role.TEACHER}),
            "is_senco": is_senco,
            "is_dsl": is_dsl,
            "is_slt": Role.SLT in roles,
            "slt_schools": (
                len(schools_where(request.user, Capability.DASHBOARDS)) if Role.SLT in roles else 0
            ),
            "is_admin": Role.ADMIN in roles,
            "sessions_home": home_sessions(
                request.school_access, request.school, today=timezone.localdate()
            ),
            "reset_area_home": home_reset_area(request.school_access),
            "reset_area_in_full": bool(roles & RUN_THE_RESET_AREA),
            "mine": (
                waiting_for(request.school_access)
                if request.school_access.can(Capability.RECORD)
                else None
            ),
            "open_actions": (
                list(
                    MeetingAction.objects.open()
                    .select_related("owner", "meeting__pupil")
                    .order_by("due_on")[:20]
                )
                if is_senco
                else []
            ),
            "review": review_summary(request.school) if is_senco else None,
            "open_concerns": home_open_concerns(request.school_access) if is_dsl else None,
            # Outreach staff: the pupils this school has referred to their service.
            "is_outreach": bool(request.school_access.services),
            "referred_here": referred_here(request.school_access),
            "leads_outreach": ServiceRole.LEAD_PRACTITIONER in roles,
        },
    )
