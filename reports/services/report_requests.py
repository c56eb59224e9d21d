"""Report requests: asking for a report, the worker's job that makes it, and the beat's upkeep.

A request is a ``ReportRequest`` row; the job is sent to the broker once the row is committed and
takes only its id. The job claims the row (queued → running, nothing happens unless exactly that
row changed), checks again that the requester may still see the data, renders the document, stores
the PDF over its own earlier file (so running twice is harmless) and leaves the row done or failed
with a reason staff can read. The page polls the row, never the broker.
"""

import errno
import logging
import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

import botocore.exceptions
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mass_mail
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError as BrokerUnreachable

from semh import audit
from semh.access import Capability, Role
from semh.audit import AuditAction
from semh.db_router import reads_from_replica
from semh.models import School, Term
from semh.selectors import staff_with_roles
from semh.tenancy import resolve_school_access

from ..documents import DocumentError, render_document
from ..models import ReportRequest, Status
from ..selectors import check_report_reach, check_summary_reach

logger = logging.getLogger(__name__)

# Faults that may pass by themselves (the database or the file store briefly out of reach, the
# bucket's too when files are in object storage): the job is tried again, up to
# SEMH_REPORT_MAX_ATTEMPTS tries. Anything else fails the request.
TRANSIENT_ERRORS = (
    OperationalError,
    ConnectionError,
    TimeoutError,
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)
# Publishing to a broker that is down fails in about a second, so the person is told at once.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
# The broker never received these (it was down): the sweep sends them once they are this old.
UNSENT_AFTER = timedelta(minutes=1)
# The end of term makes the termly report only for a term that ended this recently, so the first
# run does not make one for every past term.
END_OF_TERM_WINDOW = timedelta(days=14)

UNEXPECTED_FAILURE = (
    "Something went wrong while making this report. Try again; if it fails again, tell your "
    "school's administrator."
)


class TransientReportError(Exception):
    """The job met a passing fault and put the request back in the queue: try it again."""


class RequesterCannotSee(Exception):
    """The person who asked may no longer see this data (left the school, role changed...)."""


class StorageFull(Exception):
    """The reports storage had no room for the file (nothing of it is kept)."""


STORAGE_FULL = (
    "There was no room left to store this report, so it was not saved. Tell your school's "
    "administrator; once they have made space, try again."
)
# What a full disk (or a used-up quota) raises while the file is written.
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


@dataclass
class Requested:
    report: ReportRequest
    created: bool
    # Whether the broker took the job (set once the transaction commits). False: it could not be
    # reached; the row is kept and the sweep sends it when the broker is back.
    sent: bool | None = None


# Asking -----------------------------------------------------------------------------------------


@transaction.atomic
def request_report(*, actor, school, kind, params, client=None) -> Requested:
    """Ask for a report. The same report already on its way is returned instead of a second job
    (the partial unique constraints settle two requests at the same moment). ``school`` is None
    for a trust summary: then the same summary is the same person's."""
    params = {key: str(value) for key, value in params.items()}
    with _rows_of(school):
        existing = _active_same(school, kind, params, actor)
        if existing is not None:
            return Requested(existing, created=False, sent=existing.enqueued_at is not None)
        try:
            with transaction.atomic():
                report = ReportRequest.objects.create(
                    school=school,
                    kind=kind,
                    params=params,
                    requested_by=actor,
                    stage="Waiting to start",
                )
        except IntegrityError:
            existing = _active_same(school, kind, params, actor)
            return Requested(existing, created=False, sent=existing.enqueued_at is not None)
    audit_report(report, actor=actor, action=AuditAction.REPORT_REQUEST, client=client)
    return _send_on_commit(Requested(report, created=True))


