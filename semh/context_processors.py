from semh.access import Capability
from semh.tenancy import schools_of


def school_navigation(request):
    access = getattr(request, "school_access", None)
    if access is None:
        return {}
    return {
        "school": access.school,
        "access": access,
        "caps": {c.name: access.can(c.value) for c in Capability},
        "my_schools": schools_of(request.user).only("slug", "name"),
    }
