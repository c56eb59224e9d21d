"""What the incident log's forms share: the school's vocabularies as choices, the DfE suspension
reasons in force, the outcome-and-parents rules of a logged or amended incident, and "not in the
future" for any time typed."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from incidents.models import Outcome, ParentsInformed, SuspensionReason, Vocabulary, is_in_future

YES_NO = [("yes", "Yes"), ("no", "No")]
TEXT = {"rows": 3}


def vocabulary(school, kind):
    """A kind's active entries, for a new record."""
    return Vocabulary.objects.filter(school=school).of(kind).active()


def vocabulary_choices(school, kind, keep=()):
    """A kind's active entries, plus any retired entry the record already uses (``keep``)."""
    keep_ids = [entry.pk for entry in keep if entry is not None]
    return Vocabulary.objects.filter(school=school, kind=kind).filter(
        Q(is_active=True) | Q(pk__in=keep_ids)
    )


def current_suspension_reasons(on=None, keep=None):
    """The DfE reasons valid today (plus ``keep``, the one a record already uses)."""
    day = on or timezone.localdate()
    valid = Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    if keep is not None:
        valid |= Q(pk=keep)
    return SuspensionReason.objects.filter(valid)


def not_in_future(value, what="That time"):
    if is_in_future(value):
        raise forms.ValidationError(f"{what} is in the future.")
    return value


def check_outcome_and_parents(form, data):
    """The rules a logged or amended incident shares: a suspension has its days and DfE reason
    (anything else has neither), "other" says what, and parents informed (or not) says how."""
    if data.get("outcome") == Outcome.SUSPENSION:
        if not data.get("suspension_days"):
            form.add_error("suspension_days", "Give the number of days of suspension.")
        if not data.get("suspension_reason"):
            form.add_error("suspension_reason", "Choose the DfE reason for the suspension.")
    else:
        data["suspension_days"], data["suspension_reason"] = None, None
    if data.get("outcome") == Outcome.OTHER and not data.get("outcome_notes"):
        form.add_error("outcome_notes", "Say what the outcome was.")
    informed = data.get("parents_informed")
    if informed and not data.get("parents_informed_detail"):
        form.add_error(
            "parents_informed_detail",
            "Say who was told, when and how."
            if informed == ParentsInformed.YES
            else "Say why parents or carers have not been told yet, and when they will be.",
        )
