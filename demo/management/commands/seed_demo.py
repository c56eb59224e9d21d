"""Demo data: a trust with two schools, a term calendar, synthetic pupils and one login per role.

Idempotent: every row is keyed (URN, email, UPN…), so running it again changes nothing.
All names are synthetic; no real pupil data is ever used.
"""

import random
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from incidents.demo import seed_incidents
from interventions.demo import seed_interventions
from pupils.demo import seed_pupil_records, seed_referrals
from pupils.models import Gender, PrimaryNeed, Pupil, SenStatus
from pupils.selectors import caseload_of
from pupils.services.caseloads import grant_caseload, set_pupil_staff
from pupils.services.records import add_pupil
from pupils.validators import upn_check_letter
from reset_area.demo import seed_reset_area
from semh.access import Role, ServiceRole
from semh.calendar import academic_year_start
from semh.models import (
    AcademicYear,
    Membership,
    OutreachService,
    School,
    ServiceMembership,
    Term,
    Trust,
    User,
)

DEMO_PASSWORD = "semh-demo-2026"  # noqa: S105 - documented demo login, refused in production
PUPILS_PER_SCHOOL = 60

SCHOOLS = [
    {
        "urn": "990001",
        "name": "Oakfield Primary School",
        "slug": "oakfield",
        "phase": School.Phase.PRIMARY,
        "domain": "demo.example",
        "years": [0, 1, 2, 3, 4, 5, 6],
        "forms": ["Ash", "Beech", "Cedar"],
    },
    {
        "urn": "990002",
        "name": "Riverside Academy",
        "slug": "riverside",
        "phase": School.Phase.SECONDARY,
        "domain": "demo2.example",
        "years": [7, 8, 9, 10, 11],
        "forms": ["R", "I", "V"],
    },
]

STAFF = [
    (Role.ASSISTANT, "assistant", "Sam", "Patel"),
    (Role.TEACHER, "teacher", "Jo", "Green"),
    (Role.SENCO, "senco", "Alex", "Morgan"),
    (Role.DSL, "dsl", "Chris", "Okafor"),
    (Role.SLT, "slt", "Pat", "Hughes"),
    (Role.ADMIN, "admin", "Robin", "Clarke"),
]

# Senior leadership across the trust: SLT in both demo schools (their figures side by side).
TRUST_LEADER = ("trust", "demo-trust.example", "Lee", "Adeyemi")

# An outreach service working in both demo schools, with one login per service role.
OUTREACH = {"name": "Bridges Outreach Service", "slug": "bridges", "domain": "bridges.example"}
OUTREACH_STAFF = [
    (ServiceRole.OUTREACH, "outreach", "Kim", "Walsh"),
    (ServiceRole.LEAD_PRACTITIONER, "lead", "Dee", "Mensah"),
]

FIRST_NAMES = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Freya",
    "Grace",
    "Sophia",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Muhammad",
    "Harry",
    "Oscar",
    "Archie",
    "Jack",
    "Theo",
    "Finley",
    "Alfie",
    "Charlie",
    "Amir",
    "Zara",
    "Maya",
    "Ruby",
    "Aisha",
    "Kai",
    "Ethan",
    "Jayden",
    "Tyler",
    "Callum",
    "Kacper",
    "Maja",
    "Lena",
    "Ola",
    "Chloe",
    "Niamh",
    "Rhys",
    "Dylan",
    "Poppy",
    "Evie",
    "Layla",
    "Yusuf",
    "Ibrahim",
]
# Some pupils go by a shorter name: the pupil page shows it, with the legal name underneath.
NICKNAMES = {
    "Muhammad": "Mo",
    "Oliver": "Ollie",
    "Alfie": "Alf",
    "Ibrahim": "Ibby",
    "Theo": "Teddy",
}
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Ahmed",
    "Hussain",
    "Ali",
    "Begum",
    "Kowalski",
    "Nowak",
    "Murphy",
    "Kelly",
    "Campbell",
    "Stewart",
    "Hughes",
    "Edwards",
    "Lewis",
    "Price",
    "Mensah",
    "Okoye",
    "Baker",
    "Harris",
]


