"""Forms of the daily log: a quick note, a day's summary, a wellbeing check-in."""

from django import forms
from django.utils import timezone

from pupils.models import CheckInBy, NoteKind, PlanStatus, Target, Zone
from semh.models import Period
from semh.submissions import SubmittedOnce

ENGAGEMENT = [("", "None"), *[(str(n), str(n)) for n in range(1, 6)]]
# Positive first: the button a busy adult should find under their thumb.
KINDS = [
    (NoteKind.POSITIVE, "Positive"),
    (NoteKind.OBSERVATION, "Observation"),
    (NoteKind.PASTORAL, "Pastoral"),
    (NoteKind.HOME_SCHOOL, "Home–school"),
]


def pupil_targets(pupil):
    return Target.objects.filter(plan__pupil=pupil).exclude(plan__status=PlanStatus.CLOSED)


class QuickNoteForm(SubmittedOnce, forms.Form):
    """Today's note (the periods offered are today's)."""

    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect, initial=NoteKind.POSITIVE)
    text = forms.CharField(
        label="Note",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )
    period = forms.ModelChoiceField(queryset=Period.objects.none(), required=False)
    engagement = forms.TypedChoiceField(
        label="Engagement (1 low – 5 high, optional)",
        choices=ENGAGEMENT,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    target = forms.ModelChoiceField(
        label="Evidence for a target (optional)", queryset=Target.objects.none(), required=False
    )

    def __init__(self, *args, pupil, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(
            school=school, weekday=timezone.localdate().weekday()
        )
        self.fields["period"].label_from_instance = lambda p: f"{p.name} ({p.starts_at:%H:%M})"
        targets = pupil_targets(pupil).select_related("plan")
        self.fields["target"].queryset = targets
        if not targets.exists():
            del self.fields["target"]


class CheckInForm(SubmittedOnce, forms.Form):
    zone = forms.ChoiceField(
        label="Which zone are you in?", choices=Zone.choices, widget=forms.RadioSelect
    )
    words = forms.CharField(label="In their words (optional)", max_length=500, required=False)
    by = forms.ChoiceField(
        label="Who is checking in",
        choices=CheckInBy.choices,
        initial=CheckInBy.PUPIL,
        widget=forms.RadioSelect,
    )


class DailySummaryForm(forms.Form):
    """One engagement and zone per period of the day (fields ``e_<period id>``, ``z_<id>``)."""

    def __init__(self, *args, periods, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = list(periods)
        for period in self.periods:
            note = existing.get(period.pk)
            self.fields[f"e_{period.pk}"] = forms.TypedChoiceField(
                label=f"{period.name} engagement",
                choices=ENGAGEMENT,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=str(note.engagement) if note and note.engagement else "",
            )
            self.fields[f"z_{period.pk}"] = forms.ChoiceField(
                label=f"{period.name} zone",
                choices=[("", "Zone"), *[(z.value, z.label.split(" ")[0]) for z in Zone]],
                required=False,
                initial=note.zone if note else "",
            )

    def rows(self):
        for period in self.periods:
            yield self[f"e_{period.pk}"], self[f"z_{period.pk}"], period

    def cleaned_rows(self):
        data = self.cleaned_data
        return [(p, data[f"e_{p.pk}"], data[f"z_{p.pk}"]) for p in self.periods]