@transaction.atomic
def retry_report(*, actor, school, report, client=None) -> Requested:
    """Try a failed report again (as it was asked for; the same report asked for since and still
    on its way is returned instead)."""
    if report.status != Status.FAILED:
        return Requested(report, created=False, sent=report.enqueued_at is not None)
    with _rows_of(school):
        try:
            with transaction.atomic():
                changed = ReportRequest.objects.filter(pk=report.pk, status=Status.FAILED).update(
                    status=Status.QUEUED,
                    progress=0,
                    stage="Waiting to start",
                    attempts=0,
                    error="",
                    warnings=[],
                    enqueued_at=None,
                    started_at=None,
                    finished_at=None,
                )
        except IntegrityError:
            existing = _active_same(school, report.kind, report.params, report.requested_by)
            return Requested(existing, created=False, sent=existing.enqueued_at is not None)
        report.refresh_from_db()
    if not changed:
        return Requested(report, created=False, sent=report.enqueued_at is not None)
    audit_report(report, actor=actor, action=AuditAction.REPORT_RETRY, client=client)
    return _send_on_commit(Requested(report, created=True))


def audit_report(report, *, actor, action, client=None, **extra) -> None:
    """One audit row about a report in its school's trail; a trust summary's, one in each school
    it covers (each school's trail shows who took its figures away)."""
    if not report.is_summary:
        audit.record(
            actor=actor,
            action=action,
            school=report.school,
            target=report,
            client=client,
            **report.audit_detail,
            **extra,
        )
        return
    schools = list(School.objects.filter(pk__in=report.school_ids))
    with scope(school=schools):
        audit.record_each(
            actor=actor,
            action=action,
            targets=[(school, report, {**report.audit_detail, **extra}) for school in schools],
            client=client,
        )


def _rows_of(school):
    """Where a request's row is read: its school's scope (the caller's), or for a trust summary,
    which belongs to no school, outside the scopes (its views check who may see it)."""
    return scopes_disabled() if school is None else nullcontext()


def _active_same(school, kind, params, requested_by):
    return (
        ReportRequest.objects.same_report(
            school=school, kind=kind, params=params, requested_by=requested_by
        )
        .active()
        .first()
    )


def _send_on_commit(requested: Requested) -> Requested:
    def send():
        requested.sent = send_to_worker(requested.report.pk)

    transaction.on_commit(send)
    return requested


def send_to_worker(report_id) -> bool:
    """Hand the job to the broker; False when it cannot be reached (the row waits for the sweep)."""
    from ..tasks import make_report  # the tasks module imports this one

    try:
        make_report.apply_async(args=[str(report_id)], retry=True, retry_policy=PUBLISH_RETRY)
    except (BrokerUnreachable, OSError):
        logger.warning("Report %s not sent: the task queue is unreachable", report_id)
        return False
    with scopes_disabled():
        ReportRequest.objects.filter(pk=report_id).update(enqueued_at=timezone.now())
    return True


# The worker's job -------------------------------------------------------------------------------


def run_report(report_id) -> str:
    """Make the report of one request. Returns the status it left (or "skipped" when the row was
    not waiting: done already, or claimed by another worker). Raises TransientReportError when the
    job should be tried again."""
    with scopes_disabled():
        claimed = ReportRequest.objects.filter(pk=report_id, status=Status.QUEUED).update(
            status=Status.RUNNING,
            started_at=timezone.now(),
            finished_at=None,
            attempts=F("attempts") + 1,
            progress=0,
            stage="Starting",
            error="",
        )
        if claimed != 1:
            return "skipped"
        report = ReportRequest.objects.select_related("school", "requested_by").get(pk=report_id)
        if not report.file.name:
            # Named before the work starts, so every run of this request writes the same file.
            folder = report.school_id or "summaries"
            report.file.name = f"{folder}/{secrets.token_urlsafe(24)}.pdf"
            ReportRequest.objects.filter(pk=report.pk).update(file=report.file.name)
    started = time.monotonic()
    try:
        _check_requester_may_see(report)
        # The document's figures may come from the replica; the request's own row (claim,
        # progress, finish) is written, so read and written on the primary.
        with reads_from_replica():
            rendered = render_document(
                report.kind, report.school, report.params, progress=_progress_of(report)
            )
        _progress_of(report)(95, "Saving the file")
        stored = _store(report, rendered.pdf)
    except TRANSIENT_ERRORS as error:
        return _passing_fault(report, error)
    except SoftTimeLimitExceeded:
        minutes = settings.SEMH_REPORT_SOFT_LIMIT // 60 or 1
        return _fail(
            report,
            f"The report took longer than {minutes} minutes to make and was stopped. Try again "
            "later; if it happens again, tell your school's administrator.",
        )
    except (DocumentError, RequesterCannotSee, StorageFull) as error:
        return _fail(report, str(error))
    except Exception:
        logger.exception("Report %s failed", report.pk)
        return _fail(report, UNEXPECTED_FAILURE)
    seconds = time.monotonic() - started
    status = _finish(
        report,
        status=Status.DONE,
        progress=100,
        stage="Ready",
        file=stored,
        title=rendered.title[:200],
        filename=rendered.filename[:200],
        pages=rendered.pages,
        size_bytes=len(rendered.pdf),
        warnings=[str(w) for w in rendered.warnings],
        render_seconds=round(seconds, 2),
    )
    if status == Status.DONE and report.automatic:
        notify_senior_leaders(report.pk)
    return status


