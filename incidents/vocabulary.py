"""Sensible UK defaults for a school's incident vocabularies, and the DfE suspension codes."""

from datetime import date

from incidents.models import SuspensionReason, Vocabulary, VocabularyKind

DEFAULTS = {
    VocabularyKind.LOCATION: [
        "Classroom",
        "Corridor",
        "Playground",
        "Dining hall",
        "Toilets",
        "Reset Area",
        "PE / sports hall",
        "Library",
        "Outside the school gates",
        "Online",
    ],
    VocabularyKind.CATEGORY: [
        "Verbal aggression",
        "Physical aggression towards pupils",
        "Physical aggression towards staff",
        "Leaving the classroom without permission",
        "Absconding from site",
        "Damage to property",
        "Refusal / non-compliance",
        "Self-harm or risk to self",
        "Bullying",
        "Discriminatory language",
        "Disruption",
    ],
    VocabularyKind.TRIGGER: [
        "Change of routine",
        "Transition between lessons",
        "Demand / task difficulty",
        "Peer conflict",
        "Adult instruction or correction",
        "Unstructured time",
        "Sensory overload (noise, crowds)",
        "Hunger or tiredness",
        "Something at home",
        "Online / social media",
    ],
    VocabularyKind.STRATEGY: [
        "Calm voice, few words",
        "Offered choices",
        "Gave space and time",
        "Distraction / humour",
        "Time-out pass",
        "Movement break",
        "Change of face (another adult)",
        "Moved the audience (other pupils)",
        "Reassurance",
        "Offered the Reset Area",
        "Planned ignoring",
        "Breathing / regulation",
    ],
    VocabularyKind.HOLD: [
        "Friendly hold",
        "Single elbow",
        "Figure of four",
        "Double elbow",
        "Escort (guide)",
        "Removal of a mobility aid",
        "Other (describe)",
    ],
}

# School census suspension and permanent exclusion reasons (DfE, from the 2020/21 census onwards).
DFE_SUSPENSION_REASONS = [
    ("PP", "Physical assault against a pupil"),
    ("PA", "Physical assault against an adult"),
    ("VP", "Verbal abuse or threatening behaviour against a pupil"),
    ("VA", "Verbal abuse or threatening behaviour against an adult"),
    ("OW", "Use or threat of use of an offensive weapon or prohibited item"),
    ("BU", "Bullying"),
    ("RA", "Racist abuse"),
    ("LG", "Abuse against sexual orientation and gender identity"),
    ("DS", "Abuse relating to disability"),
    ("SM", "Sexual misconduct"),
    ("DA", "Drug and alcohol related"),
    ("DM", "Damage"),
    ("TH", "Theft"),
    ("DB", "Persistent or general disruptive behaviour"),
    ("MT", "Inappropriate use of social media or online technology"),
    ("OT", "Other"),
]
DFE_CODES_VALID_FROM = date(2020, 8, 1)


def ensure_school_vocabulary(school) -> None:
    """Give a school the default lists, once; the SENCo edits them from then on."""
    existing = set(Vocabulary.objects.filter(school=school).values_list("kind", "label"))
    Vocabulary.objects.bulk_create(
        [
            Vocabulary(school=school, kind=kind, label=label, position=position)
            for kind, labels in DEFAULTS.items()
            for position, label in enumerate(labels)
            if (kind, label) not in existing
        ]
    )


def ensure_suspension_reasons() -> None:
    for code, label in DFE_SUSPENSION_REASONS:
        SuspensionReason.objects.get_or_create(
            code=code, valid_from=DFE_CODES_VALID_FROM, defaults={"label": label}
        )
