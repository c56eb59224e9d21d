"""Forms of the weekly timetable: choosing the pupil, and the placement itself."""

from django import forms
from django_scopes.forms import SafeModelChoiceField

from pupils.models import Pupil
from semh.calendar import PLACEMENT_DATE, PlausibleDates
from semh.models import Period
from semh.widgets import DateInput

from ..models import PlannedPlacement


class PupilPickForm(forms.Form):
    """The one pupil chosen in the placement form's search-as-you-type picker
    (``reset_area/visits/_pupil_results.html`` with ``pick``)."""

    pupil = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "required": "Find and choose a pupil.",
            "invalid_choice": "Choose a pupil of this school.",
        },
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = Pupil.objects.filter(school=school).on_roll()


class PlacementForm(PlausibleDates, forms.ModelForm):
    date_rules = {"starts_on": PLACEMENT_DATE, "ends_on": PLACEMENT_DATE}

    class Meta:
        model = PlannedPlacement
        fields = ["period", "purpose", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        labels = {"starts_on": "From", "ends_on": "Until"}
        field_classes = {"period": SafeModelChoiceField}  # Period is school-scoped

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(school=school).order_by(
            "weekday", "starts_at"
        )
        self.fields["period"].label_from_instance = lambda p: (
            f"{p.get_weekday_display()} {p.name} ({p.starts_at:%H:%M}–{p.ends_at:%H:%M})"
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "It must end on or after the day it starts.")
        return data
