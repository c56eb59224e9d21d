"""The daily log: a quick note, the day's summary and its printable log, wellbeing check-ins."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date

from pupils import selectors
from pupils.forms.daily_log import CheckInForm, DailySummaryForm, QuickNoteForm
from pupils.models import NoteKind
from pupils.selectors import access_pupil
from pupils.services import daily_log
from semh import audit
from semh.access import PUPIL_READERS, PUPIL_RECORDERS
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

RECORD = PUPIL_RECORDERS


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _to_log(request, pupil):
    url = redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk).url
    return redirect(f"{url}#daily-log")


def _day(request):
    """The day in ``?day=yyyy-mm-dd`` (today when absent); a malformed or future day is a 404."""
    raw = request.GET.get("day")
    if not raw:
        return timezone.localdate()
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None or day > timezone.localdate() or day.year < 2000:
        raise Http404
    return day


@school_view(*RECORD)
def note_pick_pupil(request):
    """From the home page: which pupil is the note about (only pupils the viewer can open)."""
    pupils = selectors.pupils_visible_to(request.school_access, request.school).filter(
        left_on__isnull=True
    )
    query = request.GET.get("q", "").strip()[:60]
    if query:
        pupils = (
            pupils.filter(preferred_first_name__icontains=query)
            | pupils.filter(legal_first_name__icontains=query)
            | pupils.filter(legal_last_name__icontains=query)
        )
    context = {"pupils": pupils.order_by("legal_last_name", "legal_first_name")[:60], "q": query}
    return render(request, "pupils/daily_log/pick_pupil.html", context)


@school_view(*RECORD)
def note_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = QuickNoteForm(request.POST or None, pupil=pupil, school=request.school)
    if request.method == "POST" and form.is_valid():
        note = submit(
            form, daily_log.record_note, **_who(request), pupil=pupil, **form.cleaned_data
        )
        if note is not None:
            messages.success(request, f"{note.get_kind_display()} note saved.")
            return _to_log(request, pupil)
    # The form offers the pupil's plan targets: opening it is a read of the plan.
    audit.record_page_view(request, AuditAction.DAILY_LOG_VIEW, target=pupil, page="note")
    return render(request, "pupils/daily_log/note_form.html", {"form": form, "pupil": pupil})


@school_view(*RECORD)
def check_in_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form, daily_log.record_check_in, **_who(request), pupil=pupil, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, f"Check-in saved: {saved.get_zone_display()}.")
            return _to_log(request, pupil)
    return render(request, "pupils/daily_log/check_in_form.html", {"form": form, "pupil": pupil})


@school_view(*RECORD)
def daily_summary(request, pupil_id):
    """The day at a glance: engagement 1–5 and zone for each period of the day, one screen."""
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    day = _day(request)
    periods, existing = selectors.day_summary(pupil, request.school, day)
    form = DailySummaryForm(request.POST or None, periods=periods, existing=existing)
    if request.method == "POST" and form.is_valid():
        daily_log.record_daily_summary(
            **_who(request), pupil=pupil, on_day=day, rows=form.cleaned_rows()
        )
        messages.success(request, f"Day saved for {day:%d/%m/%Y}.")
        return _to_log(request, pupil)
    audit.record_page_view(
        request, AuditAction.DAILY_LOG_VIEW, target=pupil, page="summary", day=day.isoformat()
    )
    context = {"form": form, "pupil": pupil, "day": day}
    return render(request, "pupils/daily_log/summary_form.html", context)


@school_view(*PUPIL_READERS)
def daily_log_print(request, pupil_id):
    """The printable log of one day: every note and the period-by-period engagement."""
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    day = _day(request)
    notes = selectors.daily_log_for_day(pupil, day)
    audit.record_view(
        request, AuditAction.DAILY_LOG_VIEW, target=pupil, page="print", day=day.isoformat()
    )
    context = {
        "pupil": pupil,
        "day": day,
        "periods": [n for n in notes if n.kind == NoteKind.ENGAGEMENT],
        "notes": [n for n in notes if n.kind != NoteKind.ENGAGEMENT],
    }
    return render(request, "pupils/daily_log/print.html", context)
