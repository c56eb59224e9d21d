from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_scopes import scope

from semh.tenancy import resolve_school_access


class SchoolScopeMiddleware:
    """Every page under /s/<school_slug>/ runs for a member of that school, inside its scope.

    Resolves the school, checks the viewer's membership (404 when there is none, so other schools'
    URLs reveal nothing), sends senior roles to MFA setup first, and runs the view inside the
    django-scopes scope of that school so an unscoped tenant query raises instead of leaking.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        school_slug = match.kwargs.get("school_slug")
        if school_slug is None:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        access = resolve_school_access(request.user, school_slug)
        if settings.SEMH_REQUIRE_MFA and access.needs_mfa and not is_mfa_enabled(request.user):
            return redirect(mfa_setup_url(next_url=request.get_full_path()))

        request.school = access.school
        request.school_access = access
        with scope(school=access.school):
            return self.get_response(request)


def mfa_setup_url(*, next_url: str) -> str:
    """The MFA setup page, carrying the page asked for (path and query string, encoded)."""
    return f"{reverse('mfa_activate_totp')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
