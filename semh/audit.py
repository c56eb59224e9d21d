"""The one way to write the audit trail.

Every write service records its row inside its own transaction with ``record(actor=…, action=…)``;
views record audited reads with ``record_view``. Actions are ``AuditAction`` members, so a grep for
one finds every place that writes it.
"""

import functools
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from semh.models import AuditEvent


class AuditAction(models.TextChoices):
    # Sign-in and account security
    LOGIN = "auth.login", "Signed in"
    LOGOUT = "auth.logout", "Signed out"
    LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    UNLOCK = "auth.unlock", "Sign-in lockout released"
    MFA_RESET = "mfa.reset", "Two-factor authentication reset"
    AUDIT_EXPORT = "audit.export", "Audit trail exported"
    WORKER_CHECK = "system.worker_check", "Worker check"
    # Staff administration
    INVITE_CREATE = "invite.create", "Invitation sent"
    INVITE_RESEND = "invite.resend", "Invitation resent"
    INVITE_REVOKE = "invite.revoke", "Invitation revoked"
    INVITE_ACCEPT = "invite.accept", "Invitation accepted"
    MEMBERSHIP_ROLE_CHANGE = "membership.role_change", "Roles changed"
    MEMBERSHIP_ADD_SCHOOL = "membership.add_school", "Added to another school"
    MEMBERSHIP_DEACTIVATE = "membership.deactivate", "Deactivated"
    MEMBERSHIP_REACTIVATE = "membership.reactivate", "Reactivated"
    CASELOAD_VIEW = "caseload.view", "Caseload viewed"
    CASELOAD_GRANT = "caseload.grant", "Added to caseload"
    CASELOAD_REVOKE = "caseload.revoke", "Removed from caseload"
    # Pupil records
    PUPIL_VIEW = "pupil.view", "Pupil record viewed"
    PUPIL_CREATE = "pupil.create", "Pupil added"
    PUPIL_UPDATE = "pupil.update", "Pupil record changed"
    PUPIL_ARCHIVE = "pupil.archive", "Pupil archived"
    PUPIL_RESTORE = "pupil.restore", "Pupil restored"
    PUPIL_STAFF_CHANGE = "pupil.staff_change", "Key adults and caseload changed"
    PUPIL_ACCESS_LOG_VIEW = "pupil.access_log_view", "Pupil access log viewed"
    PUPIL_INCIDENTS_VIEW = "pupil.incidents_view", "Pupil's incidents viewed"
    PUPIL_IMPORT_UPLOAD = "pupil.import_upload", "MIS file uploaded"
    PUPIL_IMPORT = "pupil.import", "MIS import applied"
    PUPIL_IMPORT_DISCARD = "pupil.import_discard", "MIS import discarded"
    # School attendance import
    ATTENDANCE_IMPORT_UPLOAD = "attendance.import_upload", "Attendance file uploaded"
    ATTENDANCE_IMPORT = "attendance.import", "Attendance import applied"
    ATTENDANCE_IMPORT_DISCARD = "attendance.import_discard", "Attendance import discarded"
    PROFILE_VIEW = "profile.view", "Profile viewed"
    PROFILE_UPDATE = "profile.update", "Profile changed"
    PROFILE_PRINT = "profile.print", "Profile printed"
    PROFILE_PDF = "profile.pdf", "Profile PDF downloaded"
    PLAN_VIEW = "plan.view", "Plan viewed"
    PLAN_CREATE = "plan.create", "Plan written"
    PLAN_UPDATE = "plan.update", "Plan changed"
    PLAN_NEXT_CYCLE = "plan.next_cycle", "Next plan cycle started"
    PLAN_REVIEW = "plan.review", "Plan reviewed"
    TARGET_CREATE = "target.create", "Target added"
    TARGET_UPDATE = "target.update", "Target changed"
    PARENT_CONTACT_VIEW = "parent_contact.view", "Parent contact viewed"
    PARENT_CONTACT_CREATE = "parent_contact.create", "Parent contact recorded"
    PARENT_CONTACT_UPDATE = "parent_contact.update", "Parent contact changed"
    AGENCY_VIEW = "agency.view", "Agency involvement viewed"
    AGENCY_CREATE = "agency.create", "Agency involvement recorded"
    AGENCY_UPDATE = "agency.update", "Agency involvement changed"
    MEETING_VIEW = "meeting.view", "Meeting viewed"
    MEETING_CREATE = "meeting.create", "Meeting recorded"
    MEETING_ACTION_DONE = "meeting_action.done", "Meeting action done"
    # Incidents
    INCIDENT_VIEW = "incident.view", "Incident viewed"
    INCIDENT_CREATE = "incident.create", "Incident logged"
    INCIDENT_INVOLVE = "incident.involve", "Pupil added to incident"
    INCIDENT_AMEND = "incident.amend", "Incident amended"
    INCIDENT_REVIEW = "incident.review", "Incident reviewed"
    INCIDENT_EXPORT = "incident.export", "Incidents exported"
    INCIDENT_FOLLOW_UP_DONE = "incident.follow_up_done", "Follow-up action done"
    INCIDENT_DRAFT_EXPIRED = "incident.draft_expired", "Unfinished incident discarded"
    RESTRICTIVE_CREATE = "restrictive.create", "Restrictive intervention recorded"
    RESTRICTIVE_VIEW = "restrictive.view", "Restrictive intervention viewed"
    RESTRICTIVE_DEBRIEF = "restrictive.debrief", "Debrief recorded"
    RESTRICTIVE_PARENT_REPORT = "restrictive.parent_report", "Report to parents recorded"
    RESTRICTIVE_STATEMENT_CREATE = "restrictive.statement_create", "Staff statement written"
    RESTRICTIVE_STATEMENT_UPDATE = "restrictive.statement_update", "Staff statement changed"
    CONCERN_VIEW = "concern.view", "Safeguarding concern viewed"
    CONCERN_CREATE = "concern.create", "Safeguarding concern raised"
    CONCERN_ACTION = "concern.action", "Safeguarding action recorded"
    CONCERN_CLOSE = "concern.close", "Safeguarding concern closed"
    CONCERN_REOPEN = "concern.reopen", "Safeguarding concern reopened"
    VOCABULARY_CREATE = "vocabulary.create", "Vocabulary entry added"
    VOCABULARY_UPDATE = "vocabulary.update", "Vocabulary entry changed"
    VOCABULARY_RETIRE = "vocabulary.retire", "Vocabulary entry retired"
    VOCABULARY_RESTORE = "vocabulary.restore", "Vocabulary entry restored"
    # Reset Area
    RESET_ROOM_CREATE = "reset.room_create", "Room added"
    RESET_ROOM_UPDATE = "reset.room_update", "Room changed"
    RESET_DUTY_SET = "reset.duty_set", "Duty staff set"
    RESET_SCHOOL_DAY_UPDATE = "reset.school_day_update", "School day changed"
    RESET_SCHOOL_DAY_COPY = "reset.school_day_copy", "School day copied"
    RESET_SCHOOL_DAY_TYPICAL = "reset.school_day_typical", "Typical school day set up"
    RESET_PLACEMENT_ADD = "reset.placement_add", "Planned session added"
    RESET_PLACEMENT_REMOVE = "reset.placement_remove", "Planned session removed"
    RESET_CHECK_IN = "reset.check_in", "Checked in"
    RESET_CHECK_OUT = "reset.check_out", "Checked out"
    RESET_VISIT_CORRECT = "reset.visit_correct", "Visit corrected"
    RESET_SECLUSION_RECORD = "reset.seclusion_record", "Seclusion recorded"
    RESET_INCIDENT_LINK = "reset.incident_link", "Visit linked to incident"
    RESET_MISSING_RESOLVE = "reset.missing_resolve", "Missing pupil resolved"
    RESET_REGISTER_VIEW = "reset.register_view", "Daily register viewed"
    RESET_BOARD_VIEW = "reset.board_view", "Reset Area board viewed"
    RESET_VISIT_VIEW = "reset.visit_view", "Reset Area visit viewed"
    RESET_PUPIL_METRICS_VIEW = "reset.pupil_metrics_view", "Pupil's Reset Area figures viewed"
    RESET_PUPIL_VISITS_VIEW = "reset.pupil_visits_view", "Pupil's Reset Area visits viewed"
    # Interventions
    PROGRAMME_SAVE = "interventions.programme_save", "Intervention programme saved"
    PROVISION_SETTINGS_SAVE = (
        "interventions.settings_save",
        "Funding or staff costs changed",
    )
    GROUP_SAVE = "interventions.group_save", "Intervention group saved"
    ENROL = "interventions.enrol", "Pupil enrolled in an intervention"
    ENROLMENT_UPDATE = "interventions.enrolment_update", "Enrolment changed (consent, review, exit)"
    ENROLMENT_VIEW = "interventions.enrolment_view", "Enrolment viewed"
    SESSION_RECORD = "interventions.session_record", "Session register taken"
    SESSION_VIEW = "interventions.session_view", "Session register viewed"
    MEASURE_DEFINE = "interventions.measure_define", "Measure defined or changed"
    MEASURE_RECORD = "interventions.measure_record", "Measure result recorded"
    MEASURE_WITHDRAW = "interventions.measure_withdraw", "Measure result withdrawn"
    PUPIL_INTERVENTIONS_VIEW = (
        "interventions.pupil_view",
        "Pupil's interventions viewed",
    )
    EFFECTIVENESS_VIEW = "interventions.effectiveness_view", "Intervention effectiveness viewed"
    DASHBOARD_VIEW = "reports.dashboard_view", "Dashboard viewed"
    DASHBOARD_EXPORT = "reports.dashboard_export", "Dashboard table downloaded"
    REPORT_REQUEST = "reports.request", "Report requested"
    REPORT_RETRY = "reports.retry", "Report tried again"
    REPORT_DOWNLOAD = "reports.download", "Report downloaded"
    REPORT_PURGE = "reports.purge", "Report deleted after the retention period"
    # Daily log and wellbeing check-ins
    DAILY_NOTE_CREATE = "pupils.daily_note_create", "Daily note recorded"
    DAILY_SUMMARY_SAVE = "pupils.daily_summary_save", "Daily summary recorded"
    DAILY_LOG_VIEW = "pupils.daily_log_view", "Pupil's daily log viewed"
    CHECK_IN_CREATE = "pupils.check_in_create", "Wellbeing check-in recorded"
    # Outreach referrals
    REFERRAL_CREATE = "pupils.referral_create", "Pupil referred to an outreach service"
    REFERRAL_UPDATE = "pupils.referral_update", "Outreach referral changed"
    REFERRAL_END = "pupils.referral_end", "Outreach referral ended"
    REFERRAL_VIEW = "pupils.referral_view", "Outreach referral viewed"
    REFERRALS_OVERVIEW_VIEW = "outreach.referrals_view", "Outreach referrals overview viewed"
    SERVICE_CHANGE = "outreach.service_change", "Outreach service schools or staff changed"


