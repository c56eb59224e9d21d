"""Forms of support plans: the plan, its targets, risk rows, positive handling, reviews, cycles."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from pupils.models import (
    PlanKind,
    PlanStatus,
    PositiveHandlingDetails,
    Rating,
    RiskItem,
    SupportPlan,
    Target,
)
from semh.calendar import EVENT_DATE, PLAN_DATE, PlausibleDates
from semh.models import User
from semh.submissions import SubmittedOnce
from semh.widgets import DateInput, capped_model_formset

TEXTAREA_SMALL = {"rows": 3}
NEXT_CYCLE_WEEKS = 12


class PlanForm(SubmittedOnce, PlausibleDates, forms.ModelForm):
    date_rules = {
        "starts_on": PLAN_DATE,
        "next_review_on": PLAN_DATE,
        "agreed_with_parents_on": PLAN_DATE,
    }

    class Meta:
        model = SupportPlan
        fields = [
            "kind",
            "status",
            "starts_on",
            "next_review_on",
            "owner",
            "agreed_with_parents_on",
            "pupil_voice",
        ]
        widgets = {
            "starts_on": DateInput(),
            "next_review_on": DateInput(),
            "agreed_with_parents_on": DateInput(),
            "pupil_voice": forms.Textarea(attrs=TEXTAREA_SMALL),
        }
        labels = {
            "kind": "Type of plan",
            "starts_on": "Start date",
            "next_review_on": "Next review date",
            "owner": "Plan lead (member of staff)",
        }
        help_texts = {"pupil_voice": "In the pupil's own words."}

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        plan = self.instance
        owners = Q(pk__in=staff.values("pk"))
        if plan.owner_id:
            owners |= Q(pk=plan.owner_id)  # keep a current owner who has since left the school
        self.fields["owner"].queryset = User.objects.filter(owners).order_by(
            "first_name", "last_name"
        )
        if plan._state.adding:
            # A plan starts as a draft or active; it is closed by editing or by a next cycle.
            self.fields["status"].choices = [
                c for c in PlanStatus.choices if c[0] != PlanStatus.CLOSED
            ]
        elif plan.cycle > 1 or plan.status != PlanStatus.DRAFT:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "The kind is fixed once a plan is active."

    def clean(self):
        data = super().clean()
        starts, review = data.get("starts_on"), data.get("next_review_on")
        if starts and review and review < starts:
            self.add_error("next_review_on", "The review date cannot be before the start date.")
        if data.get("status") == PlanStatus.ACTIVE and not review:
            self.add_error("next_review_on", "An active plan needs a next review date.")
        return data


class RiskItemForm(forms.ModelForm):
    class Meta:
        model = RiskItem
        fields = ["risk", "likelihood", "severity", "control_measures"]
        widgets = {
            "risk": forms.Textarea(attrs={"rows": 2}),
            "control_measures": forms.Textarea(attrs=TEXTAREA_SMALL),
        }


RiskItemFormSet = capped_model_formset(
    RiskItem, form=RiskItemForm, extra=2, can_delete=False, most=40
)


def risk_formset(data, plan):
    saved = not plan._state.adding
    queryset = RiskItem.objects.filter(plan=plan) if saved else RiskItem.objects.none()
    return RiskItemFormSet(data, queryset=queryset, prefix="risks")


def risk_rows(formset) -> list[dict]:
    """The rows of a valid risk formset that were filled in or changed, as plain values (with
    the ``id`` of a row the plan has already)."""
    return [
        {
            "id": form.instance.pk,
            **{name: form.cleaned_data[name] for name in RiskItemForm.Meta.fields},
        }
        for form in formset.forms
        if form.has_changed()
    ]


class PositiveHandlingForm(forms.ModelForm):
    class Meta:
        model = PositiveHandlingDetails
        fields = ["known_triggers", "preferred_deescalation", "agreed_holds", "people_consulted"]
        widgets = {name: forms.Textarea(attrs=TEXTAREA_SMALL) for name in fields}


class PlanForms:
    """The plan form with the parts of it its kind has: the risk rows (risk assessments) and the
    positive handling details (positive handling plans; ``handling``: the plan's, if any). The
    page shows all three; only the plan's kind's parts are validated and saved."""

    def __init__(self, data, plan, *, staff, handling=None):
        self.plan = PlanForm(data, instance=plan, staff=staff)
        self.risks = risk_formset(data, plan)
        self.handling = PositiveHandlingForm(data, instance=handling, prefix="ph")
        kind = self.plan["kind"].value()
        self.has_risks = kind == PlanKind.RISK
        self.has_handling = kind == PlanKind.POSITIVE_HANDLING

    def is_valid(self) -> bool:
        parts = [self.plan]
        parts += [self.risks] if self.has_risks else []
        parts += [self.handling] if self.has_handling else []
        return all(part.is_valid() for part in parts)

    def values(self) -> dict:
        """What the plan services take, from valid forms."""
        return {
            "risks": risk_rows(self.risks) if self.has_risks else None,
            "positive_handling": self.handling.cleaned_data if self.has_handling else None,
            **self.plan.cleaned_data,
        }


class TargetForm(SubmittedOnce, forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "area_of_need",
            "description",
            "success_criteria",
            "baseline",
            "provision",
            "position",
        ]
        widgets = {
            "description": forms.Textarea(attrs=TEXTAREA_SMALL),
            "success_criteria": forms.Textarea(attrs=TEXTAREA_SMALL),
            "baseline": forms.Textarea(attrs=TEXTAREA_SMALL),
            "provision": forms.Textarea(attrs=TEXTAREA_SMALL),
        }
        labels = {"description": "Target", "position": "Order on the plan"}
        help_texts = {
            "success_criteria": "How we will know it is achieved.",
            "baseline": "Where the pupil is now.",
            "position": "Lower numbers come first. Leave blank to add at the end.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False


class PlanReviewForm(SubmittedOnce, PlausibleDates, forms.Form):
    """The review meeting plus, for every target of the plan, a rating and its evidence."""

    date_rules = {"held_on": EVENT_DATE}
    held_on = forms.DateField(label="Review held on", widget=DateInput())
    attendees = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA_SMALL), help_text="Who attended, one per line."
    )
    next_steps = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA_SMALL), required=False)

    def __init__(self, *args, targets, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        for target in self.targets:
            self.fields[f"rating_{target.pk}"] = forms.TypedChoiceField(
                label="Rating",
                choices=Rating.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a rating for this target."},
            )
            self.fields[f"evidence_{target.pk}"] = forms.CharField(
                label="Evidence",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("A review cannot be recorded before it is held.")
        return held_on

    @property
    def meeting_fields(self):
        return [self["held_on"], self["attendees"], self["next_steps"]]

    @property
    def target_rows(self):
        """(target, rating field, evidence field) for each target, for the template."""
        return [(t, self[f"rating_{t.pk}"], self[f"evidence_{t.pk}"]) for t in self.targets]

    def ratings(self) -> list[tuple[Target, int, str]]:
        data = self.cleaned_data
        return [(t, data[f"rating_{t.pk}"], data[f"evidence_{t.pk}"]) for t in self.targets]


class NextCycleForm(PlausibleDates, forms.Form):
    date_rules = {"next_review_on": PLAN_DATE}
    next_review_on = forms.DateField(label="Next review date of the new cycle", widget=DateInput())

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"next_review_on": today + datetime.timedelta(weeks=NEXT_CYCLE_WEEKS)}
        )
        super().__init__(*args, **kwargs)

    def clean_next_review_on(self):
        day = self.cleaned_data["next_review_on"]
        if day <= timezone.localdate():
            raise forms.ValidationError("The next review must be after today.")
        return day
