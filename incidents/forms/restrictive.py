"""The one form of the statutory restrictive-intervention record (DfE "Restrictive interventions"
guidance, 2026), for a restraint (part of the incident form) and a seclusion (the Reset Area's
check-out), and the forms of its follow-up: report to parents, debriefs, staff statements.

The form validates what was typed; the rules of the record are
``incidents.services.restrictive.restrictive_intervention_problems``, which ``clean`` calls so the
page shows every problem at once, in the service's words.
"""

import datetime

from django import forms
from django.utils import timezone

from incidents.forms.common import TEXT, YES_NO, not_in_future, vocabulary
from incidents.models import (
    BodyRegion,
    InterventionKind,
    Necessity,
    ParentReport,
    RestrictiveIntervention,
    VocabularyKind,
)
from incidents.selectors import recording_staff
from incidents.services.restrictive import (
    DEBRIEF_PARTS,
    incident_window,
    message,
    recorded_debrief_parts,
    restrictive_intervention_problems,
)
from semh.calendar import EVENT_DATE, PlausibleDates
from semh.widgets import DateTimeInput, TimeInput, mark_required

RESTRAINT, SECLUSION = InterventionKind.RESTRAINT, InterventionKind.SECLUSION

# (restraint, seclusion) labels; one label serves both.
LABELS = {
    "staff_involved": ("Staff who held the pupil", "Staff involved"),
    "started_time": ("Force started at", "Prevented from leaving from"),
    "ended_time": ("Force ended at", "Free to leave again at"),
    "location": ("Where force was used", "Where the pupil was kept"),
    "holds": ("Holds or techniques used", "Holds or techniques used (if any)"),
    "other_hold": "If other: describe the hold or technique",
    "what_happened_before": ("What happened before force was used", "What happened before"),
    "deescalation_tried": ("De-escalation tried first", "De-escalation tried first"),
    "necessity": ("Why force was necessary", "Why it was necessary"),
    "necessity_detail": "Explain why it was necessary",
    "pupil_injured": "Was the pupil injured?",
    "staff_injured": "Was any member of staff injured?",
    "injuries": "Injuries",
    "body_map": "Where the pupil was hurt",
    "medical_given": "Medical attention given",
    "medical_attention": "Details of medical attention",
    "support_given": "Support offered afterwards",
    "support_offered": "Who and when, or other support",
}
# Common answers offered as taps; what is ticked opens the record's own text, and the words typed
# after it follow (the record keeps one text for each, as the statutory record has it).
MEDICAL_CHOICES = [
    ("None needed", "None needed"),
    ("First aid in school", "First aid in school"),
    ("Seen by the school nurse", "Seen by the school nurse"),
    ("Taken to hospital", "Taken to hospital"),
]
SUPPORT_CHOICES = [
    ("Debrief with the pupil planned", "Debrief with the pupil planned"),
    ("Debrief with staff planned", "Debrief with staff planned"),
    ("Time to calm in a quiet space", "Time to calm in a quiet space"),
    ("Parents / carers offered a meeting", "Parents / carers offered a meeting"),
]
CHOSEN_INTO = {"medical_given": "medical_attention", "support_given": "support_offered"}

# What the record does not ask again when it is part of the incident form (taken from the
# incident when left blank; the form's script shows them filled in as the incident is typed).
CARRIED_HINTS = {
    "location": "Leave blank if it is where the incident happened.",
    "what_happened_before": "Taken from “What happened just before” above: add to it or change it.",
    "deescalation_tried": "Taken from the de-escalation ticked above: add to it or change it.",
}
# The form's fields named differently from the service's arguments.
SERVICE_NAMES = {"started_time": "started_at", "ended_time": "ended_at"}
FORM_NAMES = {v: k for k, v in SERVICE_NAMES.items()}


def _yes(value) -> bool:
    return value == "yes"


