"""Celery tasks of the reports: thin wrappers of ``reports.services.report_requests``."""

from celery import shared_task
from django.conf import settings

from .services import report_requests


# acks_late only because the job is idempotent: a job whose worker died is run again (by the
# broker after the visibility timeout, or by the sweep) and overwrites its own file.
@shared_task(
    acks_late=True,
    autoretry_for=(report_requests.TransientReportError,),
    max_retries=settings.SEMH_REPORT_MAX_ATTEMPTS - 1,
    retry_backoff=5,
    retry_backoff_max=60,
    soft_time_limit=settings.SEMH_REPORT_SOFT_LIMIT,
    time_limit=settings.SEMH_REPORT_HARD_LIMIT,
)
def make_report(report_id: str) -> str:
    return report_requests.run_report(report_id)


@shared_task
def sweep_report_requests() -> dict:
    return report_requests.sweep_report_requests()


@shared_task
def request_end_of_term_reports() -> int:
    return report_requests.request_end_of_term_reports()


@shared_task
def purge_expired_reports() -> int:
    return report_requests.purge_expired_reports()
