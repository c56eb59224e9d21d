"""The browser's own date and time pickers, used by every form (they work with a keyboard, a
screen reader and a phone's native picker), and the one way to make a model formset."""

from django import forms
from django.forms.renderers import DjangoTemplates


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class RequiredAwareBoundField(forms.BoundField):
    """HTML leaves ``required`` off a select whose first choice is a real value, so a screen
    reader would not hear that it must be chosen: such a select gets ``aria-required``."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if (
            isinstance(widget, forms.Select)
            and self.field.required
            and not self.field.disabled
            and not attrs.get("required")
            and self.form.use_required_attribute
        ):
            attrs["aria-required"] = "true"
        return attrs


class FormRenderer(DjangoTemplates):
    """The project's form renderer (settings.FORM_RENDERER): every form's fields bind as above."""

    bound_field_class = RequiredAwareBoundField


def capped_model_formset(model, *, most: int, **options):
    """A model formset that refuses more than ``most`` rows: a tampered ``TOTAL_FORMS`` is a
    message on the form, never thousands of forms built and shown again."""
    return forms.modelformset_factory(
        model, max_num=most, absolute_max=most, validate_max=True, **options
    )


def mark_required(field):
    """Show a field as required ("(required)", ``aria-required``) when a rule of the form requires
    it rather than the field itself (e.g. "who, when and how" once parents are or are not told)."""
    field.shows_required = True
    field.widget.attrs["aria-required"] = "true"
    return field