class RestrictiveInterventionForm(forms.Form):
    """The record of a restraint (``kind=RESTRAINT``) or a seclusion (``kind=SECLUSION``).

    - ``actor``: the person recording, listed first among the staff and ticked.
    - ``window``: ``(start, end)`` the times must fall in (the Reset Area: the visit's arrival
      and departure, or now); the times typed are on the day of ``start``. For a restraint in the
      incident form, ``IncidentLog`` calls ``for_incident`` with the incident's values instead.
    - ``carried``: ``{"location"|"what_happened_before"|"deescalation_tried": text}`` used when
      that field is left blank (those fields are then optional on the form).

    ``record_values()`` gives ``record_restrictive_intervention``'s keyword arguments;
    ``add_service_errors`` puts a ``ValidationError`` from the service on the right fields.
    """

    staff_involved = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple
    )
    started_time = forms.TimeField(widget=TimeInput())
    ended_time = forms.TimeField(widget=TimeInput())
    location = forms.CharField(required=False, max_length=120)
    holds = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_hold = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    what_happened_before = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    deescalation_tried = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    necessity = forms.MultipleChoiceField(
        choices=Necessity.choices, widget=forms.CheckboxSelectMultiple
    )
    necessity_detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    pupil_injured = forms.TypedChoiceField(choices=YES_NO, coerce=_yes, widget=forms.RadioSelect)
    staff_injured = forms.TypedChoiceField(choices=YES_NO, coerce=_yes, widget=forms.RadioSelect)
    injuries = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body_map = forms.MultipleChoiceField(
        choices=BodyRegion.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    medical_given = forms.ChoiceField(
        choices=MEDICAL_CHOICES, required=False, widget=forms.RadioSelect
    )
    medical_attention = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    support_given = forms.MultipleChoiceField(
        choices=SUPPORT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    support_offered = forms.CharField(
        required=False,  # ticks above or words here: the record's rules say which is missing
        help_text="To the pupil and to staff: debriefs held or planned, who and when.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, kind, school, actor, window=None, carried=None, **kwargs):
        kwargs.setdefault("prefix", "rpi" if kind == RESTRAINT else "seclusion")
        super().__init__(data, **kwargs)
        self.kind, self.school, self.actor = kind, school, actor
        self.window = window
        self.day = timezone.localdate(window[0]) if window else None
        self.carried = dict(carried or {})
        self.fields["staff_involved"].queryset = recording_staff(school, first=actor)
        self.fields["staff_involved"].label_from_instance = lambda user: user.name
        if not self.is_bound and "staff_involved" not in self.initial:
            self.initial["staff_involved"] = [actor.pk]
        self.fields["holds"].queryset = vocabulary(school, VocabularyKind.HOLD)
        self.fields["holds"].required = kind == RESTRAINT
        for name, field in self.fields.items():
            label = LABELS[name]
            field.label = label if isinstance(label, str) else label[kind != RESTRAINT]
            if name not in CHOSEN_INTO:
                field.error_messages["required"] = message(kind, SERVICE_NAMES.get(name, name))
        mark_required(self.fields["support_given"])
        for name in self.carried:
            self.fields[name].required = False
            if kind == RESTRAINT:
                self.fields[name].help_text = CARRIED_HINTS[name]

    def for_incident(self, incident_data: dict) -> None:
        """Take the window and the carried values from the incident form's cleaned data."""
        occurred_at = incident_data.get("occurred_at")
        if occurred_at is not None:
            self.window = incident_window(occurred_at)
            self.day = timezone.localdate(occurred_at)
        where = incident_data.get("location")
        strategies = incident_data.get("strategies") or []
        self.carried.update(
            location=where.label if where else "",
            what_happened_before=incident_data.get("antecedent", ""),
            deescalation_tried="; ".join(s.label for s in strategies),
        )

    def _moment(self, time):
        """The time typed, on the day nearest the window (a seclusion past midnight)."""
        start, end = self.window
        candidates = [
            timezone.make_aware(datetime.datetime.combine(self.day + datetime.timedelta(d), time))
            for d in (0, -1, 1)
        ]
        return min(
            candidates,
            key=lambda m: max(start - m, m - end, datetime.timedelta(0)),
        )

    def clean(self):
        data = super().clean()
        for chosen, text in CHOSEN_INTO.items():
            picked = data.get(chosen) or []
            picked = [picked] if isinstance(picked, str) else picked
            typed = (data.get(text) or "").strip()
            data[text] = "\n".join(p for p in ["; ".join(picked), typed] if p)
        for name, value in self.carried.items():
            if not (data.get(name) or "").strip():
                data[name] = value
        if not data.get("pupil_injured"):
            data["body_map"] = []
        if self.window is not None:
            for name, moment in (("started_at", "started_time"), ("ended_at", "ended_time")):
                if data.get(moment) is not None:
                    data[name] = self._moment(data[moment])
        problems = restrictive_intervention_problems(
            kind=self.kind,
            school=self.school,
            window_start=self.window[0] if self.window else None,
            window_end=self.window[1] if self.window else None,
            recorder=self.actor,
            **self.record_values(data),
        )
        if self.window is None:  # the incident's time is wrong: the times wait for it
            problems.pop("started_at", None), problems.pop("ended_at", None)
        for field, text in problems.items():
            name = FORM_NAMES.get(field, field)
            if name in self.fields and name not in self.errors:
                self.add_error(name, text)
        return data

    def record_values(self, data=None) -> dict:
        """``record_restrictive_intervention``'s keyword arguments for what was typed."""
        data = self.cleaned_data if data is None else data
        return {
            "started_at": data.get("started_at"),
            "ended_at": data.get("ended_at"),
            "location": data.get("location", ""),
            "staff_involved": list(data.get("staff_involved") or []),
            "holds": list(data.get("holds") or []),
            "other_hold": data.get("other_hold", ""),
            "what_happened_before": data.get("what_happened_before", ""),
            "deescalation_tried": data.get("deescalation_tried", ""),
            "necessity": list(data.get("necessity") or []),
            "necessity_detail": data.get("necessity_detail", ""),
            "pupil_injured": data.get("pupil_injured"),
            "staff_injured": data.get("staff_injured"),
            "injuries": data.get("injuries", ""),
            "body_map": list(data.get("body_map") or []),
            "medical_attention": data.get("medical_attention", ""),
            "support_offered": data.get("support_offered", ""),
        }

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            name = FORM_NAMES.get(field, field)
            for text in messages:
                self.add_error(name if name in self.fields else None, text)


class ParentReportForm(PlausibleDates, forms.ModelForm):
    """The statutory report to parents — or why it was not made (then the local authority)."""

    date_rules = {"reported_at": EVENT_DATE, "local_authority_reported_at": EVENT_DATE}

    MADE, NOT_MADE = "made", "not_made"
    METHODS = [
        ("", "Choose…"),
        ("In person", "In person"),
        ("Phone call", "Phone call"),
        ("Video call", "Video call"),
        ("Letter", "Letter"),
        ("Email", "Email"),
    ]

    outcome = forms.ChoiceField(
        label="Were parents / carers told?",
        choices=[
            (MADE, "Yes — parents / carers were told"),
            (NOT_MADE, "No — telling them would likely cause the pupil significant harm"),
        ],
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label="How", choices=METHODS, required=False)

    class Meta:
        model = ParentReport
        fields = [
            "reported_at",
            "method",
            "reported_by",
            "what_was_said",
            "not_reported_reason",
            "local_authority_reported_at",
            "local_authority_contact",
        ]
        widgets = {
            "reported_at": DateTimeInput(),
            "local_authority_reported_at": DateTimeInput(),
            "what_was_said": forms.Textarea(attrs=TEXT),
            "not_reported_reason": forms.Textarea(attrs=TEXT),
        }
        labels = {
            "reported_at": "When were they told",
            "reported_by": "Told by",
            "not_reported_reason": "Why a report would likely cause significant harm",
            "local_authority_reported_at": "When the local authority was told",
            "local_authority_contact": "Local authority contact (name, team)",
        }
        help_texts = {"not_reported_reason": ""}

    REPORT_FIELDS = ["reported_at", "method", "reported_by", "what_was_said"]
    EXCEPTION_FIELDS = [
        "not_reported_reason",
        "local_authority_reported_at",
        "local_authority_contact",
    ]
    TEXT_FIELDS = {"method", "what_was_said", "not_reported_reason", "local_authority_contact"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_by"].queryset = recording_staff(school)
        for name in self.REPORT_FIELDS + self.EXCEPTION_FIELDS:  # needed by the answer above
            mark_required(self.fields[name])

    def clean_reported_at(self):
        return not_in_future(self.cleaned_data.get("reported_at"))

    def clean_local_authority_reported_at(self):
        return not_in_future(self.cleaned_data.get("local_authority_reported_at"))

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == self.MADE:
            required, cleared = self.REPORT_FIELDS, self.EXCEPTION_FIELDS
            text = "Needed when parents were told."
        elif outcome == self.NOT_MADE:
            required, cleared = self.EXCEPTION_FIELDS, self.REPORT_FIELDS
            text = "Needed when no report was made: the local authority must be told instead."
        else:
            return data
        for name in required:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, text)
        for name in cleared:
            data[name] = "" if name in self.TEXT_FIELDS else None
        return data

    def report_values(self) -> dict:
        """``record_parent_report``'s keyword arguments."""
        return {n: self.cleaned_data[n] for n in self.REPORT_FIELDS + self.EXCEPTION_FIELDS}


class DebriefForm(PlausibleDates, forms.ModelForm):
    """Debriefs and support offered; parts already recorded are not offered again."""

    date_rules = {"pupil_debrief_at": EVENT_DATE, "staff_debrief_at": EVENT_DATE}

    class Meta:
        model = RestrictiveIntervention
        fields = [
            "pupil_debrief_at",
            "pupil_debrief_notes",
            "staff_debrief_at",
            "staff_debrief_notes",
            "support_offered",
        ]
        widgets = {
            "pupil_debrief_at": DateTimeInput(),
            "staff_debrief_at": DateTimeInput(),
            "pupil_debrief_notes": forms.Textarea(attrs=TEXT),
            "staff_debrief_notes": forms.Textarea(attrs=TEXT),
            "support_offered": forms.Textarea(attrs=TEXT),
        }
        labels = {
            "pupil_debrief_at": "When the pupil was debriefed",
            "pupil_debrief_notes": "What the pupil said (their view)",
            "staff_debrief_at": "When the staff were debriefed",
            "staff_debrief_notes": "Staff debrief notes",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in recorded_debrief_parts(self.instance):
            del self.fields[name]

    @property
    def is_complete(self) -> bool:
        return not self.fields

    def clean_pupil_debrief_at(self):
        return not_in_future(self.cleaned_data.get("pupil_debrief_at"))

    def clean_staff_debrief_at(self):
        return not_in_future(self.cleaned_data.get("staff_debrief_at"))

    def clean(self):
        data = super().clean()
        for when, notes in (
            DEBRIEF_PARTS["pupil_debrief_at"],
            DEBRIEF_PARTS["staff_debrief_at"],
        ):
            if when not in self.fields or when in self.errors:
                continue  # a time refused already says what is wrong with it: one message
            if data.get(notes) and not data.get(when):
                self.add_error(when, "Say when the debrief took place.")
            if data.get(when) and not data.get(notes):
                self.add_error(notes, "Note what was said in the debrief.")
        if not self.errors and not any(v not in (None, "") for v in data.values()):
            raise forms.ValidationError("Record a debrief or the support offered.")
        return data

    def _post_clean(self):
        pass  # nothing is written through the form: ``record_debrief`` saves the parts

    def debrief_values(self) -> dict:
        """``record_debrief``'s keyword arguments (the parts offered)."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


class StaffStatementForm(forms.Form):
    text = forms.CharField(
        label="Your account, in your own words",
        help_text="What you saw and did, the hold you used and for how long, and why. "
        "Only you can write or change this.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )
