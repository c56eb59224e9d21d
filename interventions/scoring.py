"""Scoring measures: pure functions over a definition's subscales, no database.

They take ``Subscale`` rows (or anything with the same attributes) and plain numbers, and read a
subscale's bands from ``subscale.bands.all()`` — prefetch them (``prefetch_related("bands")``) and
no query is made.

SDQ (and any definition entered by items):

- Items are scored 0/1/2 as ticked; an item a subscale reverse-scores counts ``item_max − score``
  (0↔2, 1 stays 1).
- A subscale is scored when at least 3 of its 5 items are present (three fifths, in general):
  the mean of the items present × the number of items, rounded half up (4 from 3 items → 6.67 → 7).
  With fewer it is missing (None).
- The total (``TotalRule.SUM_ALL_OR_MISSING``) is the sum of the subscales ``in_total`` (the four
  difficulty subscales), missing if any of them is missing.
- The impact supplement: each impact item counts 0/0/1/2 ("not at all" / "only a little" / "quite
  a lot" / "a great deal"); 3 items on the teacher form (0–6), 5 on the parent and self forms
  (0–10); 0 when the answer to "any difficulties?" is no.

Every other measure (Boxall, a self-rating, a school's own scale) is entered per subscale: each
score is checked against its subscale's range, and the total is formed by the same rule.

``change`` is the one direction-aware difference, used by effectiveness: positive = better.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from .change import directed
from .models import Informant, TotalRule

# Impact supplement: items per informant, and what each answer (in the printed order) counts.
IMPACT_ITEMS = {Informant.TEACHER: 3, Informant.PARENT: 5, Informant.SELF: 5}
IMPACT_ANSWER_SCORES = (0, 0, 1, 2)
IMPACT_ANSWERS = ("Not at all", "Only a little", "Quite a lot", "A great deal")


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def enough_items(present: int, of: int) -> bool:
    """At least three fifths of a subscale's items (3 of 5) must be answered to score it."""
    return present * 5 >= of * 3


def item_score(subscale, item: int, value: int, item_max: int) -> int:
    return item_max - value if item in subscale.reverse_items else value


def subscale_from_items(subscale, item_scores: dict, item_max: int) -> int | None:
    """One subscale's score from the item scores (item number → score; items may be missing),
    reverse-scored and prorated as above; None when too few items are present."""
    present = [
        item_score(subscale, item, item_scores[item], item_max)
        for item in subscale.items
        if item_scores.get(item) is not None
    ]
    if not subscale.items or not enough_items(len(present), len(subscale.items)):
        return None
    if len(present) == len(subscale.items):
        return sum(present)
    return round_half_up(Decimal(sum(present)) * len(subscale.items) / len(present))


def total_of(subscales, scores: dict, total_rule: str) -> int | None:
    """The total by the definition's rule: the subscales that count, missing if any is missing."""
    if total_rule != TotalRule.SUM_ALL_OR_MISSING:
        return None
    counted = [scores.get(s.key) for s in subscales if s.in_total]
    if not counted or any(score is None for score in counted):
        return None
    return sum(counted)


def _with_total(subscales, scores: dict, total_rule: str) -> dict:
    for subscale in subscales:
        if subscale.is_total:
            scores[subscale.key] = total_of(subscales, scores, total_rule)
    return scores


def normalise_items(item_scores: dict, *, item_count: int, item_max: int) -> dict:
    """Item scores keyed by item number (JSON keys are strings); ``ValidationError`` for an item
    outside 1…item_count or a score outside 0…item_max."""
    items = {}
    for key, value in item_scores.items():
        try:
            item = int(key)
        except (TypeError, ValueError):
            raise ValidationError(f"Item “{key}” is not an item number.") from None
        if not 1 <= item <= item_count:
            raise ValidationError(f"There is no item {item} (items are 1 to {item_count}).")
        if value is None:
            continue
        if not isinstance(value, int) or not 0 <= value <= item_max:
            raise ValidationError(f"Item {item} must be scored 0 to {item_max}.")
        items[item] = value
    return items


