"""Forms of measures: recording a result (by item scores or subscale scores) and a school's own
scale. Item rows carry numbers only, never questionnaire wording."""

import re

from django import forms

from semh.calendar import EVENT_DATE, PlausibleDates
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput

from .. import scoring
from ..models import Informant, Instrument, ResultPoint

BY_ITEMS, BY_SUBSCALES = "items", "subscales"
NOT_ANSWERED = ""
DIFFICULTIES = [("no", "No"), ("yes", "Yes")]


class ChooseMeasureForm(forms.Form):
    definition = forms.ModelChoiceField(queryset=None, label="Measure", empty_label="Choose…")

    def __init__(self, *args, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = definitions


class ResultForm(SubmittedOnce, PlausibleDates, forms.Form):
    """A result of ``definition`` entered ``by`` items or subscales. Item fields are
    ``item_<n>`` (0 … item_max, or not answered); subscale fields ``score_<key>``."""

    date_rules = {"taken_on": EVENT_DATE}

    point = forms.ChoiceField(choices=ResultPoint.choices, widget=forms.RadioSelect)
    taken_on = forms.DateField(label="Completed on", widget=DateInput())
    completed_by = forms.CharField(max_length=120, help_text="e.g. Class teacher, Mum, the pupil.")

    def __init__(self, *args, definition, by, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition, self.by = definition, by
        if definition.versions:
            self.fields["version"] = forms.ChoiceField(
                choices=[("", "Choose…"), *((v, v) for v in definition.versions)],
                help_text="Change is shown only between results of the same version.",
            )
        if by == BY_ITEMS:
            choices = [
                (NOT_ANSWERED, "–"),
                *((str(n), str(n)) for n in range(definition.item_max + 1)),
            ]
            for n in range(1, definition.item_count + 1):
                self.fields[f"item_{n}"] = forms.ChoiceField(
                    label=f"Item {n}", choices=choices, required=False, widget=forms.RadioSelect
                )
        else:
            clusters = {s.cluster_key for s in self.entered_subscales}
            for subscale in self.entered_subscales:
                name = "Cluster score" if subscale.key in clusters else subscale.name
                self.fields[f"score_{subscale.key}"] = forms.IntegerField(
                    label=f"{name} ({subscale.minimum}–{subscale.maximum})",
                    min_value=subscale.minimum,
                    max_value=subscale.maximum,
                    required=False,
                )
        most = scoring.impact_max(definition.informant)
        if definition.instrument == Instrument.SDQ and most and by == BY_ITEMS:
            self._add_impact_items(scoring.IMPACT_ITEMS[definition.informant])
        elif definition.instrument == Instrument.SDQ and most:
            self.fields["impact"] = forms.IntegerField(
                label=f"Impact supplement score (0–{most})",
                min_value=0,
                max_value=most,
                required=False,
                help_text="Leave empty if the impact questions were not answered; "
                "0 when the answer to “any difficulties?” was no.",
            )
        self.fields["enrolment"] = forms.ModelChoiceField(
            queryset=enrolments,
            required=False,
            empty_label="Not linked to an intervention",
            label="Intervention",
        )
        open_now = [e for e in enrolments if e.ends_on is None]
        if len(open_now) == 1:  # the usual case: the one group the pupil is in
            self.fields["enrolment"].initial = open_now[0].pk
        self.fields["enrolment"].label_from_instance = lambda e: (
            f"{e.group.programme.name}: {e.group.name} (from {e.starts_on:%d/%m/%Y})"
        )

    def _add_impact_items(self, count):
        """The impact supplement by item: "any difficulties?" and, when yes, each impact item
        as the box ticked (scored 0/0/1/2 by ``scoring``). Short neutral labels only."""
        self.fields["impact_difficulties"] = forms.ChoiceField(
            label="Any difficulties?",
            choices=[(NOT_ANSWERED, "Not completed"), *DIFFICULTIES],
            required=False,
            widget=forms.RadioSelect,
            help_text="When no, the impact score is 0 and the impact items are left blank.",
        )
        choices = [
            (NOT_ANSWERED, "–"),
            *((str(n), label) for n, label in enumerate(scoring.IMPACT_ANSWERS)),
        ]
        for n in range(1, count + 1):
            self.fields[f"impact_{n}"] = forms.ChoiceField(
                label=f"Impact item {n}", choices=choices, required=False, widget=forms.RadioSelect
            )

    def impact_item_fields(self):
        return [self[name] for name in self.fields if re.fullmatch(r"impact_\d+", name)]

    def _impact_answers(self, data):
        return [
            None if data.get(name) in (None, NOT_ANSWERED) else int(data[name])
            for name in self.fields
            if re.fullmatch(r"impact_\d+", name)
        ]

    def clean(self):
        data = super().clean()
        said = data.get("impact_difficulties")
        if said:
            try:
                scoring.impact_from_answers(
                    self.definition.informant,
                    difficulties=said == "yes",
                    answers=self._impact_answers(data),
                )
            except forms.ValidationError as error:
                self.add_error("impact_difficulties", error.message_dict["impact"])
        elif any(a is not None for a in self._impact_answers(data)):
            self.add_error("impact_difficulties", "Say whether there are any difficulties.")
        return data

    @property
    def entered_subscales(self):
        return [s for s in self.definition.subscales.all() if not s.is_total]

    def score_groups(self):
        """The score fields under headings: (heading or "", fields). A cluster with strands
        (Boxall) heads its own group, its score first, then its strands'."""
        subscales = self.entered_subscales
        strands = {}
        for s in subscales:
            if s.cluster_key:
                strands.setdefault(s.cluster_key, []).append(s)
        groups, loose = [], []
        for s in subscales:
            if s.cluster_key:
                continue
            if s.key in strands:
                fields = [self[f"score_{x.key}"] for x in [s, *strands[s.key]]]
                groups.append((s.name, fields))
            else:
                loose.append(self[f"score_{s.key}"])
        return [("", loose)] * bool(loose) + groups

    def item_fields(self):
        return [self[f"item_{n}"] for n in range(1, self.definition.item_count + 1)]

    def service_values(self) -> dict:
        """The cleaned values as ``record_result`` takes them."""
        data = self.cleaned_data
        values = {
            "point": data["point"],
            "taken_on": data["taken_on"],
            "completed_by": data["completed_by"],
            "version": data.get("version", ""),
            "impact": data.get("impact"),
            "enrolment": data.get("enrolment"),
        }
        if "impact_difficulties" in self.fields:
            said = data.get("impact_difficulties")
            values["impact_difficulties"] = (said == "yes") if said else None
            values["impact_answers"] = [a for a in self._impact_answers(data) if a is not None]
        if self.by == BY_ITEMS:
            values["item_scores"] = {
                n: int(data[f"item_{n}"])
                for n in range(1, self.definition.item_count + 1)
                if data.get(f"item_{n}") not in (None, NOT_ANSWERED)
            }
        else:
            values["subscale_scores"] = {
                s.key: data.get(f"score_{s.key}") for s in self.entered_subscales
            }
        return values


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=200, label="Why is it withdrawn?")


# --- A school's own scale -------------------------------------------------------------------

BAND_LINE = re.compile(r"^\s*(?P<name>.+?)\s*[:=]?\s+(?P<low>-?\d+)\s*[-–]\s*(?P<high>-?\d+)\s*$")
MOST_SCORES = 6


def parse_bands(text: str) -> list[tuple[str, int, int]]:
    """Bands written one a line, best first: ``Close to average 0–3``."""
    bands = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = BAND_LINE.match(line)
        if not match:
            raise forms.ValidationError(
                "Write each band as a name and a range, e.g. “Low 0–3” "
                f"(not “{line.strip()[:40]}”)."
            )
        low, high = int(match["low"]), int(match["high"])
        if high < low:
            raise forms.ValidationError(f"Band “{match['name']}”: the range runs low to high.")
        bands.append((match["name"][:60], low, high))
    return bands


class ScaleForm(SubmittedOnce, forms.Form):
    name = forms.CharField(max_length=120)
    informant = forms.ChoiceField(choices=Informant.choices, initial=Informant.SELF)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Where the scores come from. Never the questions' wording.",
    )
    total = forms.BooleanField(required=False, label="Add a total of all the scores")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, MOST_SCORES + 1):
            self.fields[f"s{i}_name"] = forms.CharField(
                max_length=80, required=i == 1, label=f"Score {i}: name"
            )
            self.fields[f"s{i}_minimum"] = forms.IntegerField(
                required=False,
                label="Lowest",
                initial=1 if i == 1 else None,
                min_value=-1000,
                max_value=1000,
            )
            self.fields[f"s{i}_maximum"] = forms.IntegerField(
                required=False,
                label="Highest",
                initial=10 if i == 1 else None,
                min_value=-1000,
                max_value=1000,
            )
            self.fields[f"s{i}_higher_is_better"] = forms.BooleanField(
                required=False, label="Higher is better", initial=True
            )
            self.fields[f"s{i}_bands"] = forms.CharField(
                required=False,
                label="Bands (optional)",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="One a line, best first, e.g. “Close to average 0–3”.",
            )

    def rows(self):
        return [
            [
                self[f"s{i}_{part}"]
                for part in ("name", "minimum", "maximum", "higher_is_better", "bands")
            ]
            for i in range(1, MOST_SCORES + 1)
        ]

    def clean(self):
        data = super().clean()
        subscales = []
        for i in range(1, MOST_SCORES + 1):
            name = data.get(f"s{i}_name")
            if not name:
                continue
            low, high = data.get(f"s{i}_minimum"), data.get(f"s{i}_maximum")
            if low is None or high is None or high <= low:
                self.add_error(f"s{i}_maximum", "Give the lowest and highest score, highest above.")
                continue
            try:
                bands = parse_bands(data.get(f"s{i}_bands") or "")
            except forms.ValidationError as error:
                self.add_error(f"s{i}_bands", error)
                continue
            subscales.append(
                {
                    "name": name,
                    "minimum": low,
                    "maximum": high,
                    "higher_is_better": data.get(f"s{i}_higher_is_better", False),
                    "bands": bands,
                }
            )
        data["subscales"] = subscales
        return data

    def service_values(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "informant": data["informant"],
            "note": data["note"],
            "total": data["total"],
            "subscales": data["subscales"],
        }


class ScaleEditForm(forms.Form):
    name = forms.CharField(max_length=120)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(required=False, label="In use")


class BandsForm(forms.Form):
    """The bands of each subscale of a school's own measure, one textarea each."""

    def __init__(self, *args, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscales = list(definition.subscales.all())
        for s in self.subscales:
            self.fields[f"bands_{s.key}"] = forms.CharField(
                required=False,
                label=f"{s.name} ({s.minimum}–{s.maximum}, "
                f"{'higher' if s.higher_is_better else 'lower'} is better)",
                widget=forms.Textarea(attrs={"rows": 4}),
                initial="\n".join(f"{b.name} {b.low}–{b.high}" for b in s.bands.all()),
                help_text="One band a line, best first, e.g. “Close to average 0–3”.",
            )

    def clean(self):
        data = super().clean()
        self.bands = {}
        for s in self.subscales:
            try:
                self.bands[s.key] = parse_bands(data.get(f"bands_{s.key}") or "")
            except forms.ValidationError as error:
                self.add_error(f"bands_{s.key}", error)
        return data


class CopyForm(SubmittedOnce, forms.Form):
    """Make a school copy of a measure (the button on its page)."""
