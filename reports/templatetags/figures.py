"""Number formats of the reporting pages."""

from django import template

from reports import tables

register = template.Library()


@register.filter
def signed(value, places=1):
    """A change with its sign (+1.5, −0.3, 0.0); a dash when there is none."""
    if value is None:
        return "—"
    text = f"{abs(value):.{int(places)}f}"
    if float(text) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def pounds(value):
    """£1,234.50; a dash when there is none."""
    return "—" if value is None else f"£{value:,.2f}"


@register.filter
def number(value, places=2):
    """A figure with a true minus sign (−0.03); a dash when there is none."""
    if value is None:
        return "—"
    text = f"{value:.{int(places)}f}"
    return text.replace("-", "−") if float(text) != 0 else text.lstrip("-")


@register.filter
def cell(value):
    return tables.shown_cell(value)
