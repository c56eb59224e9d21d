"""The Reset Area report for a room and a date range: use by period and weekday, planned against
unplanned visits, minutes out of learning, returns to lesson, seclusions and repeat visitors.

Every figure is ``reset_area.metrics.room_metrics``'s, the Reset Area metrics page's."""

from reset_area.metrics import room_metrics
from reset_area.models import Room
from semh.forms import MAX_RANGE

from . import KINDS, DocumentError
from .layout import date_param, file_name, make_pdf, uuid_param

TEMPLATE = "reports/print/reset_area.html"


def reset_area_context(school, params: dict) -> dict:
    room_id = uuid_param(params, "room", "Reset Area room")
    room = Room.objects.filter(school=school, pk=room_id).first()
    if room is None:
        raise DocumentError("That room is not one of this school's Reset Area rooms.")
    first = date_param(params, "date_from", "first day")
    last = date_param(params, "date_to", "last day")
    if last < first:
        raise DocumentError("The last day is before the first day.")
    if last - first > MAX_RANGE:  # the range every page and report takes
        raise DocumentError("A Reset Area report covers two years at most.")
    metrics = room_metrics(school, first, last, room=room)
    return {
        "kind": "reset_area",
        "kind_label": KINDS["reset_area"],
        "school": school,
        "room": room,
        "first": first,
        "last": last,
        **metrics,
    }


def render_reset_area(school, params, progress):
    progress(10, "Working out the figures")
    context = reset_area_context(school, params)
    room, first, last = context["room"], context["first"], context["last"]
    progress(60, "Making the PDF")
    rendered = make_pdf(
        TEMPLATE,
        context,
        title=f"{KINDS['reset_area']}, {room.name}, {first:%d/%m/%Y} to {last:%d/%m/%Y}",
        author=school.name,
        filename=file_name(school.slug, "reset-area", room.name, first, last),
    )
    progress(100, "Done")
    return rendered
