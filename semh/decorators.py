from functools import wraps

from django.core.exceptions import PermissionDenied


def school_view(*capabilities: str):
    """Mark a view as a school page needing any one of ``capabilities`` (none: any member).

    The school and the viewer's roles were resolved by ``SchoolScopeMiddleware``; this only checks
    the action. The declared capabilities stay on the view so the access-matrix test can read them.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, school_slug, **kwargs):
            access = request.school_access
            if capabilities and not any(access.can(c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_capabilities = frozenset(capabilities)
        return wrapper

    return decorator