@dataclass(frozen=True)
class Client:
    """Where an action came from. Views build it from the request; services pass it on, so no
    service ever takes a request."""

    ip_address: str | None = None

    @classmethod
    def of(cls, request) -> "Client":
        if request is None:
            return cls()
        return cls(ip_address=client_ip(request))


def client_ip(request) -> str | None:
    """The address the request came from: the connection's own, unless that is a trusted proxy
    (settings.SEMH_TRUSTED_PROXIES); then the right-most X-Forwarded-For address that is not
    itself a trusted proxy. X-Real-IP is never read. None when no valid address is known, so an
    unparsable header is never stored."""
    remote = _parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None or not _is_trusted_proxy(remote):
        return _text(remote)
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hop = remote
    for entry in reversed([entry for entry in forwarded if entry]):
        hop = _parse_address(entry)
        if hop is None or not _is_trusted_proxy(hop):
            break  # the client, or garbage where the client's address should be (unknown)
    return _text(hop)


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if not text or len(text) > 45:  # the longest textual IPv6 address
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return None if getattr(address, "scope_id", None) else address


def _is_trusted_proxy(address) -> bool:
    return any(
        address in network for network in _trusted_networks(tuple(settings.SEMH_TRUSTED_PROXIES))
    )


@functools.cache
def _trusted_networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _text(address) -> str | None:
    return str(address) if address is not None else None


