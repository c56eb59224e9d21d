"""Placeholder for the report documents (replaced by the documents' own module): the shared
signature, and a one-page PDF naming the school and the report, so the pipeline runs end to end.
"""

from dataclasses import dataclass
from html import escape

KINDS = {  # the report kinds, label shown to staff
    "termly": "Termly provision-effectiveness report",
    "termly_governors": "Termly provision-effectiveness report (governors' anonymised version)",
    "pupil_pack": "Pupil review pack",
    "reset_area": "Reset Area report",
}


class DocumentError(Exception):
    """A reason, readable by school staff, why the document cannot be made (term not found...)."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    warnings: list[str]  # WeasyPrint warnings caught while rendering
    title: str  # no pupil names
    filename: str  # no pupil names


def render_document(kind: str, school, params: dict, *, progress=None) -> Rendered:
    """Enters the school's django-scopes scope itself. Raises DocumentError for params that name
    nothing of this school."""
    import weasyprint
    from django_scopes import scope

    from semh.models import Term

    if kind not in KINDS:
        raise DocumentError(f"There is no report called {kind!r}.")
    title = KINDS[kind]
    with scope(school=school):
        if kind in ("termly", "termly_governors"):
            term_id = str(params.get("term", ""))
            term = Term.objects.filter(pk=term_id).first() if term_id.isdigit() else None
            if term is None:
                raise DocumentError("That term was not found for this school.")
            title = f"{title}, {term}"
    if progress:
        progress(50, "Laying out the pages")
    html = f"<h1>{escape(school.name)}</h1><p>{escape(title)}</p>"
    document = weasyprint.HTML(string=html).render()
    if progress:
        progress(90, "Writing the PDF")
    return Rendered(
        pdf=document.write_pdf(),
        pages=len(document.pages),
        warnings=[],
        title=title,
        filename=f"{school.slug}-{kind}.pdf",
    )
