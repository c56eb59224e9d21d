"""The pages every CSV import shares: upload → preview → confirm or discard (SENCo only).

An import's views module describes its pages in an ``ImportPages`` and its views call it; the
templates extend ``pupils/imports/upload.html`` and ``preview.html``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render

from pupils.mis import MAX_BYTES, MAX_ROWS, ImportFileError
from pupils.models import PupilImport
from pupils.selectors import access_import, recent_imports
from pupils.services.import_batches import (
    ImportConflict,
    ImportKind,
    ImportRefused,
    apply_batch,
    discard_batch,
    start_batch,
)
from semh.audit import Client

ALREADY_DEALT_WITH = "This file was already dealt with; nothing was changed."
DISCARDED = "Upload discarded; nothing was imported."


@dataclass(frozen=True)
class ImportPages:
    """One import's pages. Its URL names share a stem: ``<url_name>`` is the upload page and
    ``<url_name>_preview``, ``_confirm`` and ``_discard`` take the batch id as ``id_kwarg``."""

    kind: ImportKind
    form_class: type
    columns: tuple
    url_name: str
    id_kwarg: str
    templates: str  # the folder of its upload.html and preview.html
    imported: str  # the start of the success message: "Imported"
    conflict: str  # why nothing was imported when the rows changed underneath

    preview_url = property(lambda self: f"{self.url_name}_preview")
    confirm_url = property(lambda self: f"{self.url_name}_confirm")
    discard_url = property(lambda self: f"{self.url_name}_discard")

    def upload(self, request):
        form = self.form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            batch = start_batch(
                self.kind,
                **_who(request),
                filename=form.cleaned_data["file"].name,
                text=form.cleaned_data["text"],
                encoding=form.cleaned_data["encoding"],
            )
            return self._to_preview(request, batch)
        context = {
            "pages": self,
            "form": form,
            "recent": recent_imports(request.school, kind=self.kind.kind),
            "columns": self.columns,
            "max_mb": MAX_BYTES // 1024 // 1024,
            "max_rows": MAX_ROWS,
        }
        return render(request, f"{self.templates}/upload.html", context)

    def preview(self, request, batch_id):
        batch = self._batch(request, batch_id)
        preview, problem = None, ""
        if batch.status == PupilImport.Status.PREVIEWED:
            try:
                preview = self.kind.read(school=request.school, text=batch.content)
            except ImportFileError as error:
                problem = error.message
        context = {"pages": self, "batch": batch, "preview": preview, "problem": problem}
        return render(request, f"{self.templates}/preview.html", context)

    def confirm(self, request, batch_id):
        batch = self._batch(request, batch_id)
        try:
            outcome = apply_batch(self.kind, **_who(request), batch=batch)
        except ImportRefused as refused:
            messages.error(request, f"Nothing was imported: {refused.message}")
        except ImportConflict:
            messages.error(request, self.conflict)
        else:
            if outcome.done:
                messages.success(
                    request,
                    f"{self.imported}: {outcome.created} new, {outcome.updated} updated, "
                    f"{outcome.unchanged} unchanged.",
                )
            else:
                messages.info(request, ALREADY_DEALT_WITH)
        return self._to_preview(request, batch)

    def discard(self, request, batch_id):
        batch = self._batch(request, batch_id)
        if discard_batch(self.kind, **_who(request), batch=batch):
            messages.success(request, DISCARDED)
        return redirect(self.url_name, school_slug=request.school.slug)

    def _batch(self, request, batch_id) -> PupilImport:
        return access_import(request.school_access, request.school, batch_id, kind=self.kind.kind)

    def _to_preview(self, request, batch):
        return redirect(
            self.preview_url, school_slug=request.school.slug, **{self.id_kwarg: batch.pk}
        )


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}
