"""Editing the school's lists: add an entry, rename or reorder one."""

from django import forms

from incidents.models import Vocabulary, VocabularyKind
from incidents.services.vocabulary import already_listed


class VocabularyAddForm(forms.Form):
    kind = forms.ChoiceField(choices=VocabularyKind.choices, widget=forms.HiddenInput)
    label = forms.CharField(label="New term", max_length=120)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("label"):
            clash = Vocabulary.objects.filter(
                school=self.school, kind=data["kind"], label__iexact=data["label"].strip()
            ).first()
            if clash:
                state = "" if clash.is_active else " (retired: restore it instead)"
                self.add_error("label", f"“{clash.label}” is already in this list{state}.")
        return data


class VocabularyEntryForm(forms.Form):
    """Rename or reorder one entry (the entry itself is named by the page's hidden field)."""

    label = forms.CharField(label="Term", max_length=120)
    position = forms.IntegerField(label="Order", min_value=0, max_value=999)

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry

    def clean(self):
        data = super().clean()
        label = (data.get("label") or "").strip()
        if label:
            clash = (
                Vocabulary.objects.filter(school=self.entry.school_id, kind=self.entry.kind)
                .filter(label__iexact=label)
                .exclude(pk=self.entry.pk)
            )
            if clash.exists():
                self.add_error("label", already_listed(label))
            data["label"] = label
        return data
