"""The incident log's pages, one module per feature (log, amend, review, restrictive, concerns,
vocabulary, lists)."""

from django.shortcuts import redirect
from django.urls import reverse


def redirect_to(request, name, anchor="", **kwargs):
    """Redirect to an incidents page of this school (at ``#anchor`` if given)."""
    url = reverse(f"incidents:{name}", kwargs={"school_slug": request.school.slug, **kwargs})
    return redirect(f"{url}#{anchor}" if anchor else url)
