"""Sign-in events go to the audit trail. Django's auth signals are the only hook for these."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from semh import audit
from semh.audit import AuditAction, Client
from semh.security import start_session_clock


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditAction.LOGIN, client=Client.of(request))
    if hasattr(request, "session"):
        start_session_clock(request.session)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=AuditAction.LOGOUT, client=Client.of(request))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        client=Client.of(request),
        email=str(credentials.get("email") or credentials.get("username") or "")[:254],
    )
