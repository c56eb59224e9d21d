from django import forms
from django.core.validators import MaxLengthValidator

from pupils.models import PupilProfile

# Generous, but keeps a pasted document out of a one-page handout.
MAX_FIELD_LENGTH = 4000


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PupilProfileForm(forms.ModelForm):
    """The 'what helps me' profile, written in the pupil's voice; strategies come first."""

    class Meta:
        model = PupilProfile
        fields = [
            "strategies_that_help",
            "triggers",
            "early_warning_signs",
            "what_does_not_help",
            "communication_preferences",
            "strengths_and_interests",
            "pupil_voice",
            "parent_carer_view",
        ]
        labels = {
            "strategies_that_help": "Strategies that help me",
            "triggers": "What can make things harder for me (triggers)",
            "early_warning_signs": "How you can tell I'm struggling (early warning signs)",
            "what_does_not_help": "What does not help",
            "communication_preferences": "How to communicate with me",
            "strengths_and_interests": "My strengths and interests",
            "pupil_voice": "In my own words (pupil voice)",
            "parent_carer_view": "Parent / carer view",
        }
        help_texts = {
            "strategies_that_help": "One strategy per line, most helpful first.",
            "triggers": "One per line if there are several.",
            "early_warning_signs": "One per line if there are several.",
            "what_does_not_help": "One per line if there are several.",
            "pupil_voice": "In the pupil's own words.",
            "parent_carer_view": "Shown on the pupil page only, not on the printed handout.",
        }
        widgets = {
            "strategies_that_help": _text(8),
            "triggers": _text(4),
            "early_warning_signs": _text(4),
            "what_does_not_help": _text(4),
            "communication_preferences": _text(4),
            "strengths_and_interests": _text(4),
            "pupil_voice": _text(4),
            "parent_carer_view": _text(4),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(MaxLengthValidator(MAX_FIELD_LENGTH))
            field.widget.attrs["maxlength"] = MAX_FIELD_LENGTH
