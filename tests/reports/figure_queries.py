"""How many queries figure functions take, for the tests that hold the count flat as data grows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from pupils.models import Pupil
from reports.figures import Scope


def figure_queries(school, figures, first, last) -> int:
    """The queries of each of ``figures`` over ``first``–``last``, for the whole school and for a
    cohort (every pupil)."""
    with scope(school=school), CaptureQueriesContext(connection) as queries:
        for figure in figures:
            figure(Scope(school, first, last))
            figure(Scope(school, first, last, pupils=Pupil.objects.all()))
    return len(queries)
