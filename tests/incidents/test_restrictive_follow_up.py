import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import ParentReport, RestrictiveIntervention, StaffStatement
from semh.access import Role


def test_restraint_stays_outstanding_until_parent_report_debrief_and_every_statement(cast):
    holder, second = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    now = timezone.now()
    with scopes_disabled():
        record = RestrictiveIntervention.objects.create(
            pupil=cast.pupils_a[0],
            kind="restraint",
            started_at=now,
            ended_at=now + datetime.timedelta(minutes=4),
            location="Corridor",
            what_happened_before="Refused to leave the corridor",
            deescalation_tried="Choices, space",
            necessity=["injury_others"],
            necessity_detail="Kicking out at a younger pupil",
            pupil_injured=False,
            staff_injured=False,
            recorded_by=holder,
        )
        record.staff_involved.set([holder, second])

        def missing():
            found = RestrictiveIntervention.objects.outstanding().filter(pk=record.pk).first()
            return found.missing_follow_up() if found else []

        assert missing() == [
            "report to parents",
            "debrief with the pupil",
            "2 staff statement(s)",
        ]
        StaffStatement.objects.create(intervention=record, author=holder, text="My account")
        StaffStatement.objects.create(
            intervention=record, author=cast.user(Role.SENCO), text="Not a holder: does not count"
        )
        assert missing()[-1] == "1 staff statement(s)"

        StaffStatement.objects.create(intervention=record, author=second, text="My account")
        ParentReport.objects.create(
            intervention=record,
            not_reported_reason="A report would likely cause significant harm",
            local_authority_reported_at=now,
            recorded_by=holder,
        )
        record.pupil_debrief_at = now
        record.save()

        assert missing() == []
        assert record.minutes == 4
