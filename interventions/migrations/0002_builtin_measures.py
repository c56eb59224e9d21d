"""The built-in measure definitions (no school): SDQ teacher / parent / self, the Boxall Profile
and a pupil self-rating. Scores only, never item wording (the instruments are copyright).

Bands are shipped only where the published cut-offs are given: the SDQ teacher four-band and
parent three-band. Other band sets (parent and self four-band) and every Boxall band are entered by
a school from its own scoring sheet. Reversible: the reverse removes these definitions (and fails
while any result still uses one, which is right: results are never deleted).
"""

from django.db import migrations

SDQ_ITEMS = 25
# key, name, items, reverse items, higher is better, counts towards the total
SDQ_SUBSCALES = [
    ("emotional", "Emotional symptoms", [3, 8, 13, 16, 24], [], False, True),
    ("conduct", "Conduct problems", [5, 7, 12, 18, 22], [7], False, True),
    ("hyperactivity", "Hyperactivity / inattention", [2, 10, 15, 21, 25], [21, 25], False, True),
    ("peer", "Peer relationship problems", [6, 11, 14, 19, 23], [11, 14], False, True),
    ("prosocial", "Prosocial behaviour", [1, 4, 9, 17, 20], [], True, False),
]

RAISED = ["Close to average", "Slightly raised", "High", "Very high"]
LOWERED = ["Close to average", "Slightly lowered", "Low", "Very low"]
# Per subscale, the bands best (position 0) to worst as (low, high).
TEACHER_FOUR_BAND = {
    "total": [(0, 11), (12, 15), (16, 18), (19, 40)],
    "emotional": [(0, 3), (4, 4), (5, 5), (6, 10)],
    "conduct": [(0, 2), (3, 3), (4, 4), (5, 10)],
    "hyperactivity": [(0, 5), (6, 7), (8, 8), (9, 10)],
    "peer": [(0, 2), (3, 4), (5, 5), (6, 10)],
    "prosocial": [(6, 10), (5, 5), (4, 4), (0, 3)],
}
THREE_RAISED = ["Close to average", "Slightly raised", "High"]
THREE_LOWERED = ["Close to average", "Slightly lowered", "Low"]
PARENT_THREE_BAND = {
    "total": [(0, 13), (14, 16), (17, 40)],
    "emotional": [(0, 3), (4, 4), (5, 10)],
    "conduct": [(0, 2), (3, 3), (4, 10)],
    "hyperactivity": [(0, 5), (6, 6), (7, 10)],
    "peer": [(0, 2), (3, 3), (4, 10)],
    "prosocial": [(8, 10), (7, 7), (0, 6)],
}

SDQ_NOTE = (
    "Enter the scores from the completed paper form: by item number, each 0, 1 or 2 for the box "
    "ticked (left to right, before any reverse scoring, which is done for you), or as subscale "
    "totals. The impact supplement's score is entered as a number. The SDQ's owner, Youth in "
    "Mind, does not permit electronic versions of the questionnaire without a licence, so no "
    "item wording is held here."
)
SDQ_DEFINITIONS = [
    ("sdq-teacher", "SDQ (teacher)", "teacher", TEACHER_FOUR_BAND, "Bands: the teacher four-band "
     "cut-offs."),
    ("sdq-parent", "SDQ (parent / carer)", "parent", PARENT_THREE_BAND, "Bands: the parent "
     "three-band cut-offs (a school may add the four-band set from its scoring sheet)."),
    ("sdq-self", "SDQ (self-report, ages 11–17)", "self", None, "The self-report version is for "
     "pupils aged 11 to 17. No bands are shipped: enter them from your scoring sheet."),
]

