"""Forms of the Reset Area's set-up: a room, who is on duty, and the school day."""

from operator import attrgetter

from django import forms

from semh.models import Period, Weekday
from semh.selectors import staff_with_roles
from semh.widgets import TimeInput, capped_model_formset

from ..models import Room
from ..services.rooms import NAME_TAKEN


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "is_active"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Room.objects.filter(school=self.school, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(NAME_TAKEN)
        return name


class DutyForm(forms.Form):
    staff = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Staff on duty today",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_with_roles(school)
        self.fields["staff"].label_from_instance = attrgetter("name")


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["name", "starts_at", "ends_at", "is_learning"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}
        labels = {"is_learning": "Learning time"}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "It must end after it starts.")
        return data


class BasePeriodFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        spans = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self._should_delete_form(form):
                continue
            starts, ends = form.cleaned_data.get("starts_at"), form.cleaned_data.get("ends_at")
            if starts and ends:
                spans.append((starts, ends, form.cleaned_data.get("name")))
        spans.sort()
        for (s1, e1, n1), (s2, _e2, n2) in zip(spans, spans[1:], strict=False):
            if s2 == s1:
                raise forms.ValidationError(f"{n1} and {n2} start at the same time.")
            if s2 < e1:
                raise forms.ValidationError(f"{n1} overlaps {n2}: periods cannot overlap.")

    def changes(self):
        """The new or changed periods (unsaved) and those marked for deletion, for
        ``services.rooms.save_school_day``. Writes nothing."""
        changed = self.save(commit=False)
        return changed, [p for p in self.deleted_objects if p.pk]


PeriodFormSet = capped_model_formset(
    Period, form=PeriodForm, formset=BasePeriodFormSet, extra=2, can_delete=True, most=40
)


class CopyDayForm(forms.Form):
    from_weekday = forms.TypedChoiceField(
        choices=Weekday.choices, coerce=int, label="Copy this day to every weekday"
    )
