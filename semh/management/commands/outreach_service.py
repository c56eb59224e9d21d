"""Set up an outreach service: the schools it works with and its staff.

Run by whoever runs the deployment (the service spans schools, so no school's administrator
holds it). Staff without an account get one with no password: they set it with "Forgotten your
password?" on the sign-in page.

    manage.py outreach_service bridges --name "Bridges Outreach Service" \\
        --school oakfield --school riverside \\
        --outreach kim@bridges.example --lead dee@bridges.example
    manage.py outreach_service bridges --remove-school riverside --remove-staff kim@bridges.example
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from semh import audit
from semh.access import ServiceRole
from semh.audit import AuditAction
from semh.models import OutreachService, School, ServiceMembership, User


class Command(BaseCommand):
    help = "Create or change an outreach service: its schools and its staff."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", help="The service's name (needed to create it).")
        parser.add_argument("--school", action="append", default=[], metavar="SLUG")
        parser.add_argument("--remove-school", action="append", default=[], metavar="SLUG")
        parser.add_argument("--outreach", action="append", default=[], metavar="EMAIL")
        parser.add_argument("--lead", action="append", default=[], metavar="EMAIL")
        parser.add_argument("--remove-staff", action="append", default=[], metavar="EMAIL")

    @transaction.atomic
    def handle(self, slug, *, name, **options):
        service = OutreachService.objects.filter(slug=slug).first()
        if service is None:
            if not name:
                raise CommandError(f"No service {slug!r}: give --name to create it.")
            service = OutreachService.objects.create(slug=slug, name=name)
        elif name:
            service.name = name
            service.save(update_fields=["name"])
        service.schools.add(*self._schools(options["school"]))
        service.schools.remove(*self._schools(options["remove_school"]))
        for role, emails in (
            (ServiceRole.OUTREACH, options["outreach"]),
            (ServiceRole.LEAD_PRACTITIONER, options["lead"]),
        ):
            for email in emails:
                user = User.objects.filter(email__iexact=email).first()
                if user is None:
                    user = User.objects.create_user(email.lower())  # no password until they set it
                ServiceMembership.objects.update_or_create(
                    user=user, service=service, role=role, defaults={"is_active": True}
                )
        ServiceMembership.objects.filter(
            service=service, user__email__in=[e.lower() for e in options["remove_staff"]]
        ).update(is_active=False)
        audit.record(
            actor=None,
            action=AuditAction.SERVICE_CHANGE,
            target=service,
            schools_added=options["school"],
            schools_removed=options["remove_school"],
            outreach_added=options["outreach"],
            leads_added=options["lead"],
            staff_removed=options["remove_staff"],
        )
        staff = service.staff.filter(is_active=True).select_related("user")
        self.stdout.write(f"{service.name}: {', '.join(s.name for s in service.schools.all())}")
        for member in staff:
            self.stdout.write(f"  {member.user.email} · {member.get_role_display()}")

    def _schools(self, slugs):
        schools = list(School.objects.filter(slug__in=slugs))
        missing = set(slugs) - {s.slug for s in schools}
        if missing:
            raise CommandError(f"No school with slug {', '.join(sorted(missing))}.")
        return schools
