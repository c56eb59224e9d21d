"""The one CSV writer: every export streams through it, so every cell is escaped against
spreadsheet formula injection and every date is a UK date."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from django.http import StreamingHttpResponse
from django.utils import timezone
from django_scopes import scope

# A cell starting with one of these would run as a formula in Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV lines, starting with a byte-order mark so Excel reads the file as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def _in_scope(school, lines):
    with scope(school=school):
        yield from lines


def csv_response(*, school, filename: str, header, rows) -> StreamingHttpResponse:
    """A streamed CSV download. The body is produced after the view (and the school scope
    middleware) have returned, so the rows are read inside the school's scope again."""
    response = StreamingHttpResponse(
        _in_scope(school, csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