BOXALL_VERSIONS = ["Primary (2017)", "Young people"]
# Cluster scores only, entered from the school's Boxall assessment. The ranges are wide on
# purpose: the published profile's score ranges differ between versions and are not reproduced
# here; check each score against the school's own Boxall scoring.
BOXALL_CLUSTERS = [
    ("organisation", "Developmental: Organisation of Experience", True),
    ("internalisation", "Developmental: Internalisation of Controls", True),
    ("self_limiting", "Diagnostic: Self-limiting features", False),
    ("undeveloped", "Diagnostic: Undeveloped behaviour", False),
    ("unsupported", "Diagnostic: Unsupported development", False),
]
BOXALL_NOTE = (
    "Enter the five cluster scores from the pupil's Boxall assessment (Nurture UK), and which "
    "version was used: change is shown only between results of the same version. Developmental "
    "clusters: higher is better; diagnostic clusters: lower is better. No bands are shipped and the "
    "score ranges allowed here are wide (0–200): check each against your Boxall scoring."
)
BUILTIN_KEYS = ["sdq-teacher", "sdq-parent", "sdq-self", "boxall", "self-rating"]


def add_builtins(apps, schema_editor):
    Definition = apps.get_model("interventions", "MeasureDefinition")
    Subscale = apps.get_model("interventions", "Subscale")
    Band = apps.get_model("interventions", "Band")

    def bands(subscale, cuts, names):
        Band.objects.bulk_create(
            Band(subscale=subscale, name=names[i], position=i, low=low, high=high)
            for i, (low, high) in enumerate(cuts)
        )

    for key, name, informant, band_set, band_note in SDQ_DEFINITIONS:
        definition = Definition.objects.create(
            school=None,
            key=key,
            name=name,
            instrument="sdq",
            informant=informant,
            total_rule="sum_all",
            item_count=SDQ_ITEMS,
            item_max=2,
            note=f"{SDQ_NOTE} {band_note}",
        )
        for position, (skey, sname, items, reverse, better, in_total) in enumerate(SDQ_SUBSCALES):
            subscale = Subscale.objects.create(
                definition=definition,
                key=skey,
                name=sname,
                position=position + 1,
                minimum=0,
                maximum=10,
                higher_is_better=better,
                items=items,
                reverse_items=reverse,
                in_total=in_total,
            )
            if band_set:
                three = len(band_set[skey]) == 3
                names = (THREE_LOWERED if three else LOWERED) if better else (
                    THREE_RAISED if three else RAISED
                )
                bands(subscale, band_set[skey], names)
        total = Subscale.objects.create(
            definition=definition,
            key="total",
            name="Total difficulties",
            position=0,
            minimum=0,
            maximum=40,
            is_total=True,
            is_headline=True,
        )
        if band_set:
            bands(total, band_set["total"], RAISED[: len(band_set["total"])])

    boxall = Definition.objects.create(
        school=None,
        key="boxall",
        name="Boxall Profile",
        instrument="boxall",
        informant="staff",
        versions=BOXALL_VERSIONS,
        note=BOXALL_NOTE,
    )
    for position, (skey, sname, better) in enumerate(BOXALL_CLUSTERS):
        Subscale.objects.create(
            definition=boxall,
            key=skey,
            name=sname,
            position=position,
            minimum=0,
            maximum=200,
            higher_is_better=better,
            is_headline=position == 0,
        )

    rating = Definition.objects.create(
        school=None,
        key="self-rating",
        name="Pupil self-rating (1–10)",
        instrument="self_rating",
        informant="self",
        note="The pupil's own rating from 1 to 10 (e.g. “how I feel about school”); higher is better.",
    )
    Subscale.objects.create(
        definition=rating,
        key="rating",
        name="Rating",
        minimum=1,
        maximum=10,
        higher_is_better=True,
        is_headline=True,
    )


def remove_builtins(apps, schema_editor):
    Definition = apps.get_model("interventions", "MeasureDefinition")
    Definition.objects.filter(school__isnull=True, key__in=BUILTIN_KEYS).delete()


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_provision_and_measures")]

    operations = [migrations.RunPython(add_builtins, remove_builtins)]
