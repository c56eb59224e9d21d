"""The Boxall Profile's strands, each under its cluster (``Subscale.cluster_key``), and the SDQ
notes saying the impact supplement may be entered by item.

Strand names are the published strand headings, not item wording. The strands are entered as
printed on the school's Boxall scoring sheet; the cluster scores too (a cluster is never worked
out from its strands here). Reversible: the reverse removes the strands (and fails while a result
has a strand score, which is right: results are never deleted) and restores the notes.
"""

from django.db import migrations, models

STRAND_MAXIMUM = 40
# cluster key, higher is better, [(strand letter, strand name), …]
BOXALL_STRANDS = [
    (
        "organisation",
        True,
        [
            ("a", "Gives purposeful attention"),
            ("b", "Participates constructively"),
            ("c", "Connects up experiences"),
            ("d", "Shows insightful involvement"),
            ("e", "Engages cognitively with peers"),
        ],
    ),
    (
        "internalisation",
        True,
        [
            ("f", "Is emotionally secure"),
            ("g", "Is biddable and accepts constraints"),
            ("h", "Accommodates to others"),
            ("i", "Responds constructively to others"),
            ("j", "Maintains internalised standards"),
        ],
    ),
    (
        "self_limiting",
        False,
        [("q", "Disengaged"), ("r", "Self-negating")],
    ),
    (
        "undeveloped",
        False,
        [
            ("s", "Makes undiscriminating attachments"),
            ("t", "Shows inconsequential behaviour"),
            ("u", "Craves attention"),
        ],
    ),
    (
        "unsupported",
        False,
        [
            ("v", "Avoids / rejects attachment"),
            ("w", "Has undeveloped / insecure sense of self"),
            ("x", "Shows negativism towards self"),
            ("y", "Shows negativism towards others"),
            ("z", "Wants, grabs, disregarding others"),
        ],
    ),
]
FIRST_STRAND_POSITION = 10

BOXALL_NOTE = (
    "Enter the strand scores and/or the five cluster scores from the pupil's Boxall assessment "
    "(Nurture UK), and which version was used: change is shown only between results of the same "
    "version. Developmental strands and clusters: higher is better; diagnostic: lower is better. "
    "Each score is entered as printed on your Boxall scoring sheet: a cluster score is not worked "
    "out from its strands. No bands are shipped, and the ranges are as on your Boxall scoring "
    f"sheet: we check only that scores are whole numbers in 0–{STRAND_MAXIMUM} (a strand) or "
    "0–200 (a cluster)."
)
OLD_BOXALL_NOTE = (
    "Enter the five cluster scores from the pupil's Boxall assessment (Nurture UK), and which "
    "version was used: change is shown only between results of the same version. Developmental "
    "clusters: higher is better; diagnostic clusters: lower is better. No bands are shipped and the "
    "score ranges allowed here are wide (0–200): check each against your Boxall scoring."
)
IMPACT_BY_NUMBER = "The impact supplement's score is entered as a number."
IMPACT_BY_ITEM = (
    "The impact supplement: by item, answer “any difficulties?” and, when yes, each impact item "
    "(scored 0, 0, 1, 2 for you); by subscale totals, its score as a number."
)
SDQ_KEYS = ["sdq-teacher", "sdq-parent", "sdq-self"]


def strand_key(letter):
    return f"strand_{letter}"


def add_strands(apps, schema_editor):
    Definition = apps.get_model("interventions", "MeasureDefinition")
    Subscale = apps.get_model("interventions", "Subscale")
    position = FIRST_STRAND_POSITION
    for boxall in Definition.objects.filter(instrument="boxall", school__isnull=True):
        for cluster, better, strands in BOXALL_STRANDS:
            for letter, name in strands:
                Subscale.objects.get_or_create(
                    definition=boxall,
                    key=strand_key(letter),
                    defaults={
                        "name": f"{letter.upper()}. {name}",
                        "position": position,
                        "minimum": 0,
                        "maximum": STRAND_MAXIMUM,
                        "higher_is_better": better,
                        "cluster_key": cluster,
                    },
                )
                position += 1
        boxall.note = BOXALL_NOTE
        boxall.save(update_fields=["note"])
    for sdq in Definition.objects.filter(school__isnull=True, key__in=SDQ_KEYS):
        sdq.note = sdq.note.replace(IMPACT_BY_NUMBER, IMPACT_BY_ITEM)
        sdq.save(update_fields=["note"])


def remove_strands(apps, schema_editor):
    Definition = apps.get_model("interventions", "MeasureDefinition")
    Subscale = apps.get_model("interventions", "Subscale")
    boxalls = Definition.objects.filter(instrument="boxall", school__isnull=True)
    Subscale.objects.filter(definition__in=boxalls).exclude(cluster_key="").delete()
    boxalls.update(note=OLD_BOXALL_NOTE)
    for sdq in Definition.objects.filter(school__isnull=True, key__in=SDQ_KEYS):
        sdq.note = sdq.note.replace(IMPACT_BY_ITEM, IMPACT_BY_NUMBER)
        sdq.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("interventions", "0003_default_provision")]

    operations = [
        migrations.AddField(
            model_name="subscale",
            name="cluster_key",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(add_strands, remove_strands),
    ]
