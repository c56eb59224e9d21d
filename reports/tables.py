"""A figure as a table: what the dashboards show and what their CSV and XLSX downloads write, made
by one function so a download holds exactly what the page showed."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from pupils.models import Pupil

from .figures import Figure
from .figures.cohorts import shown_count

PUPIL_COLUMN = "pupil_id"  # a column of pupil ids is shown as the pupils' names


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    header: list[str]
    rows: list[list]

    @property
    def numeric(self) -> list[bool]:
        """Which columns hold figures (set right-aligned): every cell a number or a share."""
        return [
            bool(column) and all(is_number(v) or _is_share(v) for v in column if v is not None)
            for column in zip(*self.rows, strict=True)
        ] or [False] * len(self.header)

    @property
    def shown_header(self) -> list[tuple[str, bool]]:
        return list(zip(self.header, self.numeric, strict=True))

    @property
    def shown_rows(self) -> list[list[tuple[object, bool]]]:
        numeric = self.numeric
        return [list(zip(row, numeric, strict=True)) for row in self.rows]


def _pupil_names(rows) -> dict[str, str]:
    ids = {row[PUPIL_COLUMN] for row in rows if row.get(PUPIL_COLUMN)}
    if not ids:
        return {}
    return {str(p.pk): p.full_name for p in Pupil.objects.filter(pk__in=ids)}


def _cell(key, value, names):
    if key == PUPIL_COLUMN:
        return names.get(value, "")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def figure_table(
    this: Figure,
    previous: Figure | None = None,
    *,
    compare: str | None = None,
    match: str = "label",
    previous_label: str = "previous period",
) -> Table:
    """``this`` figure's rows by its columns. With ``previous`` (the same figure over the period
    it is set against), the ``compare`` column of the row with the same ``match`` value is added
    beside them."""
    rows = this.rows
    names = _pupil_names(rows) if names_pupils(this) else {}
    header = [heading for _, heading in this.columns]
    body = [[_cell(key, row.get(key), names) for key, _ in this.columns] for row in rows]
    if previous is not None and compare is not None:
        before = {row[match]: row[compare] for row in previous.rows}
        header.append(f"{dict(this.columns)[compare]}, {previous_label}")
        for row, line in zip(rows, body, strict=True):
            line.append(before.get(row[match], 0))
    return Table(this.key, this.title, this.definition, header, body)


def anonymised(table: Table) -> Table:
    """The table as an anonymised view (governors) shows it: every whole-number count from 1 to
    4 is "fewer than 5", and in a row where a count was hidden every share is too ("3 of 8 with
    incidents" is hidden, so "38%" would give it away). Tables naming pupils are not shown there
    at all (``names_pupils``)."""

    def counts(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    rows = []
    for row in table.rows:
        shown = [shown_count(v, anonymised=True) if counts(v) else v for v in row]
        if any(counts(v) and s != v for v, s in zip(row, shown, strict=True)):
            shown = [None if _is_share(v) else v for v in shown]
        rows.append(shown)
    return Table(table.key, table.title, table.definition, table.header, rows)


def names_pupils(figure: Figure) -> bool:
    return any(key == PUPIL_COLUMN for key, _ in figure.columns)


def heatmap_table(figure: Figure) -> Table:
    grid = figure.value
    return Table(
        figure.key,
        figure.title,
        figure.definition,
        ["Day", *grid["columns"]],
        [[day, *counts] for day, counts in grid["table"]],
    )


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_share(value) -> bool:
    return isinstance(value, str) and value.endswith("%")


def shown_cell(value) -> str:
    """A cell as the page shows it: UK dates, local times, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)
