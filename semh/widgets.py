"""The browser's own date and time pickers, used by every form (they work with a keyboard, a
screen reader and a phone's native picker), a select for long lists, and the one way to make a
model formset."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe


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


def _attrs(attrs) -> str:
    """HTML attributes in their own order, as Django's ``attrs.html`` writes them."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class LongSelect(forms.Select):
    """A select of a long list without groups (a school's staff, every audit action, the
    school's categories): the same HTML as Django's ``Select``, written in one pass over the
    choices. Django builds and renders each option through its own template, which took
    13 ms for the audit trail's filters alone."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for v, label in self.choices
        )
        options = mark_safe(options)  # noqa: S308 - each value and label escaped above
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, _attrs(attrs), options)


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
