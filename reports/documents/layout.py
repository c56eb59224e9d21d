"""What every document shares: its parameters checked, the PDF made through ``semh.pdf`` with the
print stylesheet, and names (title, file name) that never hold a pupil's name."""

import uuid
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from semh import pdf

from . import DocumentError, Rendered

STYLESHEET = "print/report.css"


def uuid_param(params: dict, key: str, what: str) -> str:
    value = str(params.get(key) or "")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise DocumentError(f"No {what} was chosen for this report.") from None


def date_param(params: dict, key: str, what: str) -> date:
    try:
        return date.fromisoformat(str(params.get(key) or ""))
    except ValueError:
        raise DocumentError(f"The {what} is not a date (expected YYYY-MM-DD).") from None


def file_name(*parts) -> str:
    return "-".join(slugify(str(p)) for p in parts if p) + ".pdf"


def make_pdf(template: str, context: dict, *, title: str, author: str, filename: str) -> Rendered:
    html = render_to_string(
        template,
        {
            **context,
            "document_title": title,
            "author": author,
            "printed_at": timezone.localtime(),
        },
    )
    made = pdf.render_pdf(html, stylesheets=[STYLESHEET], title=title, author=author)
    return Rendered(made.pdf, made.pages, made.warnings, title, filename)
