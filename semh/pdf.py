"""The one WeasyPrint helper: every PDF of the product is rendered through ``render_pdf``.

The rule it holds: a PDF fetches nothing from outside. ``StaticOnlyFetcher`` serves our own static
files (the print stylesheets and the fonts bundled under ``static/print/fonts/``) and ``data:``
URLs, and refuses anything else (http, https, ftp, a file outside the static folders), so an
``<img src="http://…">`` typed into a pupil's free text is never requested. What WeasyPrint
warns about while rendering (a refused URL, an unsupported CSS property) is logged and returned
with the PDF.
"""

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

PDF_VARIANT = None  # see render_pdf: PDF/UA-1 is not claimed


class RefusedURL(ValueError):
    pass


def _static_roots() -> list[Path]:
    roots = [Path(p) for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


class StaticOnlyFetcher(weasyprint.urls.URLFetcher):
    """Our static files and ``data:`` URLs only; every URL refused is kept in ``refused``."""

    def __init__(self):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and not parts.netloc:
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in _static_roots()) and path.is_file():
                return super().fetch(url, headers)
        self.refused.append(url)
        raise RefusedURL(f"Refused to fetch {url[:200]} (only the product's own static files)")


def static_path(name: str) -> str:
    """The file of a static asset (``print/report.css``), for a stylesheet or a base URL."""
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"No static file {name}")
    return str(found)


def _static_base() -> str:
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


@functools.cache
def stylesheet(name: str) -> weasyprint.CSS:
    """A print stylesheet of ours, parsed once per process (its fonts load through the fetcher)."""
    return weasyprint.CSS(filename=static_path(name), url_fetcher=StaticOnlyFetcher())


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@dataclass
class PdfResult:
    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


def render_document(html: str, *, stylesheets=(), base_url: str | None = None):
    """The HTML laid out as a WeasyPrint document (tagged), and the warnings raised meanwhile."""
    collect = _Collect()
    weasy_logger = logging.getLogger("weasyprint")
    weasy_logger.addHandler(collect)
    try:
        fetcher = StaticOnlyFetcher()
        document = weasyprint.HTML(
            string=html, base_url=base_url or _static_base(), url_fetcher=fetcher
        ).render(stylesheets=[stylesheet(s) for s in stylesheets], pdf_tags=True)
    finally:
        weasy_logger.removeHandler(collect)
    warnings = collect.messages + [f"Refused to fetch {url[:200]}" for url in fetcher.refused]
    return document, list(dict.fromkeys(warnings))


def write_pdf(document, warnings=(), *, title: str = "", author: str = "") -> PdfResult:
    """The document as PDF bytes, tagged, with its metadata set to ``title`` and ``author`` (the
    HTML's <title> and <meta name=author> give the same; these win). No pupil names here: the
    metadata is what a file list, a search index or an email preview shows.

    Tagged (``pdf_tags``): headings, lists, tables (TH/TD) and figures carry their structure, the
    language comes from ``<html lang>``, each SVG chart's ``<title>`` is its alternate text.
    PDF/UA-1 (``pdf_variant="pdf/ua-1"``) is not claimed. WeasyPrint 70 writes it without an
    error for these documents, but all it adds is the PDF/UA identifier in the XMP metadata and
    PDF 1.7: the running headers and footers (page margin boxes) stay outside the structure tree
    and are not marked as artifacts (WeasyPrint's own note: artifacts there only from PDF 2.0),
    which PDF/UA-1 forbids, and no validator (veraPDF) was at hand to check the rest. Claiming the
    identifier would be untrue; ``PDF_VARIANT`` is the switch when that changes."""
    if title:
        document.metadata.title = title
    if author:
        document.metadata.authors = [author]
    options = {"pdf_tags": True}
    if PDF_VARIANT:
        options["pdf_variant"] = PDF_VARIANT
    pdf = document.write_pdf(**options)
    for message in warnings:
        logger.warning("PDF %r: %s", title, message)
    return PdfResult(pdf, len(document.pages), list(warnings))


def render_pdf(html: str, *, stylesheets=(), title: str = "", author: str = "") -> PdfResult:
    document, warnings = render_document(html, stylesheets=stylesheets)
    return write_pdf(document, warnings, title=title, author=author)
