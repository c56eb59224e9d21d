import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import Pupil
from pupils.validators import validate_upn
from semh.models import School, User


def row_counts():
    with scopes_disabled():
        return {
            m._meta.label: m._default_manager.count()
            for m in apps.get_models()
            if m._meta.app_label in {"semh", "pupils", "interventions", "guardian", "account"}
            and m._meta.label != "semh.AuditEvent"
        }


def test_seed_demo_twice_leaves_identical_row_counts(db):
    call_command("seed_demo", "--force")
    first = row_counts()

    call_command("seed_demo", "--force")

    assert row_counts() == first
    assert first["semh.School"] == 2
    assert first["pupils.Pupil"] == 120


def test_seed_demo_creates_one_login_per_role_in_each_school_with_valid_upns(db):
    call_command("seed_demo", "--force")

    for domain in ("demo.example", "demo2.example"):
        for role in ("assistant", "teacher", "senco", "dsl", "slt", "admin"):
            user = User.objects.get(email=f"{role}@{domain}")
            assert user.check_password("semh-demo-2026")
            assert user.memberships.get().role == role
    with scopes_disabled():
        for upn in Pupil.objects.values_list("upn", flat=True):
            validate_upn(upn)


def test_seed_demo_refuses_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="refusing"):
        call_command("seed_demo")

    assert not User.objects.exists()


def test_seed_demo_scale_multiplies_pupils(db):
    call_command("seed_demo", "--force", "--scale", "3")

    with scopes_disabled():
        assert Pupil.objects.count() == 360


def test_seed_demo_gives_each_school_a_term_of_interventions_that_mostly_work(db):
    from interventions.effectiveness import programme_summary
    from interventions.models import Enrolment, Group, Session
    from interventions.schedule import owed_registers

    call_command("seed_demo", "--force")

    with scopes_disabled():
        school = School.objects.get(slug="oakfield")
        today = timezone.localdate()
        assert Group.objects.filter(school=school).count() == 5
        assert Session.objects.filter(group__school=school, cancelled=True).count() == 1
        assert Session.objects.filter(group__school=school, cancelled=False).count() >= 40
        assert owed_registers(school, today=today)  # one register left untaken
        assert Enrolment.objects.filter(group__school=school, review_score__isnull=False).exists()
        rows = programme_summary(school)
    paired = [r for r in rows if r.change and r.change.paired]
    assert len(paired) == 5
    # Across programmes most paired pupils improved on Total difficulties.
    improved = sum(r.change.headline.improved for r in paired)
    assert improved > sum(r.change.paired for r in paired) / 2
