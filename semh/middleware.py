from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
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


NUL_REFUSED = (
    "Your request contained a character that is not allowed (a NUL character). "
    "Go back, retype what you entered and try again."
)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class RefuseNulMiddleware:
    """Answers 400 to a request with a NUL character anywhere it brings input: the address, the
    query string, a form's keys and values, the fields of uploads, or any other body (JSON).

    PostgreSQL cannot store NUL in text, so one would otherwise be a server error wherever it
    reached the database; refusing it here covers every view at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if carries_nul(request):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def carries_nul(request) -> bool:
    if "\x00" in request.path or _any_nul(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type in FORM_TYPES:
        files = [
            (key, upload.name or "") for key, uploads in request.FILES.lists() for upload in uploads
        ]
        return _any_nul(request.POST) or any("\x00" in k + name for k, name in files)
    body = request.body
    return b"\x00" in body or b"\\u0000" in body.lower()


def _any_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)
