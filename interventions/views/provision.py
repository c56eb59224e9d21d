"""Provision: the school's programmes and groups, enrolments, and what they cost."""

from django.shortcuts import render

from semh.access import INTERVENTION_READERS
from semh.decorators import school_view


@school_view(*INTERVENTION_READERS)
def index(request):
    """Interventions: the groups running now, with links to programmes and effectiveness."""
    return render(request, "interventions/provision/index.html", {})
