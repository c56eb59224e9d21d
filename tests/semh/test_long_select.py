"""The long select (the filters' lists of staff, actions, categories) sends the browser what
Django's select does."""

import re

from django import forms

from semh.models import User
from semh.widgets import LongSelect

CHOICES = [("", "Any pupil"), ("1", "O'Brien, Seán (Year 7)"), ("2", "Smith & Jones <b>")]


def options(html):
    """The select's markup without the whitespace between tags, which browsers ignore."""
    return re.sub(r">\s+<", "><", html.strip())


def test_a_long_select_renders_the_same_markup_as_django_select():
    attrs = {"id": "id_pupil", "aria-describedby": "pupil-help", "required": True}
    for value in ("", "2", None):
        plain = forms.Select(choices=CHOICES).render("pupil", value, attrs)
        long = LongSelect(choices=CHOICES).render("pupil", value, attrs)
        assert options(long) == options(plain)


def test_the_chosen_pupil_is_selected_and_names_are_escaped():
    html = LongSelect(choices=CHOICES).render("pupil", "2", {"id": "id_pupil"})
    assert '<option value="2" selected>Smith &amp; Jones &lt;b&gt;</option>' in html
    assert "O&#x27;Brien" in html


def test_a_long_select_of_records_renders_as_django_select_does(cast):
    people = User.objects.order_by("email")
    chosen = str(people[1].pk)
    plain = forms.ModelChoiceField(queryset=people).widget
    long = LongSelect(choices=forms.ModelChoiceField(queryset=people).choices)

    for value in ("", chosen):
        assert options(long.render("actor", value)) == options(plain.render("actor", value))
    assert f'<option value="{chosen}" selected>' in long.render("actor", chosen)
