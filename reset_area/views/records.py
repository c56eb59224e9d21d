"""Reading the record: daily register, metrics, and a pupil's Reset Area history."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from pupils.selectors import access_pupil
from semh import audit
from semh.decorators import school_view

from .. import metrics, services
from ..forms import DateRangeForm, parse_day
from .common import BOARD_VIEWERS, METRICS, PUPIL_READERS, room_for


@school_view(*BOARD_VIEWERS)
def register(request, room_id):
    """The day's register for a room: planned against attended, times in and out, outcomes."""
    room = room_for(request, room_id)
    today = timezone.localdate()
    day = parse_day(request.GET.get("day"), today)
    audit.record_view(request, "reset.register_view", target=room, day=day.isoformat())
    return render(
        request,
        "reset_area/register.html",
        {
            "room": room,
            "day": day,
            "today": today,
            "previous": day - timedelta(days=3 if day.weekday() == 0 else 1),
            "next": day + timedelta(days=3 if day.weekday() == 4 else 1),
            **services.day_register(room=room, day=day),
        },
    )


@school_view(*METRICS)
def metrics_page(request):
    """Metrics for a room (or every room) over any date range."""
    form = DateRangeForm(
        request.GET or None,
        school=request.school,
        default_range=metrics.default_range(request.school, timezone.localdate()),
    )
    first, last = form.range()
    room = form.cleaned_data.get("room") if form.is_bound and form.is_valid() else None
    return render(
        request,
        "reset_area/metrics.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "room": room,
            **metrics.room_metrics(request.school, first, last, room=room),
        },
    )


@school_view(*METRICS)
def pupil_metrics(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = DateRangeForm(
        request.GET or None,
        school=request.school,
        default_range=metrics.default_range(request.school, timezone.localdate()),
    )
    first, last = form.range()
    audit.record_view(request, "reset.pupil_metrics_view", target=pupil, pupil=str(pupil.pk))
    return render(
        request,
        "reset_area/pupil_metrics.html",
        {
            "pupil": pupil,
            "form": form,
            "first": first,
            "last": last,
            **metrics.pupil_metrics(pupil, first, last),
        },
    )


@school_view(*PUPIL_READERS)
def pupil_visits(request, pupil_id):
    """The Reset Area section of the pupil page (loaded by htmx), or the same as a page."""
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    audit.record_view(request, "reset.pupil_visits_view", target=pupil, pupil=str(pupil.pk))
    template = "reset_area/_pupil_section.html" if request.htmx else "reset_area/pupil_visits.html"
    return render(request, template, {"pupil": pupil, **services.pupil_reset_summary(pupil)})
