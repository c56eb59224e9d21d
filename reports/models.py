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

from semh.scoping import scoped

from .documents import KINDS


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

    def same_report(self, *, school, kind, params):
        return self.filter(school=school, kind=kind, params=params)


class ReportRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("semh.School", on_delete=models.PROTECT, related_name="+")
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
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_request_progress_percent"
            ),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()

    @property
    def automatic(self) -> bool:
        return self.requested_by_id is None

    @property
    def audit_detail(self) -> dict:
        # A pupil pack's audit rows carry the pupil's id, so the pupil's access log lists them.
        pupil = self.params.get("pupil")
        return {"kind": self.kind, **({"pupil": pupil} if pupil else {})}

    @property
    def in_progress(self) -> bool:
        return self.status in ACTIVE

    @property
    def ready(self) -> bool:
        return self.status == Status.DONE and bool(self.file)
