"""One way for every view to read its query string. A value that is missing, malformed or out of
range gives the page's default (or, for an id the page cannot do without, a 404): never an error.
Pages numbers go through ``Paginator.get_page``, which already falls back."""

import datetime
import uuid

from django.http import Http404

from semh.calendar import EARLIEST_DAY, LATEST_DAY, monday_of

MAX_TEXT = 200  # a search box: longer is cut, not refused


def object_id(value) -> uuid.UUID | None:
    """The opaque id (UUID) in ``value``, else None."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def required_object_id(value) -> uuid.UUID:
    """The opaque id in ``value``; 404 when it is not one (nothing can have that id)."""
    found = object_id(value)
    if found is None:
        raise Http404
    return found


def required_row_id(value) -> int:
    """A counter id (the few set-up rows that have one, such as a period of the school day);
    404 when ``value`` is not a whole number a row could have."""
    found = integer(value, 0, low=1, high=2**63 - 1)
    if not found:
        raise Http404
    return found


def day(value, default: datetime.date) -> datetime.date:
    """The day in ``value`` (YYYY-MM-DD), else ``default`` (also outside the days a page may be
    asked about, ``semh.calendar.EARLIEST_DAY``–``LATEST_DAY``)."""
    try:
        found = datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        found = None
    if found is None or not EARLIEST_DAY <= found <= LATEST_DAY:
        return default
    return found


def week(value, default: datetime.date) -> datetime.date:
    """The Monday of the week of the day in ``value``, else of ``default``."""
    return monday_of(day(value, default))


def integer(value, default: int, *, low: int, high: int) -> int:
    """The whole number in ``value`` from ``low`` to ``high``, else ``default``."""
    if not isinstance(value, str) or len(value) > 20:
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return number if low <= number <= high else default


def weekday(value, default: int = 0) -> int:
    """The weekday in ``value`` (0 is Monday, 4 Friday), else ``default``."""
    return integer(value, default, low=0, high=4)


def text(value) -> str:
    """A search box's words, trimmed and cut to ``MAX_TEXT`` characters."""
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""
