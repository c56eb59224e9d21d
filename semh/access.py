"""Who may do what: the access table of DESIGN.md §2, in one place.

A person may hold several roles in a school; their access is the union of their roles' capabilities.
Views declare the capability they need (``semh.decorators.school_view``), and the access-matrix test
reads those declarations, so this table is the single source of truth.
"""

from django.db import models


class Role(models.TextChoices):
    ASSISTANT = "assistant", "SEMH assistant / LSA / HLTA"
    TEACHER = "teacher", "Teacher"
    SENCO = "senco", "SENCo / SEMH lead"
    DSL = "dsl", "Designated safeguarding lead"
    SLT = "slt", "Senior leadership"
    ADMIN = "admin", "Administrator"


class ServiceRole(models.TextChoices):
    """Roles in an outreach service: its staff reach a school only through its open referrals."""

    OUTREACH = "outreach", "Outreach assistant"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner (outreach)"


class Capability(models.TextChoices):
    VIEW_CASELOAD_PUPILS = "view_caseload_pupils", "Open pupils on their caseload"
    VIEW_ALL_PUPILS = "view_all_pupils", "Open every pupil of the school"
    VIEW_REFERRED_PUPILS = (
        "view_referred_pupils",
        "Open pupils referred to their outreach service, while the referral is open",
    )
    EDIT_PUPILS = "edit_pupils", "Create and edit pupil records and plans"
    RECORD = "record", "Record incidents, Reset Area visits and sessions"
    RECORD_REFERRED = (
        "record_referred",
        "Record notes, incidents and concerns for the pupils they may open",
    )
    VIEW_OWN_CONCERNS = "view_own_concerns", "See safeguarding concerns they raised"
    VIEW_ALL_CONCERNS = "view_all_concerns", "See every safeguarding concern of the school"
    VIEW_CP_FLAGS = "view_cp_flags", "See child protection / child in need flags"
    DASHBOARDS = "dashboards", "See dashboards"
    REPORTS = "reports", "Request and download reports"
    MANAGE_STAFF = "manage_staff", "Manage staff accounts and access"
    AUDIT_TRAIL = "audit_trail", "Search and export the school's audit trail"
    PUPIL_ACCESS_LOG = "pupil_access_log", "See who has looked at a pupil's record"
    REFERRAL_OVERVIEW = (
        "referral_overview",
        "See every open referral of their outreach service, across its schools",
    )


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ASSISTANT: frozenset({C.VIEW_CASELOAD_PUPILS, C.RECORD, C.VIEW_OWN_CONCERNS}),
    Role.TEACHER: frozenset({C.VIEW_CASELOAD_PUPILS, C.RECORD, C.VIEW_OWN_CONCERNS}),
    Role.SENCO: frozenset(
        {
            C.VIEW_ALL_PUPILS,
            C.EDIT_PUPILS,
            C.RECORD,
            C.VIEW_OWN_CONCERNS,
            C.DASHBOARDS,
            C.REPORTS,
            C.PUPIL_ACCESS_LOG,
        }
    ),
    Role.DSL: frozenset(
        {
            C.VIEW_ALL_PUPILS,
            C.RECORD,
            C.VIEW_OWN_CONCERNS,
            C.VIEW_ALL_CONCERNS,
            C.VIEW_CP_FLAGS,
            C.DASHBOARDS,
            C.AUDIT_TRAIL,
            C.PUPIL_ACCESS_LOG,
        }
    ),
    Role.SLT: frozenset({C.VIEW_ALL_PUPILS, C.DASHBOARDS, C.REPORTS}),
    Role.ADMIN: frozenset({C.MANAGE_STAFF, C.AUDIT_TRAIL}),
    ServiceRole.OUTREACH: frozenset(
        {C.VIEW_REFERRED_PUPILS, C.RECORD_REFERRED, C.VIEW_OWN_CONCERNS}
    ),
    ServiceRole.LEAD_PRACTITIONER: frozenset(
        {C.VIEW_REFERRED_PUPILS, C.RECORD_REFERRED, C.VIEW_OWN_CONCERNS, C.REFERRAL_OVERVIEW}
    ),
}

# Capability groups: a view declares the group whose any one capability opens it.
PUPIL_READERS = (C.VIEW_ALL_PUPILS, C.VIEW_CASELOAD_PUPILS, C.VIEW_REFERRED_PUPILS)
# Recording about one pupil the viewer may open (a note, a check-in, an incident, a contact, a
# concern). RECORD alone reaches every pupil of the school (the Reset Area, registers, the
# incident form's picker); RECORD_REFERRED reaches only the pupils the viewer may open.
PUPIL_RECORDERS = (C.RECORD, C.RECORD_REFERRED)
INCIDENT_LIST_READERS = (C.RECORD, C.RECORD_REFERRED, C.VIEW_ALL_PUPILS, C.EDIT_PUPILS)
RESET_AREA_READERS = (C.RECORD, C.DASHBOARDS, C.EDIT_PUPILS)
# Groups and their registers: those who deliver sessions, run provision or judge it.
INTERVENTION_READERS = (C.RECORD, C.DASHBOARDS, C.EDIT_PUPILS)

# Roles whose members work with pupils (key adults, caseloads, duty and referred-by pickers).
PUPIL_FACING_ROLES = frozenset({Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.DSL})
# Everyone in a school but its administrators.
SCHOOL_STAFF_ROLES = frozenset(set(Role) - {Role.ADMIN})

# The menu: label, URL name (under /s/<school>/) and the capabilities any one of which shows it.
NAVIGATION = [
    ("Home", "school_home", ()),
    ("Pupils", "pupils:list", PUPIL_READERS),
    ("Incidents", "incidents:list", INCIDENT_LIST_READERS),
    ("Reset Area", "reset_area:index", RESET_AREA_READERS),
    ("Interventions", "interventions:index", INTERVENTION_READERS),
    ("Concerns", "incidents:concerns", (C.VIEW_ALL_CONCERNS,)),
    ("Audit", "audit:list", (C.AUDIT_TRAIL,)),
    ("Staff", "staff:list", (C.MANAGE_STAFF,)),
]

# Roles that must set up multi-factor authentication before reaching any school page.
MFA_REQUIRED_ROLES = frozenset(
    {Role.SENCO, Role.DSL, Role.SLT, Role.ADMIN, ServiceRole.LEAD_PRACTITIONER}
)


def capabilities_for(roles) -> frozenset[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)
