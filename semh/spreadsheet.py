"""The one CSV and XLSX writer: every export goes through it, so no cell can run as a spreadsheet
formula and every date is a UK date."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django_scopes import scope
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


NUMBER_FORMATS = {date: "dd/mm/yyyy", time: "hh:mm", datetime: "dd/mm/yyyy hh:mm"}


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    for kind in (datetime, date, time):
        if isinstance(value, kind):
            cell.number_format = NUMBER_FORMATS[kind]
            break
    return cell


def xlsx_bytes(
    header: list[str], rows: Iterable[Iterable], *, sheet: str, widths: list[int] | None = None
) -> bytes:
    """One sheet: a bold, frozen header row, then ``rows``, each text cell kept as text."""
    workbook = Workbook(write_only=True)
    # Excel refuses these characters in a sheet's name, and more than 31 of them.
    worksheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31].strip())
    for index, width in enumerate(widths or [], start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    heading = []
    for name in header:
        cell = WriteOnlyCell(worksheet, value=name)
        cell.font = Font(bold=True)
        heading.append(cell)
    worksheet.append(heading)
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(*, filename: str, header, rows, sheet: str, widths=None) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(header, rows, sheet=sheet, widths=widths), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FORMATS = ("csv", "xlsx")


def spreadsheet_response(fmt: str, *, school, name: str, header, rows, sheet: str):
    """``name``.csv or ``name``.xlsx, as ``fmt`` (one of ``FORMATS``) asks."""
    if fmt == "csv":
        return csv_response(school=school, filename=f"{name}.csv", header=header, rows=rows)
    return xlsx_response(filename=f"{name}.xlsx", header=header, rows=rows, sheet=sheet)