def score_items(subscales, item_scores: dict, *, item_max: int, total_rule: str) -> dict:
    """Every subscale's score (the total included) from item scores: {subscale key: int | None}."""
    subscales = list(subscales)
    scores = {
        s.key: subscale_from_items(s, item_scores, item_max) for s in subscales if not s.is_total
    }
    return _with_total(subscales, scores, total_rule)


def score_subscales(subscales, entered: dict, *, total_rule: str) -> dict:
    """Every subscale's score from scores entered per subscale ({key: int | None}, None or absent:
    missing), each checked against its range; the total formed by the rule, never entered.
    ``ValidationError`` keyed by subscale key for a score out of range or no score at all."""
    subscales = list(subscales)
    scores, errors = {}, {}
    for subscale in subscales:
        if subscale.is_total:
            continue
        value = entered.get(subscale.key)
        if value is not None and not subscale.minimum <= value <= subscale.maximum:
            errors[subscale.key] = [
                f"{subscale.name}: enter a score from {subscale.minimum} to {subscale.maximum}."
            ]
        scores[subscale.key] = value
    if errors:
        raise ValidationError(errors)
    if all(value is None for value in scores.values()):
        raise ValidationError("Enter at least one score.")
    return _with_total(subscales, scores, total_rule)


def impact_max(informant: str) -> int | None:
    """The impact supplement's highest score for the informant (None: the form has none)."""
    items = IMPACT_ITEMS.get(informant)
    return items * max(IMPACT_ANSWER_SCORES) if items else None


def impact_score(informant: str, *, difficulties: bool, answers=()) -> int | None:
    """The impact supplement's score from the answers (each an index into ``IMPACT_ANSWERS``):
    0 when the answer to "any difficulties?" is no; None when an answer is missing."""
    if not difficulties:
        return 0
    items = IMPACT_ITEMS[informant]
    answers = list(answers)
    if len(answers) != items or any(a is None for a in answers):
        return None
    return sum(IMPACT_ANSWER_SCORES[a] for a in answers)


def impact_from_answers(informant: str, *, difficulties: bool, answers=()) -> tuple[int, dict]:
    """The impact supplement entered by item: its score, and what to keep of it in a result's
    ``item_scores`` (``impact_difficulties`` "yes"/"no", ``impact_<n>`` the answer ticked, 0–3
    left to right). ``ValidationError`` keyed ``impact`` for answers that do not fit: an answer
    outside 0–3, a missing answer after "yes", or answers after "no"."""
    items = IMPACT_ITEMS.get(informant)
    if items is None:
        raise ValidationError({"impact": ["This measure has no impact supplement."]})
    answers = list(answers or ())
    if not difficulties:
        if any(a is not None for a in answers):
            raise ValidationError(
                {"impact": ["With no difficulties the impact items are left blank (they count 0)."]}
            )
        return 0, {"impact_difficulties": "no"}
    if len(answers) != items or any(a is None for a in answers):
        raise ValidationError({"impact": [f"Answer all {items} impact items."]})
    top = len(IMPACT_ANSWERS) - 1
    if any(not isinstance(a, int) or isinstance(a, bool) or not 0 <= a <= top for a in answers):
        raise ValidationError({"impact": [f"Each impact answer is 0 to {top}, as ticked."]})
    kept = {"impact_difficulties": "yes"} | {f"impact_{n}": a for n, a in enumerate(answers, 1)}
    return impact_score(informant, difficulties=True, answers=answers), kept


def band_of(subscale, score: int | None):
    """The band the score falls in (a ``Band``), or None (no score, or no bands)."""
    if score is None:
        return None
    for band in subscale.bands.all():
        if band.low <= score <= band.high:
            return band
    return None


def change(subscale, before: int | None, after: int | None) -> int | None:
    """How much better ``after`` is than ``before`` on this subscale: positive = better, whichever
    way the subscale runs (SDQ difficulties fall as a pupil improves, prosocial rises); None when
    either is missing. Only compare results that ``comparable`` allows."""
    if before is None or after is None:
        return None
    return directed(before, after, higher_is_better=subscale.higher_is_better)


def comparable(definition, before_version: str, after_version: str) -> bool:
    """Whether two results of a definition may be compared: a definition with versions (Boxall
    primary / young people) only between results of the same version."""
    return not definition.versions or before_version == after_version
