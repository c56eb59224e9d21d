"""The print documents: the termly provision-effectiveness report (and its governors' anonymised
version), the pupil review pack and the Reset Area report, as A4 PDFs.

``render_document`` is what the report requests' task calls. Every figure a document prints comes
from the shared figure functions (``reports.figures``, through ``reports.dashboard``) or the apps'
own metric functions the pages use; a document only picks, lays out and, for governors,
anonymises. The PDF is made by ``semh.pdf`` (no outside fetching, tagged, metadata without pupil
names)."""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django_scopes import scope

from semh.data_version import counted_afresh

KINDS = {  # the report kinds, label shown to staff
    "termly": "Termly provision-effectiveness report",
    "termly_governors": "Termly provision-effectiveness report (governors' anonymised version)",
    "pupil_pack": "Pupil review pack",
    "reset_area": "Reset Area report",
    "trust_summary": "Trust summary of the termly figures",
}
# The one kind about several schools at once: asked for from the SLT page, made outside any
# single school (its row has no school; ``params["schools"]`` names them).
TRUST_SUMMARY = "trust_summary"


def summary_params(school_ids, on) -> dict:
    """A trust summary's params: the schools' ids sorted (so the same schools are the same
    summary, whatever order they were listed in) and the day their terms are read on."""
    return {
        "schools": ",".join(str(pk) for pk in sorted({int(pk) for pk in school_ids})),
        "on": on.isoformat(),
    }


def summary_school_ids(params: dict) -> list[int]:
    """The schools a trust summary's params name (empty when they name none readably)."""
    try:
        return sorted({int(pk) for pk in str(params.get("schools") or "").split(",") if pk})
    except ValueError:
        return []


class DocumentError(Exception):
    """A reason, readable by school staff, why the document cannot be made (term not found...)."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    warnings: list[str]  # WeasyPrint warnings caught while rendering
    title: str  # e.g. "Termly provision-effectiveness report, Autumn term 2026" (no pupil names)
    filename: str  # e.g. "alder-termly-autumn-2026.pdf" (no pupil names)


def render_document(
    kind: str, school, params: dict, *, progress: Callable[[int, str], None] | None = None
) -> Rendered:
    """Enters the school's django-scopes scope itself. params (JSON, strings only):
      termly / termly_governors: {"term": "<Term pk>"}
      pupil_pack: {"pupil": "<Pupil pk (uuid)>"}
      reset_area: {"room": "<Room pk (uuid)>", "date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD"}
      trust_summary (school None): {"schools": "<School pks, sorted, comma-separated>",
        "on": "YYYY-MM-DD"}; it enters each school's scope in turn itself.
    progress: optional callable(percent: int, stage: str), called a few times while rendering.
    Raises DocumentError for params that name nothing of this school.
    Its figures are counted from the database as it stands, never from the dashboards' cache."""
    with counted_afresh():
        return _render(kind, school, params or {}, progress or (lambda percent, stage: None))


def _render(kind, school, params, report) -> Rendered:
    if kind == TRUST_SUMMARY:
        from .trust_summary import render_trust_summary

        return render_trust_summary(params or {}, report)
    makers = {  # module, function: imported when asked for (they import this module)
        "termly": ("termly", "render_termly"),
        "termly_governors": ("termly", "render_governors"),
        "pupil_pack": ("pupil_pack", "render_pupil_pack"),
        "reset_area": ("reset_room", "render_reset_area"),
    }
    if kind not in makers:
        raise DocumentError(f"There is no kind of report called {kind!r}.")
    with scope(school=school):
        module, function = makers[kind]
        make = getattr(import_module(f"{__name__}.{module}"), function)
        return make(school, params or {}, report)
