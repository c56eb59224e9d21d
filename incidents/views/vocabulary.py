"""The SENCo keeps the school's lists; entries are retired, never deleted."""

from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_POST

from incidents import selectors
from incidents.forms.vocabulary import VocabularyAddForm, VocabularyEntryForm
from incidents.models import VocabularyKind
from incidents.services.vocabulary import (
    add_vocabulary_entry,
    set_vocabulary_entry_active,
    update_vocabulary_entry,
)
from incidents.views import redirect_to
from semh.access import Capability
from semh.audit import Client
from semh.decorators import school_view
from semh.submissions import submit


def _page(request, *, add_form=None, entry_form=None):
    school = request.school
    lists = selectors.school_vocabulary(school)
    kinds = []
    for kind, entries in lists.items():
        form = add_form if add_form is not None and add_form.data.get("kind") == kind else None
        form = form or VocabularyAddForm(initial={"kind": kind}, school=school)
        form.auto_id = f"id_{kind}_%s"  # one add form per list on the page: distinct ids
        kinds.append({"kind": VocabularyKind(kind), "entries": entries, "add_form": form})
    failed = str(entry_form.entry.pk) if entry_form is not None else None
    context = {"kinds": kinds, "entry_form": entry_form, "failed_entry": failed}
    return render(request, "incidents/vocabulary/lists.html", context)


def _entry(request):
    """The entry the form names (404 for another school's); ``None`` when it names none."""
    entry_id = request.POST.get("entry")
    if not entry_id:
        messages.error(request, "That term could not be found.")
        return None
    return selectors.access_vocabulary_entry(request.school_access, request.school, entry_id)


@school_view(Capability.EDIT_PUPILS)
def vocabulary(request):
    form = VocabularyAddForm(request.POST or None, school=request.school)
    entry = None
    if request.method == "POST" and form.is_valid():
        entry = submit(
            form,
            add_vocabulary_entry,
            actor=request.user,
            school=request.school,
            kind=form.cleaned_data["kind"],
            label=form.cleaned_data["label"],
            client=Client.of(request),
        )
    if entry is not None:
        messages.success(request, f"Added “{entry.label}”.")
        return redirect_to(request, "vocabulary", entry.kind)
    if "kind" in form.errors:  # the hidden list name was lost or altered: no form to show it on
        messages.error(request, "That list could not be found, so nothing was added.")
        return redirect_to(request, "vocabulary")
    return _page(request, add_form=form if request.method == "POST" else None)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def vocabulary_update(request):
    entry = _entry(request)
    if entry is None:
        return redirect_to(request, "vocabulary")
    form = VocabularyEntryForm(request.POST, entry=entry)
    saved = form.is_valid() and submit(
        form,
        update_vocabulary_entry,
        actor=request.user,
        school=request.school,
        entry=entry,
        label=form.cleaned_data["label"],
        position=form.cleaned_data["position"],
        client=Client.of(request),
    )
    if not saved:
        return _page(request, entry_form=form)
    messages.success(request, f"Saved “{entry.label}”.")
    return redirect_to(request, "vocabulary", entry.kind)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def vocabulary_status(request):
    entry = _entry(request)
    if entry is None:
        return redirect_to(request, "vocabulary")
    active = bool(request.POST.get("active"))
    set_vocabulary_entry_active(
        actor=request.user,
        school=request.school,
        entry=entry,
        active=active,
        client=Client.of(request),
    )
    state = "restored" if entry.is_active else "retired: old incidents keep it"
    messages.success(request, f"“{entry.label}” {state}.")
    return redirect_to(request, "vocabulary", entry.kind)
