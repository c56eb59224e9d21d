"""Server-side SVG charts, the one chart module for pages and PDFs.

Plain SVG with presentation attributes only (no <style>, no <script>), so charts render under the
strict Content-Security-Policy, inline in HTML and in WeasyPrint alike. Every chart carries a
<title> (its accessible name) and <desc> (its description) under ids of its own, so several
charts on one page each announce their own; pages should also offer the numbers as a table.
"""

import hashlib
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

INK = "#1f2d3d"
MUTED = "#6b7785"
GRID = "#d9dee4"
BAR = "#2a7b6f"
HEAT = ["#f4f7f6", "#cfe6e1", "#9ccdc3", "#5fae9f", "#2a7b6f", "#15514a"]
# "Report Sans": the PDFs' bundled DejaVu Sans (static/print/report.css); pages fall back.
FONT = 'font-family="Report Sans, DejaVu Sans, Arial, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def chart_id(title: str, desc: str, body: str) -> str:
    """The id prefix of a chart's <title>/<desc>: the title's slug (readable in the markup) and a
    digest of the whole chart, so two different charts on a page never share ids (not even two
    with the same title and other figures). The same chart gets the same id on every render, so
    a PDF renders byte-stable; a page showing one identical chart twice would repeat it."""
    digest = hashlib.sha256(f"{title}\0{desc}\0{body}".encode()).hexdigest()[:8]
    slug = slugify(title)[:40].strip("-")
    return f"chart-{slug}-{digest}" if slug else f"chart-{digest}"


def _svg(width, height, title, desc, body) -> SafeString:
    ident = chart_id(title, desc, body)
    return mark_safe(  # noqa: S308 - every text inserted below goes through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-title" '
        f'aria-describedby="{ident}-desc" class="chart">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def _nice_max(value: float) -> float:
    # Multiples of 4, so the four gridlines fall on whole numbers.
    if value <= 0:
        return 4
    for step in (4, 8, 12, 16, 20, 40, 60, 80, 100, 200, 400, 600, 800, 1000, 2000, 4000, 10000):
        if value <= step:
            return step
    return value


def bar_chart(bars: list[Bar], *, title: str, unit: str = "", width=640, height=240) -> SafeString:
    """Vertical bars with a labelled axis; labels are shortened, values printed on the bars."""
    left, bottom, top = 36, 40, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    top_value = _nice_max(max((b.value for b in bars), default=0))
    slot = plot_w / max(len(bars), 1)
    parts = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{MUTED}" {FONT}>{top_value * i / 4:g}</text>'
        )
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top_value
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(bar.label)}: {bar.value:g}{escape(unit)}</title></rect>"
        )
        if bar.value:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{INK}" {FONT}>{bar.value:g}</text>'
            )
        if len(bars) <= 16 or i % max(1, len(bars) // 12) == 0:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'font-size="10" fill="{MUTED}" {FONT}>{escape(bar.label[:12])}</text>'
            )
    desc = "; ".join(f"{b.label}: {b.value:g}{unit}" for b in bars) or "No data"
    return _svg(width, height, title, desc, "".join(parts))


def heatmap(
    rows: list[str], columns: list[str], values: dict[tuple[str, str], float], *, title: str
) -> SafeString:
    """A grid (e.g. weekday × period) shaded by value, each cell labelled with its number."""
    cell_w, cell_h, left, top = 72, 28, 90, 22
    width, height = left + cell_w * len(columns) + 4, top + cell_h * len(rows) + 4
    peak = max(values.values(), default=0) or 1
    parts = [
        f'<text x="{left + c * cell_w + cell_w / 2}" y="{top - 6}" text-anchor="middle" '
        f'font-size="10" fill="{MUTED}" {FONT}>{escape(col[:13])}</text>'
        for c, col in enumerate(columns)
    ]
    for r, row in enumerate(rows):
        y = top + r * cell_h
        parts.append(
            f'<text x="{left - 6}" y="{y + cell_h / 2 + 4}" text-anchor="end" font-size="11" '
            f'fill="{INK}" {FONT}>{escape(row)}</text>'
        )
        for c, col in enumerate(columns):
            value = values.get((row, col), 0)
            shade = HEAT[min(len(HEAT) - 1, round(value / peak * (len(HEAT) - 1)))]
            ink = "#ffffff" if value / peak > 0.6 else INK
            x = left + c * cell_w
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{shade}">'
                f"<title>{escape(row)} {escape(col)}: {value:g}</title></rect>"
                f'<text x="{x + cell_w / 2 - 1}" y="{y + cell_h / 2 + 4}" text-anchor="middle" '
                f'font-size="11" fill="{ink}" {FONT}>{value:g}</text>'
            )
    desc = "; ".join(f"{r} {c}: {v:g}" for (r, c), v in values.items() if v) or "No data"
    return _svg(width, height, title, desc, "".join(parts))


