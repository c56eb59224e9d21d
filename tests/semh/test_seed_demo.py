import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from pupils.models import Pupil
from pupils.validators import validate_upn
from semh.models import User


def row_counts():
    with scopes_disabled():
        return {
            m._meta.label: m._default_manager.count()
            for m in apps.get_models()
            if m._meta.app_label in {"semh", "pupils", "guardian", "account"}
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
