"""Sign-in events go to the audit trail. Django's auth signals are the only hook for these."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from semh import audit
from semh.security import start_session_clock


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(actor=user, action="auth.login", request=request)
    if hasattr(request, "session"):
        start_session_clock(request.session)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="auth.logout", request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        actor=None,
        action="auth.login_failed",
        request=request,
        email=str(credentials.get("email") or credentials.get("username") or "")[:254],
    )
