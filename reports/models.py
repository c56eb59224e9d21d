"""Report requests: a PDF a member asks for (or the end of term schedules), made by a Celery task.

The row is what the request page polls, never a Celery id: status and progress are written here
by the worker (``reports.services.report_requests``). Files live in the private ``reports``
storage (settings.STORAGES) under unguessable names and are only ever sent by a view that checks
the viewer may still see the data.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse

from semh.scoping import scoped

from .documents import KINDS, TRUST_SUMMARY, summary_school_ids


def reports_storage():
    return storages["reports"]


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Could not be made"


ACTIVE = (Status.QUEUED, Status.RUNNING)
KIND_CHOICES = list(KINDS.items())
# Kinds about the whole school; the pupil pack is about one pupil and also needs that pupil.
TERMLY_KINDS = ("termly", "termly_governors")


class ReportRequestQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE)

    def same_report(self, *, school, kind, params, requested_by=None):
        """The same report: of the school, or for a trust summary (no school) the same person's."""
        if school is None:
            return self.filter(school=None, kind=kind, params=params, requested_by=requested_by)
        return self.filter(school=school, kind=kind, params=params)

    def summaries(self):
        return self.filter(school=None, kind=TRUST_SUMMARY)


class ReportRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Empty for a trust summary, which covers the schools named in its params.
    school = models.ForeignKey(
        "semh.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    params = models.JSONField(default=dict, blank=True)
    # Empty for the reports the end of term makes by itself.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    file = models.FileField(storage=reports_storage, max_length=200, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField("bytes", null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the job was last handed to the broker (empty: the broker could not be reached).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    # When the school's senior leaders were told an automatic report is ready.
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = scoped(ReportRequestQuerySet, school="school")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same report asked for again while one is on its way is that one, not a second job.
            models.UniqueConstraint(
                fields=["school", "kind", "params"],
                condition=models.Q(status__in=["queued", "running"]),
                name="report_request_one_active_per_report",
            ),
            # A trust summary has no school: one on its way per person and summary.
            models.UniqueConstraint(
                fields=["requested_by", "kind", "params"],
                condition=models.Q(school__isnull=True, status__in=["queued", "running"]),
                name="report_request_one_active_summary_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(school__isnull=True, kind=TRUST_SUMMARY)
                | (models.Q(school__isnull=False) & ~models.Q(kind=TRUST_SUMMARY)),
                name="report_request_school_unless_summary",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_request_progress_percent"
            ),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()

    def get_absolute_url(self):
        return self._url("summary", "reports:request")

    @property
    def is_summary(self) -> bool:
        return self.school_id is None

    @property
    def school_ids(self) -> list[int]:
        """The schools the report is about: its school, or those a trust summary covers."""
        return summary_school_ids(self.params) if self.is_summary else [self.school_id]

    @property
    def download_url(self):
        return self._url("summary_download", "reports:request_download")

    @property
    def retry_url(self):
        return self._url("summary_retry", "reports:request_retry")

    def _url(self, summary_name, school_name):
        # A trust summary's pages are outside the school area; a school's report's are inside.
        if self.is_summary:
            return reverse(summary_name, kwargs={"summary_id": self.pk})
        return reverse(school_name, kwargs={"school_slug": self.school.slug, "report_id": self.pk})

    @property
    def automatic(self) -> bool:
        return self.requested_by_id is None

    @property
    def audit_detail(self) -> dict:
        # A pupil pack's audit rows carry the pupil's id, so the pupil's access log lists them.
        pupil = self.params.get("pupil")
        if self.is_summary:  # each covered school's row says which schools and day it covers
            return {"kind": self.kind, **self.params}
        return {"kind": self.kind, **({"pupil": pupil} if pupil else {})}

    @property
    def in_progress(self) -> bool:
        return self.status in ACTIVE

    @property
    def ready(self) -> bool:
        return self.status == Status.DONE and bool(self.file)
