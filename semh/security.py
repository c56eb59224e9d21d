"""Security headers and session lifetime, for every response."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

# Written to the session at most this often, so an active user does not rewrite it every request.
LAST_SEEN_RESOLUTION = 60

# Sent by requests the page makes on its own (the Reset Area board polling): they are not a person
# at the screen, so they must not keep an unattended session alive.
BACKGROUND_REFRESH_HEADER = "X-Background-Refresh"


def start_session_clock(session) -> None:
    """Called at sign-in: the idle and absolute limits count from now."""
    now = time.time()
    session["semh_started"] = now
    session["semh_last_seen"] = now


class SecurityHeadersMiddleware:
    """Pages may hold pupil data: never cache them, and deny powerful browser features."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class SessionTimeoutMiddleware:
    """End a signed-in session after an idle spell, and after an absolute lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault("semh_started", now)
            last_seen = session.get("semh_last_seen", now)
            idle = now - last_seen > settings.SEMH_SESSION_IDLE_MINUTES * 60
            too_old = now - started > settings.SEMH_SESSION_MAX_HOURS * 3600
            if idle or too_old:
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return self._to_login(request)
            background = request.headers.get(BACKGROUND_REFRESH_HEADER) == "1"
            if not background and (
                now - last_seen >= LAST_SEEN_RESOLUTION or "semh_last_seen" not in session
            ):
                session["semh_last_seen"] = now
        response = self.get_response(request)
        if getattr(request, "htmx", False) and _is_login_redirect(response):
            # A fragment request must not swap the login page into part of a page still
            # showing pupil data: send the whole window to the login page instead.
            return HttpResponseClientRedirect(response["Location"])
        return response

    @staticmethod
    def _to_login(request):
        if getattr(request, "htmx", False):
            page = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
        return redirect_to_login(request.get_full_path())


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.get("Location", "").startswith(
        resolve_url(settings.LOGIN_URL)
    )