# Band shades, best (position 0) first: pale green to pale red, each dark ink legible on it.
BAND_SHADES = ["#e3f1ec", "#fbf0cf", "#f9dcc1", "#f3c9c9", "#e9b8c9"]
LINE = "#1f4e79"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None


@dataclass(frozen=True)
class BandRange:
    """A named range of scores shaded behind a line chart; listed best first."""

    name: str
    low: float
    high: float


def line_chart(
    points: list[Point],
    *,
    title: str,
    minimum: float,
    maximum: float,
    bands: list[BandRange] = (),
    reference: Point | None = None,
    unit: str = "",
    width=300,
    height=None,
) -> SafeString:
    """Scores over time: one point per label (in order), joined by a line (broken where a score
    is missing), on a fixed scale ``minimum``–``maximum``, with ``bands`` shaded behind and named
    in a legend below, and an optional ``reference`` value (a threshold) drawn as a dashed line
    named by its label. Sized to fit a phone as drawn (text 11–12 px, never scaled down)."""
    left, right, top, plot_h = 30, 10, 24, 150  # top: room for a value printed over the maximum
    legend_rows = (len(bands) + 1) // 2 + (reference is not None)
    height = height or top + plot_h + 36 + legend_rows * 18
    plot_w = width - left - right
    span = (maximum - minimum) or 1

    def y_of(value):
        return top + plot_h - plot_h * (value - minimum) / span

    parts = []
    for i, band in enumerate(bands):
        low, high = max(minimum, band.low - 0.5), min(maximum, band.high + 0.5)
        y1, y2 = y_of(high), y_of(low)
        parts.append(
            f'<rect x="{left}" y="{y1:.1f}" width="{plot_w}" height="{y2 - y1:.1f}" '
            f'fill="{BAND_SHADES[min(i, len(BAND_SHADES) - 1)]}">'
            f"<title>{escape(band.name)}: {band.low:g}–{band.high:g}</title></rect>"
        )
        if y2 - y1 >= 12:  # named inside the band too: printed in black and white, the pale
            # shades look alike and the legend's swatches cannot tell them apart
            parts.append(
                f'<text x="{left + 3}" y="{y1 + 10:.1f}" font-size="9" fill="{MUTED}" '
                f"{FONT}>{escape(band.name[:24])}</text>"
            )
    for i in range(5):
        value = minimum + span * i / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}" {FONT}>{value:g}</text>'
        )
    if reference is not None:
        y = y_of(reference.value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-dasharray="6 4"><title>{escape(reference.label)}</title></line>'
        )
    slot = plot_w / max(len(points), 1)
    xy = [(left + slot * (i + 0.5), p) for i, p in enumerate(points)]
    run = []
    for x, point in xy + [(None, None)]:
        if point is not None and point.value is not None:
            run.append(f"{x:.1f},{y_of(point.value):.1f}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="2"/>'
            )
        run = []
    for x, point in xy:
        label_y = top + plot_h + 16
        parts.append(
            f'<text x="{x:.1f}" y="{label_y}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}" {FONT}>{escape(point.label[:14])}</text>'
        )
        if point.value is None:
            continue
        y = y_of(point.value)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LINE}">'
            f"<title>{escape(point.label)}: {point.value:g}{escape(unit)}</title></circle>"
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="bold" fill="{INK}" {FONT}>{point.value:g}</text>'
        )
    legend_top = top + plot_h + 30
    for i, band in enumerate(bands):
        x = 4 + (i % 2) * ((width - 8) / 2)
        y = legend_top + (i // 2) * 18
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="12" height="12" '
            f'fill="{BAND_SHADES[min(i, len(BAND_SHADES) - 1)]}" stroke="{GRID}"/>'
            f'<text x="{x + 16:.1f}" y="{y + 10}" font-size="11" fill="{INK}" {FONT}>'
            f"{escape(band.name[:18])} {band.low:g}–{band.high:g}</text>"
        )
    if reference is not None:  # its own legend row, under the bands
        y = legend_top + (len(bands) + 1) // 2 * 18 + 6
        parts.append(
            f'<line x1="4" x2="28" y1="{y}" y2="{y}" stroke="{INK}" stroke-dasharray="6 4"/>'
            f'<text x="32" y="{y + 4}" font-size="11" fill="{INK}" {FONT}>'
            f"{escape(reference.label)}</text>"
        )
    described = "; ".join(
        f"{p.label}: {'missing' if p.value is None else f'{p.value:g}{unit}'}" for p in points
    )
    if bands:
        described += ". Bands: " + "; ".join(f"{b.name} {b.low:g}–{b.high:g}" for b in bands)
    if reference is not None:
        described += f". Dashed line: {reference.label}"
    return _svg(width, height, title, described or "No data", "".join(parts))
