"""Forms shared by every app's pages: the date range a figures page is read over."""

from datetime import timedelta

from django import forms

from semh.calendar import any_day
from semh.widgets import DateInput

MAX_RANGE = timedelta(days=731)  # two years at most


class DateRangeForm(forms.Form):
    """A date range read from the query string; anything missing or wrong gives the default, a
    range given backwards is turned round, and it is at most two years long."""

    date_from = forms.DateField(
        widget=DateInput(), label="From", required=False, validators=[any_day]
    )
    date_to = forms.DateField(widget=DateInput(), label="To", required=False, validators=[any_day])

    def __init__(self, *args, default_range, **kwargs):
        """``default_range``: a ``semh.calendar.DateRange`` (the school's default)."""
        super().__init__(*args, **kwargs)
        self.fields["date_from"].initial = default_range.start
        self.fields["date_to"].initial = default_range.end
        self.default_range = default_range

    def range(self):
        """The chosen (first, last) days, falling back to the default; at most two years."""
        first, last = self.default_range.start, self.default_range.end
        if self.is_valid():
            first = self.cleaned_data.get("date_from") or first
            last = self.cleaned_data.get("date_to") or last
        if last < first:
            first, last = last, first
        if last - first > MAX_RANGE:
            first = last - MAX_RANGE
        return first, last
