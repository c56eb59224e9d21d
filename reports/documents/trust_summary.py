"""The trust summary: the headline figures of several schools side by side, with the trust total,
as the SLT page shows them (``headlines.columns_on`` + ``headlines.schools_table``: the same
columns, the same total, nothing counted again here). Headline figures only: no pupil is listed or
named. Small counts are shown as on the SLT page (for senior leaders; the cover says so)."""

from django.utils.formats import date_format

from semh.models import School

from ..figures.cohorts import SMALL_NUMBER
from ..headlines import columns_on, schools_table
from . import KINDS, TRUST_SUMMARY, DocumentError, summary_school_ids
from .layout import date_param, file_name, make_pdf

TEMPLATE = "reports/print/trust_summary.html"
# More columns than this (schools and the total) print in the small type of wide tables.
NARROW_COLUMNS = 4


def trust_name(schools) -> str:
    """The schools' trust, when they are all of one; else no trust name is claimed."""
    trusts = {school.trust for school in schools}
    if len(trusts) == 1 and None not in trusts:
        return trusts.pop().name
    return "Your schools"


def summary_schools_of(params) -> list:
    ids = summary_school_ids(params)
    schools = list(School.objects.filter(pk__in=ids).select_related("trust").order_by("name"))
    if not ids or len(schools) != len(ids):
        raise DocumentError("The schools of this summary were not found.")
    return schools


def trust_summary_context(params: dict, *, progress=None) -> dict:
    progress = progress or (lambda percent, stage: None)
    schools = summary_schools_of(params)
    on = date_param(params, "on", "day the terms are read on")
    progress(10, "Working out each school's figures")
    table = schools_table(columns_on(schools, on))
    progress(60, "Laying out the summary")
    total = bool(table.rows and table.rows[0].total)
    return {
        "kind": TRUST_SUMMARY,
        "kind_label": KINDS[TRUST_SUMMARY],
        "trust_name": trust_name(schools),
        "schools": schools,
        "on": on,
        "table": table,
        "has_total": total,
        "wide": len(table.columns) + total > NARROW_COLUMNS,
        "small_number": SMALL_NUMBER,
    }


def render_trust_summary(params, progress):
    context = trust_summary_context(params, progress=progress)
    on, name = context["on"], context["trust_name"]
    progress(70, "Making the PDF")
    rendered = make_pdf(
        TEMPLATE,
        context,
        title=f"{KINDS[TRUST_SUMMARY]}, terms running on {date_format(on, 'd/m/Y')}",
        author=name,
        filename=file_name(name, "summary", on.isoformat()),
    )
    progress(100, "Done")
    return rendered