def _own_claim(report):
    # This run's claim only: a sweep may have handed the row to another run meanwhile.
    return ReportRequest.objects.filter(
        pk=report.pk, status=Status.RUNNING, attempts=report.attempts
    )


def _finish(report, **fields) -> str:
    with scopes_disabled():
        changed = _own_claim(report).update(finished_at=timezone.now(), **fields)
    return fields["status"] if changed else "skipped"


def _fail(report, message: str) -> str:
    return _finish(report, status=Status.FAILED, stage="Could not be made", error=message)


def _passing_fault(report, error) -> str:
    if report.attempts >= settings.SEMH_REPORT_MAX_ATTEMPTS:
        logger.warning("Report %s failed after %s tries: %r", report.pk, report.attempts, error)
        return _fail(
            report,
            f"The report could not be made after {report.attempts} tries (the system was busy "
            "or out of reach). Try again later.",
        )
    with scopes_disabled():
        _own_claim(report).update(status=Status.QUEUED, stage="Waiting to try again")
    raise TransientReportError(str(error)) from error


def _progress_of(report):
    def progress(percent, stage):
        with scopes_disabled():
            _own_claim(report).update(progress=max(0, min(int(percent), 99)), stage=stage[:120])

    return progress


def _check_requester_may_see(report) -> None:
    """The rule of the request page, again at the time of making: the requester may still see
    this school's reports (and this pupil, for a pupil pack). Automatic reports have no
    requester; they go to the school's senior leaders."""
    user = report.requested_by
    if report.automatic:
        return
    if report.is_summary:
        return _check_summary_requester(report)
    refused = RequesterCannotSee(
        "The person who asked for this report can no longer see this school's reports, so it "
        "was not made."
    )
    if not user.is_active:
        raise refused
    try:
        access = resolve_school_access(user, report.school.slug)
    except Http404:
        raise refused from None
    if not access.can(Capability.REPORTS):
        raise refused
    with scope(school=report.school):
        try:
            check_report_reach(access, report.school, report.kind, report.params)
        except Http404:
            raise RequesterCannotSee(
                "The person who asked for this report can no longer open this pupil's record, "
                "so it was not made."
            ) from None


def _check_summary_requester(report) -> None:
    """A trust summary: the requester still holds the reports of every school it covers."""
    try:
        check_summary_reach(report.requested_by, report)
    except Http404:
        raise RequesterCannotSee(
            "The person who asked for this summary can no longer see the reports of every "
            "school it covers, so it was not made. Ask for it again from the schools' figures "
            "page: it covers the schools whose reports you see now."
        ) from None


def _store(report, pdf: bytes) -> str:
    """Save the PDF under the request's own unguessable name, replacing an earlier file. A full
    disk leaves no part-written file behind."""
    storage, name = report.file.storage, report.file.name
    if storage.exists(name):
        storage.delete(name)
    try:
        return storage.save(name, ContentFile(pdf))
    except OSError as error:
        if error.errno not in NO_SPACE:
            raise
        logger.error("Report %s not stored: no space left in the reports storage", report.pk)
        if storage.exists(name):
            storage.delete(name)
        raise StorageFull(STORAGE_FULL) from error


