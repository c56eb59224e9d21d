"""Scoping layer 2 (DESIGN.md §2): tenant managers refuse to query outside a school scope."""

from django.db import models
from django_scopes import ScopedManager
from django_scopes.manager import DisabledQuerySet


class RefusedQuerySet(DisabledQuerySet):
    """django-scopes' refusing queryset, also refusing the reads it lets through (``exists()``,
    ``contains()``, ``in_bulk()``, ``explain()`` would otherwise run over every school).
    ``create()`` and ``bulk_create()`` stay allowed: writing a row names its school."""

    exists = contains = in_bulk = explain = DisabledQuerySet.error


def _refusing(queryset_class):
    # The custom methods (``Term.objects.containing(day)``) exist outside a scope too and raise
    # ScopeError like ``filter()`` does, instead of an AttributeError.
    return type(f"Refused{queryset_class.__name__}", (RefusedQuerySet, queryset_class), {})


def scoped(queryset_class=models.QuerySet, school="pupil__school"):
    """A manager that raises unless the query runs inside a school scope (or scopes_disabled)."""
    base = type(
        ScopedManager(school=school, _manager_class=models.Manager.from_queryset(queryset_class))
    )
    refused = _refusing(queryset_class)

    class Manager(base):
        def get_queryset(self):
            queryset = super().get_queryset()
            if isinstance(queryset, DisabledQuerySet):
                queryset.__class__ = refused
            return queryset

    return Manager()
