"""Step-up authentication: sensitive actions need the password (or MFA code) given recently.

Exports, audit exports and records from before the current academic year call
``require_recent_authentication``. When the last sign-in or re-authentication is older than
``SEMH_STEP_UP_SECONDS``, allauth's middleware sends the user to re-authenticate and then resumes
the request.
"""

import time

# Public allauth API (the session's login/reauth records, each with "at"); a change fails
# tests/semh/test_audit_trail.py::test_export_asks_for_the_password_again_after_15_minutes.
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings


def authenticated_recently(request) -> bool:
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < settings.SEMH_STEP_UP_SECONDS


def require_recent_authentication(request) -> None:
    if not authenticated_recently(request):
        raise ReauthenticationRequired()