# Upkeep (Celery beat) ---------------------------------------------------------------------------


def sweep_report_requests() -> dict:
    """Re-queue requests stuck in "running" past the hard time limit (their worker died), failing
    those already tried SEMH_REPORT_MAX_ATTEMPTS times; send requests the broker never received."""
    now = timezone.now()
    stuck_since = now - timedelta(seconds=settings.SEMH_REPORT_HARD_LIMIT + 60)
    requeued, failed = [], 0
    with scopes_disabled():
        stuck = list(
            ReportRequest.objects.filter(status=Status.RUNNING, started_at__lt=stuck_since)
        )
    for report in stuck:
        if report.attempts >= settings.SEMH_REPORT_MAX_ATTEMPTS:
            minutes = settings.SEMH_REPORT_HARD_LIMIT // 60 or 1
            message = (
                f"The report was started {report.attempts} times and did not finish within "
                f"{minutes} minutes each time. Try a shorter period, or tell your school's "
                "administrator."
            )
            failed += _fail(report, message) == Status.FAILED
            continue
        with scopes_disabled():
            if _own_claim(report).update(status=Status.QUEUED, stage="Waiting to start again"):
                requeued.append(report.pk)
    with scopes_disabled():
        unsent = list(
            ReportRequest.objects.filter(status=Status.QUEUED, created_at__lt=now - UNSENT_AFTER)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stuck_since))
            .exclude(pk__in=requeued)
            .values_list("pk", flat=True)
        )
    sent = sum(send_to_worker(report_id) for report_id in [*requeued, *unsent])
    return {"requeued": len(requeued), "failed": failed, "sent": sent}


def request_end_of_term_reports() -> int:
    """Each school's termly report, once, after each of its terms ends (its own Term rows)."""
    today = timezone.localdate()
    with scopes_disabled():
        terms = list(
            Term.objects.filter(ends_on__lt=today, ends_on__gte=today - END_OF_TERM_WINDOW)
            .select_related("school")
            .order_by("school__name", "ends_on")
        )
    made = 0
    for term in terms:
        params = {"term": str(term.pk)}
        with scope(school=term.school):
            if ReportRequest.objects.same_report(
                school=term.school, kind="termly", params=params
            ).exists():
                continue
            made += request_report(
                actor=None, school=term.school, kind="termly", params=params
            ).created
    return made


def notify_senior_leaders(report_id) -> int:
    """Tell the school's senior leaders an automatic report is ready: a link to its page only,
    never the file or anything about a pupil. Once per report."""
    with scopes_disabled(), transaction.atomic():
        if not ReportRequest.objects.filter(pk=report_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        ):
            return 0
        report = ReportRequest.objects.select_related("school").get(pk=report_id)
        link = settings.SEMH_SITE_URL + report.get_absolute_url()
        subject = f"{report.title or report.get_kind_display()} is ready"
        body = (
            f"The {report.get_kind_display().lower()} for {report.school.name} has been made "
            f"and is ready to download:\n\n{link}\n\nSign in to open it. The report is kept as "
            "the school's record of what was reported.\n"
        )
        recipients = [u.email for u in staff_with_roles(report.school, [Role.SLT]) if u.email]
        messages = [(subject, body, None, [email]) for email in recipients]
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(messages)


def purge_expired_reports() -> int:
    """Delete reports (file and row) older than SEMH_REPORT_RETENTION_DAYS, audited."""
    cutoff = timezone.now() - timedelta(days=settings.SEMH_REPORT_RETENTION_DAYS)
    with scopes_disabled():
        expired = list(
            ReportRequest.objects.filter(created_at__lt=cutoff)
            .exclude(status__in=[Status.QUEUED, Status.RUNNING])
            .select_related("school")
        )
    for report in expired:
        with transaction.atomic(), scopes_disabled():
            audit_report(
                report,
                actor=None,
                action=AuditAction.REPORT_PURGE,
                created=report.created_at.isoformat(),
            )
            name, storage = report.file.name, report.file.storage
            report.delete()
            if name:
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    return len(expired)
