"""``manage.py figures``: every figure with its definition and query count, for the note and the
report's method page."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.figures.catalogue import FIGURES


def test_the_command_lists_every_figure_with_its_definition_and_queries(cast):
    out = StringIO()
    call_command("figures", cast.school_a.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(cast.school_a.name)
    rows = [line for line in lines if line.startswith("| ") and "`" in line]
    assert len(rows) == len(FIGURES)
    incidents = next(row for row in rows if "(`incidents`)" in row)
    assert "| 2 |" in incidents and "dated by when they happened" in incidents


def test_an_unknown_school_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No school 'nowhere'"):
        call_command("figures", "nowhere")
