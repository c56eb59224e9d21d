"""Writes of measures: recording a pupil's result (by item scores or subscale scores), withdrawing
one, and a school defining its own scale. Scoring itself is ``interventions.scoring``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once

from .. import scoring
from ..models import (
    Band,
    Instrument,
    MeasureDefinition,
    MeasureResult,
    Subscale,
    SubscaleScore,
    TotalRule,
)


def _check_version(definition, version):
    if definition.versions and version not in definition.versions:
        raise ValidationError(
            {"version": [f"Say which version was used: {', '.join(definition.versions)}."]}
        )
    if not definition.versions and version:
        raise ValidationError({"version": ["This measure has no versions."]})


def _check_impact(definition, impact):
    if impact is None:
        return
    most = (
        scoring.impact_max(definition.informant)
        if definition.instrument == Instrument.SDQ
        else None
    )
    if most is None:
        raise ValidationError({"impact": ["This measure has no impact supplement."]})
    if not 0 <= impact <= most:
        raise ValidationError({"impact": [f"The impact score is from 0 to {most}."]})


def _impact_by_item(definition, impact, difficulties, answers, item_scores):
    """The impact supplement answered by item (``difficulties``: "any difficulties?" yes/no):
    (its score, what to keep in ``item_scores``). Only on an SDQ entered by item."""
    if difficulties is None:
        if answers:
            raise ValidationError({"impact": ["Say whether there are any difficulties first."]})
        return impact, {}
    if impact is not None:
        raise ValidationError({"impact": ["Enter the impact score or its items, not both."]})
    if definition.instrument != Instrument.SDQ or item_scores is None:
        raise ValidationError({"impact": ["Impact items go with SDQ item scores."]})
    return scoring.impact_from_answers(
        definition.informant, difficulties=difficulties, answers=answers or ()
    )


def _scores(definition, subscales, item_scores, subscale_scores):
    if (item_scores is None) == (subscale_scores is None):
        raise ValidationError("Enter the scores by item or by subscale, not both.")
    if item_scores is not None:
        if not definition.item_count:
            raise ValidationError("This measure is not entered by item.")
        items = scoring.normalise_items(
            item_scores, item_count=definition.item_count, item_max=definition.item_max
        )
        if not items:
            raise ValidationError("Enter at least one item score.")
        scores = scoring.score_items(
            subscales, items, item_max=definition.item_max, total_rule=definition.total_rule
        )
        return {str(k): v for k, v in sorted(items.items())}, scores
    return None, scoring.score_subscales(
        subscales, subscale_scores, total_rule=definition.total_rule
    )


@submitted_once
@transaction.atomic
def record_result(
    *,
    actor,
    school,
    pupil,
    definition,
    point,
    taken_on,
    completed_by,
    version="",
    item_scores=None,
    subscale_scores=None,
    impact=None,
    impact_difficulties=None,
    impact_answers=None,
    enrolment=None,
    client=None,
) -> MeasureResult:
    """Record a completed measure for a pupil: the scores of every subscale (the total among
    them, formed by the definition's rule), from item scores (item number → score) or from
    scores entered per subscale (subscale key → score). A definition with versions (Boxall) needs
    the version used. The SDQ impact supplement: ``impact`` (its score), or with item scores
    ``impact_difficulties`` (True / False) and, when True, ``impact_answers`` (the answer ticked
    for each impact item, 0–3 left to right; scored 0/0/1/2). ``enrolment``: the pupil's
    enrolment the result belongs to, if any."""
    if pupil.school_id != school.pk or definition.school_id not in (None, school.pk):
        raise ValidationError("That pupil or measure is not of this school.")
    if enrolment is not None and enrolment.pupil_id != pupil.pk:
        raise ValidationError({"enrolment": ["That enrolment is another pupil's."]})
    _check_version(definition, version)
    impact, impact_items = _impact_by_item(
        definition, impact, impact_difficulties, impact_answers, item_scores
    )
    _check_impact(definition, impact)
    subscales = list(definition.subscales.all())
    items, scores = _scores(definition, subscales, item_scores, subscale_scores)
    if impact_items:
        items |= impact_items
    result = MeasureResult.objects.create(
        pupil=pupil,
        definition=definition,
        enrolment=enrolment,
        point=point,
        taken_on=taken_on,
        completed_by=completed_by,
        version=version,
        item_scores=items,
        impact=impact,
        recorded_by=actor,
    )
    SubscaleScore.objects.bulk_create(
        SubscaleScore(result=result, subscale=s, score=scores.get(s.key)) for s in subscales
    )
    audit.record(
        actor=actor,
        action=AuditAction.MEASURE_RECORD,
        school=school,
        target=result,
        client=client,
        pupil=str(pupil.pk),
        definition=definition.key,
        point=point,
    )
    return result


@transaction.atomic
def withdraw_result(*, actor, school, result, reason, client=None) -> MeasureResult:
    """Withdraw a result recorded in error (kept, with the reason; no longer counted)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the result is withdrawn."]})
    if result.withdrawn_at is not None:
        return result
    result.withdrawn_at = timezone.now()
    result.withdrawn_reason = reason[:200]
    result.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    audit.record(
        actor=actor,
        action=AuditAction.MEASURE_WITHDRAW,
        school=school,
        target=result,
        client=client,
        pupil=str(result.pupil_id),
        reason=result.withdrawn_reason,
    )
    return result


def _key_for(school, name):
    base = slugify(name)[:30] or "scale"
    key, n = base, 1
    while MeasureDefinition.objects.filter(school=school, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@submitted_once
@transaction.atomic
def define_measure(
    *, actor, school, name, informant, subscales, total=False, note="", client=None
) -> MeasureDefinition:
    """A school's own scale. ``subscales``: dicts with name, minimum, maximum, higher_is_better
    and optional ``bands`` (a list of (name, low, high), best first). ``total``: add a total of
    all its subscales (which must then all run the same way)."""
    if not subscales:
        raise ValidationError("Give the scale at least one score.")
    if total and len({bool(s["higher_is_better"]) for s in subscales}) > 1:
        raise ValidationError(
            "A total needs every score to run the same way (all higher = better, or all lower)."
        )
    definition = MeasureDefinition.objects.create(
        school=school,
        key=_key_for(school, name),
        name=name,
        instrument=Instrument.SCHOOL,
        informant=informant,
        total_rule=TotalRule.SUM_ALL_OR_MISSING if total else TotalRule.NONE,
        note=note,
    )
    _add_subscales(definition, subscales, total=total)
    audit.record(
        actor=actor,
        action=AuditAction.MEASURE_DEFINE,
        school=school,
        target=definition,
        client=client,
        name=name,
    )
    return definition


def _add_subscales(definition, subscales, *, total):
    keys = set()
    for position, row in enumerate(subscales, start=1):
        if row["maximum"] <= row["minimum"]:
            raise ValidationError(f"{row['name']}: the highest score must be above the lowest.")
        key = _unique_key(row["name"], keys)
        subscale = Subscale.objects.create(
            definition=definition,
            key=key,
            name=row["name"],
            position=position,
            minimum=row["minimum"],
            maximum=row["maximum"],
            higher_is_better=row["higher_is_better"],
            in_total=total,
            is_headline=position == 1 and not total,
        )
        _add_bands(subscale, row.get("bands") or [])
    if total:
        first = subscales[0]
        Subscale.objects.create(
            definition=definition,
            key="total",
            name="Total",
            position=0,
            minimum=sum(s["minimum"] for s in subscales),
            maximum=sum(s["maximum"] for s in subscales),
            higher_is_better=first["higher_is_better"],
            is_total=True,
            is_headline=True,
        )


def _unique_key(name, taken):
    base = slugify(name)[:36] or "score"
    key, n = base, 1
    while key in taken or key == "total":
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def _add_bands(subscale, bands):
    for position, (name, low, high) in enumerate(bands):
        if not subscale.minimum <= low <= high <= subscale.maximum:
            raise ValidationError(
                f"{subscale.name}: band “{name}” must lie within {subscale.minimum}–"
                f"{subscale.maximum}, lowest first."
            )
        Band.objects.create(subscale=subscale, name=name, position=position, low=low, high=high)


@transaction.atomic
def update_measure(*, actor, school, definition, name, note="", is_active=True, client=None):
    """Rename, re-describe or retire a school's own scale (its subscales stay: results use them)."""
    if definition.school_id != school.pk:
        raise ValidationError("Built-in measures cannot be changed.")
    definition.name, definition.note, definition.is_active = name, note, is_active
    definition.save(update_fields=["name", "note", "is_active"])
    audit.record(
        actor=actor,
        action=AuditAction.MEASURE_DEFINE,
        school=school,
        target=definition,
        client=client,
        name=name,
    )
    return definition


@transaction.atomic
def set_bands(*, actor, school, definition, bands: dict, client=None) -> MeasureDefinition:
    """Replace the bands of a school's own measure: ``bands`` maps a subscale key to its bands
    as (name, low, high), best first (an empty list: no bands). Results keep their scores; the
    bands they are shown in follow the measure."""
    if definition.school_id != school.pk:
        raise ValidationError("Built-in measures cannot be changed: make a school copy.")
    subscales = {s.key: s for s in definition.subscales.all()}
    Band.objects.filter(subscale__definition=definition, subscale__key__in=bands).delete()
    for key, rows in bands.items():
        _add_bands(subscales[key], rows)
    audit.record(
        actor=actor,
        action=AuditAction.MEASURE_DEFINE,
        school=school,
        target=definition,
        client=client,
        bands=sorted(bands),
    )
    return definition


@submitted_once
@transaction.atomic
def copy_measure(*, actor, school, definition, client=None) -> MeasureDefinition:
    """A school's own copy of a measure (items, subscales, total rule, versions and bands), so
    it can enter band sets not shipped, e.g. the SDQ self-report's from its scoring sheet."""
    copy = MeasureDefinition.objects.create(
        school=school,
        key=_key_for(school, f"{definition.key}-school"),
        name=f"{definition.name} (school bands)",
        instrument=definition.instrument,
        informant=definition.informant,
        total_rule=definition.total_rule,
        versions=definition.versions,
        item_count=definition.item_count,
        item_max=definition.item_max,
        note=definition.note,
    )
    for subscale in definition.subscales.all():
        bands = list(subscale.bands.all())
        subscale.pk, subscale.definition = None, copy
        subscale.save()
        Band.objects.bulk_create(
            Band(subscale=subscale, name=b.name, position=b.position, low=b.low, high=b.high)
            for b in bands
        )
    audit.record(
        actor=actor,
        action=AuditAction.MEASURE_DEFINE,
        school=school,
        target=copy,
        client=client,
        copied_from=definition.key,
    )
    return copy
