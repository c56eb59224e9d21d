"""The report request forms: what each kind of report is made over. ``params()`` is what the
request row stores (strings only, as ``render_document`` takes them)."""

from django import forms
from django.utils import timezone

from reset_area.models import Room
from semh.calendar import any_day, default_range
from semh.forms import MAX_RANGE
from semh.models import Term
from semh.widgets import DateInput

from .documents import KINDS, TRUST_SUMMARY
from .models import TERMLY_KINDS


class ReportKindForm(forms.Form):
    # A school's own kinds: the trust summary is asked for from the SLT page.
    kind = forms.ChoiceField(
        choices=[(k, label) for k, label in KINDS.items() if k != TRUST_SUMMARY],
        widget=forms.HiddenInput,
    )


class TermReportForm(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), empty_label=None, label="Term")

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        terms = Term.objects.filter(school=school).select_related("academic_year")
        self.fields["term"].queryset = terms.order_by("-starts_on")
        # The term just ended (or under way), the one a report is usually asked for.
        latest = terms.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on").first()
        self.fields["term"].initial = latest.pk if latest else None

    def params(self) -> dict:
        return {"term": str(self.cleaned_data["term"].pk)}


class ResetAreaReportForm(forms.Form):
    room = forms.ModelChoiceField(queryset=Room.objects.none(), empty_label=None, label="Room")
    date_from = forms.DateField(widget=DateInput(), label="From", validators=[any_day])
    date_to = forms.DateField(widget=DateInput(), label="To", validators=[any_day])

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(school=school)
        # The range every figures page starts on: this term so far.
        span = default_range(school)
        self.fields["date_from"].initial, self.fields["date_to"].initial = span.start, span.end

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", "The end date must be on or after the start date.")
            elif last - first > MAX_RANGE:
                self.add_error("date_to", "A Reset Area report covers two years at most.")
        return cleaned

    def params(self) -> dict:
        return {
            "room": str(self.cleaned_data["room"].pk),
            "date_from": self.cleaned_data["date_from"].isoformat(),
            "date_to": self.cleaned_data["date_to"].isoformat(),
        }


class PupilReportForm(forms.Form):
    pupil = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        return {"pupil": str(self.cleaned_data["pupil"])}


def report_form(kind, data=None, *, school):
    if kind in TERMLY_KINDS:
        form_class = TermReportForm
    elif kind == "reset_area":
        form_class = ResetAreaReportForm
    else:
        form_class = PupilReportForm
    # Several forms share a page (the reports page, a pupil's page): ids apart, names plain.
    return form_class(data, school=school, auto_id=f"id_{kind}_%s")
