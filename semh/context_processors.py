from django.urls import reverse

from semh.access import NAVIGATION, PUPIL_RECORDERS, Capability
from semh.tenancy import schools_of


def school_navigation(request):
    access = getattr(request, "school_access", None)
    if access is None:
        return {}
    return {
        "school": access.school,
        "access": access,
        "caps": {c.name: access.can(c.value) for c in Capability},
        # Records notes, incidents and concerns for the pupils they may open.
        "records_for_pupils": any(access.can(c) for c in PUPIL_RECORDERS),
        "nav_links": [
            (label, reverse(name, args=[access.school.slug]))
            for label, name, needs in NAVIGATION
            if not needs or any(access.can(c) for c in needs)
        ],
        "my_schools": schools_of(request.user).only("slug", "name"),
    }
