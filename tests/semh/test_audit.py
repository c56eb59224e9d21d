from django.test import RequestFactory
from django_scopes import scopes_disabled

from semh import audit
from semh.models import AuditEvent


def test_audit_helper_writes_one_row_with_actor_school_target_and_ip(cast):
    user = cast.user("senco")
    pupil = cast.pupils_a[0]
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    request.school = cast.school_a

    audit.record_view(request, "pupil.view", target=pupil)

    with scopes_disabled():
        event = AuditEvent.objects.get()
    assert event.actor == user
    assert event.school == cast.school_a
    assert event.action == "pupil.view"
    assert event.object_type == "pupils.pupil"
    assert event.object_id == str(pupil.pk)
    assert event.ip_address == "10.1.2.3"


def test_each_call_is_its_own_row(cast):
    for _ in range(3):
        audit.record(actor=cast.user("dsl"), action="concern.view", school=cast.school_a)

    with scopes_disabled():
        assert AuditEvent.objects.filter(action="concern.view", actor=cast.user("dsl")).count() == 3


def test_audit_rows_hold_no_pupil_names(cast):
    pupil = cast.pupils_a[0]

    event = audit.record(actor=cast.user("senco"), action="pupil.view", target=pupil)

    with scopes_disabled():
        stored = " ".join(
            str(v) for v in AuditEvent.objects.filter(pk=event.pk).values().get().values()
        )
    assert pupil.legal_last_name not in stored