def _event(*, actor, action, school, target, client, detail) -> AuditEvent:
    action = AuditAction(action)  # an unknown action is a bug, not a new kind of row
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        actor=actor,
        school=school,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip_address=client.ip_address if client is not None else None,
        detail=detail,
    )


def record(
    *,
    actor,
    action: AuditAction,
    school=None,
    target=None,
    client: Client | None = None,
    **detail,
) -> AuditEvent:
    """Write one audit row: who (actor), did what (action), to which record (target), where."""
    if "request" in detail:
        raise TypeError("audit.record takes client=Client.of(request), not the request")
    event = _event(
        actor=actor, action=action, school=school, target=target, client=client, detail=detail
    )
    event.save(force_insert=True)
    return event


def record_each(*, actor, action: AuditAction, targets, client: Client | None = None) -> None:
    """One row per ``(school, target, detail)`` of ``targets``, written together: a page that
    shows many records (a cross-school list) audits each without a query per row."""
    AuditEvent.objects.bulk_create(
        [
            _event(
                actor=actor, action=action, school=school, target=target, client=client, detail=d
            )
            for school, target, d in targets
        ]
    )


def record_view(request, action: AuditAction, target=None, **detail) -> AuditEvent:
    """Audit a read (or an export) made through a school page, by the logged-in user."""
    return record(
        actor=request.user,
        action=action,
        school=getattr(request, "school", None),
        target=target,
        client=Client.of(request),
        **detail,
    )


def record_page_view(request, action: AuditAction, target=None, **detail) -> AuditEvent | None:
    """Audit a page that shows a record, when it is opened (a GET). A form page's POST is audited
    by the service it calls, so a form shown again with its errors is not a second read."""
    if request.method not in ("GET", "HEAD"):
        return None
    return record_view(request, action, target, **detail)


# The shortest retention there may be; the database's purge function refuses less as well.
RETENTION_FLOOR_DAYS = 365


def purge_expired() -> int:
    """Delete audit events older than the retention period; the only deletion there is.

    On PostgreSQL through the database's own purge function (semh migration 0005), which alone
    may delete and only what is past the retention it is given, by the database's clock."""
    days = settings.SEMH_AUDIT_RETENTION_DAYS
    if days < RETENTION_FLOOR_DAYS:
        raise ValueError(f"Audit events are kept for at least {RETENTION_FLOOR_DAYS} days.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT semh_purge_audit_events(%s)", [days])
            (deleted,) = cursor.fetchone()
        return deleted
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic(), scopes_disabled():  # retention applies to every school's rows
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
