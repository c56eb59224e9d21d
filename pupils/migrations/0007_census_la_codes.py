"""The local-authority codes the school census accepts in characters 2-4 of a UPN.

Source: DfE school census validation rule 1530 ("UPN invalid (characters 2-4 not a recognised LA
code)": "a valid post-April 1999 LA code or a recognised pseudo-LA code"), as listed in the DfE
children in need census 2022 to 2023 validation rules (the same rule and list, which added 838-839
and 940-941) and in Arbor's census help article on errors 1500-1578. 942 Cumberland and 943
Westmorland and Furness are the DfE LA codes of the authorities created on 1 April 2023 (issue 10
names them; the census accepts them from then). Version: the list as of the 2023 to 2024 census.

A UPN keeps the code of the authority that allocated it for life, so the codes of abolished
authorities (835-837 Dorset, Poole, Bournemouth; 909 Cumbria; 928 Northamptonshire) stay.
001-005, 660-681 (Welsh authorities) and 701-708 are the census's pseudo-LA codes.

A later version of the list is a new migration: add rows with their ``valid_from`` and set
``valid_until`` on codes the census stops accepting. A frozen copy: migrations must not import
app code that may change later.
"""

from datetime import date

from django.db import migrations

SINCE_1999 = date(1999, 4, 1)

RANGES = [
    (1, 5),
    (201, 213),
    (301, 320),
    (330, 336),
    (340, 344),
    (350, 359),
    (370, 373),
    (380, 384),
    (390, 394),
    (420, 420),
    (660, 681),
    (701, 708),
    (800, 803),
    (805, 808),
    (810, 813),
    (815, 816),
    (820, 823),
    (825, 826),
    (830, 831),
    (835, 837),
    (840, 841),
    (845, 846),
    (850, 852),
    (855, 857),
    (860, 861),
    (865, 896),
    (908, 909),
    (916, 916),
    (919, 919),
    (921, 921),
    (925, 926),
    (928, 929),
    (931, 931),
    (933, 933),
    (935, 938),
]
NEWER = [
    ("838", date(2019, 4, 1)),  # Dorset
    ("839", date(2019, 4, 1)),  # Bournemouth, Christchurch and Poole
    ("940", date(2021, 4, 1)),  # North Northamptonshire
    ("941", date(2021, 4, 1)),  # West Northamptonshire
    ("942", date(2023, 4, 1)),  # Cumberland
    ("943", date(2023, 4, 1)),  # Westmorland and Furness
]


def codes():
    for first, last in RANGES:
        for number in range(first, last + 1):
            yield f"{number:03d}", SINCE_1999
    yield from NEWER


def load(apps, schema_editor):
    LocalAuthorityCode = apps.get_model("pupils", "LocalAuthorityCode")
    for code, valid_from in codes():
        LocalAuthorityCode.objects.get_or_create(code=code, valid_from=valid_from)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0006_local_authority_codes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
