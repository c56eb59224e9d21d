"""semh's own school-owned tables are tenant tables like any other: a query that forgot the
school raises, inside a school's scope only that school's rows are seen, and the custom querysets
still work there."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from semh import audit
from semh.audit import AuditAction
from semh.models import AcademicYear, AuditEvent, Invitation, Period, Term
from tests.conftest import SUITE_DAY, SUITE_TIME, at
from tests.factories import InvitationFactory, PeriodFactory, TermFactory

SCOPED = [AcademicYear, Term, Period, Invitation, AuditEvent]


@pytest.fixture
def rows(cast):
    """One of each row in each school."""
    with scopes_disabled():
        for school in (cast.school_a, cast.school_b):
            TermFactory(school=school)
            PeriodFactory(school=school)
            InvitationFactory(school=school)
            audit.record(actor=None, action=AuditAction.WORKER_CHECK, school=school)
    return cast


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "query",
    [
        lambda m, cast: list(m.objects.all()),
        lambda m, cast: m.objects.filter(school=cast.school_a).first(),
        lambda m, cast: m.objects.get(school=cast.school_a),
        lambda m, cast: m.objects.count(),
        lambda m, cast: m.objects.exists(),  # django-scopes alone lets exists() through
        lambda m, cast: m.objects.values_list("pk"),
        lambda m, cast: m.objects.in_bulk(),
    ],
    ids=["all", "filter", "get", "count", "exists", "values_list", "in_bulk"],
)
def test_an_unscoped_query_on_a_semh_tenant_table_raises(rows, model, query):
    with pytest.raises(ScopeError):
        query(model, rows)


@pytest.mark.parametrize(
    "query",
    [
        lambda cast, pupil: Term.objects.containing(SUITE_DAY),
        lambda cast, pupil: Period.objects.on(0),
        lambda cast, pupil: Period.objects.at(at(SUITE_DAY, 9)),
        lambda cast, pupil: Invitation.objects.open(),
        lambda cast, pupil: Invitation.objects.usable(),
        lambda cast, pupil: AuditEvent.objects.about(pupil),
        lambda cast, pupil: AuditEvent.objects.naming(pupil.pk),
        lambda cast, pupil: list(cast.school_a.terms.all()),
        lambda cast, pupil: list(cast.school_a.periods.all()),
    ],
    ids=["containing", "on", "at", "open", "usable", "about", "naming", "terms", "periods"],
)
def test_the_custom_querysets_raise_the_scope_error_too_outside_a_scope(rows, query):
    with pytest.raises(ScopeError):
        query(rows, rows.pupils_a[0])


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_inside_a_school_scope_only_that_schools_rows_are_seen(rows, model):
    with scope(school=rows.school_a):
        assert {row.school_id for row in model.objects.all()} == {rows.school_a.pk}
        assert model.objects.count() == 1


def test_the_custom_querysets_work_inside_the_scope(rows):
    pupil = rows.pupils_a[0]
    with scopes_disabled():
        audit.record(
            actor=None, action=AuditAction.PUPIL_VIEW, school=rows.school_b, target=pupil
        )  # a (wrong) row naming the pupil in another school: not seen from school A

    with scope(school=rows.school_a):
        audit.record(actor=None, action=AuditAction.PUPIL_VIEW, school=rows.school_a, target=pupil)
        assert Term.objects.containing(SUITE_DAY).get().school == rows.school_a
        assert not Term.objects.containing(datetime.date(2027, 1, 4)).exists()
        assert Period.objects.on(0).get().name == "P1"
        assert Period.objects.at(at(datetime.date(2026, 11, 23), 9)).name == "P1"  # a Monday
        assert Invitation.objects.usable().count() == Invitation.objects.open().count() == 1
        assert AuditEvent.objects.about(pupil).count() == 1
        assert AuditEvent.objects.naming(pupil.pk).count() == 1


def test_audit_rows_are_written_outside_any_scope_and_sign_ins_belong_to_no_school(client, cast):
    from tests.factories import PASSWORD

    user = cast.user("teacher")
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})  # no scope

    with scope(school=cast.school_a):
        assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    with scopes_disabled():
        sign_in = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert sign_in.actor == user and sign_in.school is None


def test_the_retention_purge_runs_outside_any_scope(rows, clock, settings):
    settings.SEMH_AUDIT_RETENTION_DAYS = 7 * 365 + 2
    clock.set(datetime.date(2006, 3, 1), 9)
    for school in (rows.school_a, rows.school_b):
        audit.record(actor=None, action=AuditAction.WORKER_CHECK, school=school)
    clock.set(SUITE_DAY, *SUITE_TIME)

    assert audit.purge_expired() == 2
