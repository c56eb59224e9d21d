"""The effectiveness page: whether a school's interventions work and what they cost, per
programme, group (``?group=``) and pupil (``?pupil=``), over any date range.

It is a reporting page, so it lives here: it joins the interventions figures
(``interventions.effectiveness``) with incidents and Reset Area time before and after
(``reports.intervention_impact``), and interventions may not read those apps. Its URLs are
``reports:effectiveness`` and ``reports:effectiveness_programme``.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from interventions.effectiveness import groups_in_range, programme_summary
from interventions.selectors import effectiveness_scope
from semh import audit, params
from semh.access import Capability
from semh.audit import AuditAction
from semh.calendar import default_range
from semh.data_version import counted_once
from semh.db_router import reads_from_replica
from semh.decorators import school_view
from semh.forms import DateRangeForm

from .intervention_impact import enrolment_impact, programme_impact


@school_view(Capability.DASHBOARDS)
@require_safe
@reads_from_replica()
def effectiveness(request, programme_id=None):
    scope = effectiveness_scope(
        request.school_access,
        request.school,
        programme_id=programme_id,
        group_id=params.object_id(request.GET.get("group")),
        pupil_id=params.object_id(request.GET.get("pupil")),
        measure_id=params.object_id(request.GET.get("measure")),
    )
    form = DateRangeForm(request.GET or None, default_range=default_range(request.school))
    first, last = form.range()
    target = scope.pupil or scope.group or scope.programme
    detail = {"first": first.isoformat(), "last": last.isoformat()}
    if scope.pupil is not None:
        detail["pupil"] = str(scope.pupil.pk)
    audit.record_page_view(request, AuditAction.EFFECTIVENESS_VIEW, target=target, **detail)
    figures = counted_once(
        request.school,
        f"effectiveness:{scope.key}:{first}..{last}",
        lambda: _figures(request.school, scope, first, last),
    )
    rows, impact = figures["rows"], figures["impact"]
    return render(
        request,
        "reports/effectiveness/page.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "scope": scope,
            "rows": rows,
            "detail": rows[0] if scope.programme is not None and rows else None,
            "groups": figures["groups"],
            "impact_rows": impact if scope.programme or scope.pupil else [],
            "impact": programme_impact(impact),
        },
    )


def _figures(school, scope, first, last) -> dict:
    """The page's figures for ``scope``: the same for everyone who may open what it names (the
    view has checked that), so they are kept until the school's data changes."""
    groups = []
    if scope.programme is not None:
        groups = list(groups_in_range(school, first, last, programme=scope.programme))
    rows = programme_summary(school, first, last, definition=scope.definition, **scope.filters)
    return {
        "rows": rows,
        "impact": enrolment_impact(school, first=first, last=last, **scope.filters),
        "groups": groups,
    }
