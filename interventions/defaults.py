"""What a school's provision starts with: the usual UK programmes and funding streams. The SENCo
edits them from then on (retiring a programme rather than deleting it).

``ensure_default_provision`` is the one home of these defaults: a new school gets them from the
post_save receiver (``interventions.receivers``), schools that existed before from migration 0003.
It is idempotent: a programme or stream the school already has (by name) is left as it is.
"""

from pupils.models import AreaOfNeed

from .models import Delivery, Frequency, Wave

# The measure a default programme is judged by, linked by key when that definition exists.
DEFAULT_MEASURE_KEY = "sdq-teacher"

SEMH, COMMUNICATION = AreaOfNeed.SEMH, AreaOfNeed.COMMUNICATION
GROUP, ONE_TO_ONE = Delivery.GROUP, Delivery.ONE_TO_ONE
WEEKLY, TWICE_WEEKLY, DAILY = Frequency.WEEKLY, Frequency.TWICE_WEEKLY, Frequency.DAILY

# name, wave, delivery, usual sessions, frequency, session minutes, area of need, evidence note
DEFAULT_PROGRAMMES = [
    ("ELSA", Wave.TARGETED, ONE_TO_ONE, 8, WEEKLY, 45, SEMH,
     "Emotional Literacy Support: a trained assistant, supervised by an educational psychologist."),
    ("Thrive", Wave.TARGETED, ONE_TO_ONE, 12, WEEKLY, 30, SEMH,
     "Activities from the pupil's Thrive assessment; progress also tracked in Thrive Online."),
    ("Drawing and Talking", Wave.TARGETED, ONE_TO_ONE, 12, WEEKLY, 30, SEMH, ""),
    ("Lego-based therapy", Wave.TARGETED, GROUP, 10, WEEKLY, 45, COMMUNICATION,
     "Groups of three (engineer, supplier, builder) for social communication."),
    ("Zones of Regulation", Wave.UNIVERSAL, GROUP, 18, WEEKLY, 30, SEMH, ""),
    ("Social skills group", Wave.TARGETED, GROUP, 10, WEEKLY, 40, COMMUNICATION, ""),
    ("Anger management", Wave.TARGETED, GROUP, 8, WEEKLY, 45, SEMH, ""),
    ("Nurture group", Wave.SPECIALIST, GROUP, 30, DAILY, 90, SEMH,
     "Small class following the six principles of nurture; Boxall Profile at entry and exit."),
    ("Mentoring", Wave.TARGETED, ONE_TO_ONE, 10, WEEKLY, 30, SEMH, ""),
    ("Kitbag", Wave.TARGETED, ONE_TO_ONE, 6, WEEKLY, 20, SEMH, ""),
    ("Time to Talk", Wave.TARGETED, GROUP, 12, WEEKLY, 30, COMMUNICATION, ""),
    ("Restorative circles", Wave.UNIVERSAL, GROUP, 6, WEEKLY, 30, SEMH, ""),
]  # fmt: skip

DEFAULT_FUNDING_STREAMS = ["SEN notional budget", "Pupil premium", "EHCP top-up", "Other"]


def ensure_default_provision(school, *, models=None) -> None:
    """Give ``school`` the default programmes and funding streams it lacks. ``models``: the
    migration's historical models (Programme, FundingStream, MeasureDefinition), else ours."""
    if models is None:
        from .models import FundingStream, MeasureDefinition, Programme
    else:
        Programme, FundingStream, MeasureDefinition = models
    measure = MeasureDefinition.objects.filter(school__isnull=True, key=DEFAULT_MEASURE_KEY).first()
    have = set(Programme.objects.filter(school=school).values_list("name", flat=True))
    for name, wave, delivery, sessions, frequency, minutes, area, note in DEFAULT_PROGRAMMES:
        if name in have:
            continue
        programme = Programme.objects.create(
            school=school,
            name=name,
            wave=wave,
            delivery=delivery,
            usual_sessions=sessions,
            frequency=frequency,
            session_minutes=minutes,
            area_of_need=area,
            evidence_note=note,
        )
        if measure is not None:
            programme.measures.add(measure)
    streams = set(FundingStream.objects.filter(school=school).values_list("name", flat=True))
    FundingStream.objects.bulk_create(
        [FundingStream(school=school, name=n) for n in DEFAULT_FUNDING_STREAMS if n not in streams]
    )
