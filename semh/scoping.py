"""Scoping layer 2 (DESIGN.md §2): tenant managers refuse to query outside a school scope."""

from django.db import models
from django_scopes import ScopedManager


def scoped(queryset_class=models.QuerySet, school="pupil__school"):
    """A manager that raises unless the query runs inside a school scope (or scopes_disabled)."""
    return ScopedManager(school=school, _manager_class=models.Manager.from_queryset(queryset_class))