def demo_upn(la_code: str, school_index: int, serial: int) -> str:
    body = f"{la_code}{2000 + school_index:04d}{24:02d}{serial:03d}"
    return upn_check_letter(body) + body


class Command(BaseCommand):
    help = "Load synthetic demo data (refuses to run with DEBUG off unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--scale", type=int, default=1, help="Multiply the number of pupils (benchmarks)."
        )

    def handle(self, *args, force=False, scale=1, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo loads demo accounts with a published password: refusing with DEBUG off. "
                "Use --force only on a throwaway database."
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        with transaction.atomic(), scopes_disabled():
            trust, _ = Trust.objects.get_or_create(name="Demo Learning Trust")
            service, outreach_staff = self.seed_outreach_service()
            for index, spec in enumerate(SCHOOLS):
                school = self.seed_school(trust, spec)
                self.seed_terms(school)
                staff = self.seed_staff(school, spec["domain"])
                pupils = self.seed_pupils(
                    school, spec, index, PUPILS_PER_SCHOOL * scale, actor=staff[Role.SENCO]
                )
                self.seed_caseloads(school, staff, pupils)
                seed_pupil_records(
                    pupils=pupils,
                    staff=staff,
                    rng=random.Random(f"records-{spec['urn']}"),  # noqa: S311 - synthetic
                )
                seed_incidents(
                    school=school,
                    pupils=pupils,
                    staff=staff,
                    rng=random.Random(f"incidents-{spec['urn']}"),  # noqa: S311 - synthetic
                )
                seed_reset_area(
                    school=school,
                    pupils=pupils,
                    staff=staff,
                    rng=random.Random(f"reset-{spec['urn']}"),  # noqa: S311 - synthetic
                )
                seed_interventions(
                    school=school,
                    pupils=pupils,
                    staff=staff,
                    rng=random.Random(f"interventions-{spec['urn']}"),  # noqa: S311 - synthetic
                )
                self.seed_trust_leader(school)
                service.schools.add(school)
                seed_referrals(
                    school=school,
                    service=service,
                    pupils=pupils,
                    staff=staff,
                    outreach_worker=outreach_staff[ServiceRole.OUTREACH],
                    rng=random.Random(f"referrals-{spec['urn']}"),  # noqa: S311 - synthetic
                )
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password semh-demo-2026):"))
        for spec in SCHOOLS:
            for _role, local, *_ in STAFF:
                self.stdout.write(f"  {local}@{spec['domain']}  ({spec['name']})")
        for _role, local, *_ in OUTREACH_STAFF:
            self.stdout.write(f"  {local}@{OUTREACH['domain']}  ({OUTREACH['name']})")
        local, domain, *_ = TRUST_LEADER
        self.stdout.write(f"  {local}@{domain}  (senior leadership in both schools)")

    def seed_school(self, trust, spec):
        school, _ = School.objects.update_or_create(
            urn=spec["urn"],
            defaults={
                "name": spec["name"],
                "slug": spec["slug"],
                "phase": spec["phase"],
                "trust": trust,
            },
        )
        return school

    def seed_terms(self, school):
        """This academic year's terms and last year's, so figures have terms to compare with."""
        this_year = academic_year_start(school).year  # this academic year's autumn
        for start in (this_year - 1, this_year):
            year, _ = AcademicYear.objects.update_or_create(
                school=school,
                name=f"{start}/{str(start + 1)[-2:]}",
                defaults={"starts_on": date(start, 9, 1), "ends_on": date(start + 1, 7, 31)},
            )
            terms = {
                Term.Season.AUTUMN: (date(start, 9, 3), date(start, 12, 18)),
                Term.Season.SPRING: (date(start + 1, 1, 5), date(start + 1, 3, 26)),
                Term.Season.SUMMER: (date(start + 1, 4, 13), date(start + 1, 7, 21)),
            }
            for season, (starts_on, ends_on) in terms.items():
                Term.objects.update_or_create(
                    academic_year=year,
                    season=season,
                    defaults={"school": school, "starts_on": starts_on, "ends_on": ends_on},
                )

    def seed_staff(self, school, domain):
        staff = {}
        for role, local, first, last in STAFF:
            staff[role] = self.seed_login(f"{local}@{domain}", first, last)
            Membership.objects.get_or_create(user=staff[role], school=school, role=role)
        return staff

    def seed_trust_leader(self, school):
        local, domain, first, last = TRUST_LEADER
        user = self.seed_login(f"{local}@{domain}", first, last)
        Membership.objects.get_or_create(user=user, school=school, role=Role.SLT)

    def seed_outreach_service(self):
        service, _ = OutreachService.objects.update_or_create(
            slug=OUTREACH["slug"], defaults={"name": OUTREACH["name"]}
        )
        staff = {}
        for role, local, first, last in OUTREACH_STAFF:
            staff[role] = self.seed_login(f"{local}@{OUTREACH['domain']}", first, last)
            ServiceMembership.objects.get_or_create(user=staff[role], service=service, role=role)
        return service, staff

    def seed_login(self, email, first, last):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    # The schools, terms, logins and memberships above are the core set-up and are written raw.
    # Pupils and caseloads go through the pupils app's services, as the school's SENCo would add
    # them; a pupil already seeded (same UPN) is left as it is, so a second run changes nothing.
    def seed_pupils(self, school, spec, index, count, *, actor):
        rng = random.Random(f"pupils-{spec['urn']}")  # noqa: S311 - synthetic data, not security
        start = academic_year_start(school).year
        pupils = []
        for serial in range(1, count + 1):
            upn = demo_upn("999", index, serial % 1000) if count < 1000 else None
            if upn is None:
                body = f"999{2000 + index:04d}{serial // 1000:02d}{serial % 1000:03d}"
                upn = upn_check_letter(body) + body
            year = rng.choice(spec["years"])
            first = rng.choice(FIRST_NAMES)
            sen = rng.choices(
                [SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHCP], weights=[5, 4, 1]
            )[0]
            need = (
                ""
                if sen == SenStatus.NONE
                else rng.choice(
                    [PrimaryNeed.SEMH] * 4 + [PrimaryNeed.ASD, PrimaryNeed.SLCN, PrimaryNeed.SPLD]
                )
            )
            existing = Pupil.objects.filter(school=school, upn=upn).first()
            details = {
                "legal_first_name": first,
                "legal_last_name": rng.choice(LAST_NAMES),
                "preferred_first_name": NICKNAMES.get(first, "") if rng.random() < 0.5 else "",
                "date_of_birth": date(start - year - 5, rng.randint(9, 12), rng.randint(1, 28))
                if rng.random() < 0.33
                else date(start - year - 4, rng.randint(1, 8), rng.randint(1, 28)),
                "gender": rng.choice([Gender.FEMALE, Gender.MALE]),
                "year_group": year,
                "form": f"{year}{rng.choice(spec['forms'])}" if year else rng.choice(spec["forms"]),
                "sen_status": sen,
                "primary_need": need,
                "pupil_premium": rng.random() < 0.3,
                "looked_after": rng.random() < 0.04,
                "safeguarding_status": rng.choices(["", "CIN", "CP"], weights=[90, 7, 3])[0],
                "on_roll_from": date(start, 9, 1),
            }
            pupils.append(existing or add_pupil(actor=actor, school=school, upn=upn, **details))
        return pupils

    def seed_caseloads(self, school, staff, pupils):
        semh_pupils = [p for p in pupils if p.sen_status != SenStatus.NONE]
        senco = staff[Role.SENCO]
        for member, caseload in (
            (staff[Role.ASSISTANT], semh_pupils[:8]),
            (staff[Role.TEACHER], semh_pupils[8:13]),
        ):
            missing = set(caseload) - set(caseload_of(member, school))
            if missing:
                grant_caseload(
                    actor=senco, school=school, member=member, pupils=missing, how="list"
                )
            if caseload and member not in caseload[0].key_adults.all():
                set_pupil_staff(
                    actor=senco,
                    school=school,
                    pupil=caseload[0],
                    key_adults={member, *caseload[0].key_adults.all()},
                    caseload_staff=[],
                )
