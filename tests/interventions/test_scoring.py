"""SDQ and generic scoring against examples worked by hand, on the built-in definitions the
migration ships (so their items, reverse items and bands are checked too)."""

import pytest
from django.core.exceptions import ValidationError

from interventions import scoring
from interventions.models import Informant, MeasureDefinition, Subscale, TotalRule


@pytest.fixture
def sdq_teacher(db):
    return MeasureDefinition.objects.prefetch_related("subscales__bands").get(key="sdq-teacher")


@pytest.fixture
def sdq_parent(db):
    return MeasureDefinition.objects.prefetch_related("subscales__bands").get(key="sdq-parent")


def sub(definition, key):
    return next(s for s in definition.subscales.all() if s.key == key)


def score(definition, items):
    return scoring.score_items(
        definition.subscales.all(), items, item_max=2, total_rule=definition.total_rule
    )


def all_items(value):
    return dict.fromkeys(range(1, 26), value)


def test_reverse_items_count_two_minus_the_tick(sdq_teacher):
    # Every item ticked 0. Reverse items: conduct 7 → 2; peer 11, 14 → 2 + 2 = 4;
    # hyperactivity 21, 25 → 2 + 2 = 4. Emotional and prosocial have none → 0.
    scores = score(sdq_teacher, all_items(0))
    assert scores == {
        "emotional": 0,
        "conduct": 2,
        "hyperactivity": 4,
        "peer": 4,
        "prosocial": 0,
        "total": 10,  # 0 + 2 + 4 + 4
    }


def test_all_items_ticked_one_gives_five_a_subscale(sdq_teacher):
    # 1 reversed is still 1: each subscale 5 × 1 = 5; total 4 × 5 = 20.
    scores = score(sdq_teacher, all_items(1))
    assert scores["conduct"] == 5 and scores["total"] == 20 and scores["prosocial"] == 5


def test_a_subscale_of_five_items_is_their_sum(sdq_teacher):
    # Emotional items 3, 8, 13, 16, 24 scored 2, 1, 0, 2, 1 → 6.
    items = {3: 2, 8: 1, 13: 0, 16: 2, 24: 1}
    assert scoring.subscale_from_items(sub(sdq_teacher, "emotional"), items, 2) == 6


def test_four_items_present_are_prorated(sdq_teacher):
    # Emotional 3, 8, 13, 16 = 2 + 1 + 0 + 2 = 5 (24 missing): 5 / 4 × 5 = 6.25 → 6.
    items = {3: 2, 8: 1, 13: 0, 16: 2}
    assert scoring.subscale_from_items(sub(sdq_teacher, "emotional"), items, 2) == 6
    # 2 + 0 + 0 + 1 = 3: 3 / 4 × 5 = 3.75 → 4; 1 + 1 + 0 + 0 = 2: 2.5 → 3 (half up).
    assert (
        scoring.subscale_from_items(sub(sdq_teacher, "emotional"), {3: 2, 8: 0, 13: 0, 16: 1}, 2)
        == 4
    )
    assert (
        scoring.subscale_from_items(sub(sdq_teacher, "emotional"), {3: 1, 8: 1, 13: 0, 16: 0}, 2)
        == 3
    )


def test_three_items_present_are_prorated_half_up(sdq_teacher):
    # Emotional 3, 8, 13 = 2 + 1 + 1 = 4: 4 / 3 × 5 = 6.67 → 7.
    items = {3: 2, 8: 1, 13: 1}
    assert scoring.subscale_from_items(sub(sdq_teacher, "emotional"), items, 2) == 7
    # Conduct 5, 7, 12 with 7 reversed: 1 + (2 − 2) + 0 = 1: 1 / 3 × 5 = 1.67 → 2.
    assert scoring.subscale_from_items(sub(sdq_teacher, "conduct"), {5: 1, 7: 2, 12: 0}, 2) == 2


def test_two_items_present_leave_the_subscale_missing(sdq_teacher):
    assert scoring.subscale_from_items(sub(sdq_teacher, "emotional"), {3: 2, 8: 2}, 2) is None


def test_total_is_missing_when_a_difficulty_subscale_is_missing(sdq_teacher):
    items = all_items(1)
    for item in (6, 11, 14):  # three of peer's five gone: only 2 left
        del items[item]
    scores = score(sdq_teacher, items)
    assert scores["peer"] is None
    assert scores["total"] is None
    assert scores["emotional"] == 5


def test_prosocial_does_not_count_towards_the_total(sdq_teacher):
    items = all_items(1)
    for item in (1, 4, 9):  # prosocial missing
        del items[item]
    scores = score(sdq_teacher, items)
    assert scores["prosocial"] is None and scores["total"] == 20


def test_scores_entered_per_subscale_make_the_total(sdq_teacher):
    scores = scoring.score_subscales(
        sdq_teacher.subscales.all(),
        {"emotional": 6, "conduct": 3, "hyperactivity": 8, "peer": 2, "prosocial": 5},
        total_rule=TotalRule.SUM_ALL_OR_MISSING,
    )
    assert scores["total"] == 19  # 6 + 3 + 8 + 2


def test_a_subscale_score_out_of_range_is_refused(sdq_teacher):
    with pytest.raises(ValidationError) as caught:
        scoring.score_subscales(
            sdq_teacher.subscales.all(), {"emotional": 11}, total_rule=sdq_teacher.total_rule
        )
    assert "from 0 to 10" in str(caught.value.message_dict["emotional"])


def test_generic_scale_has_no_total_and_checks_its_range():
    rating = Subscale(key="rating", name="Rating", minimum=1, maximum=10, higher_is_better=True)
    assert scoring.score_subscales([rating], {"rating": 7}, total_rule=TotalRule.NONE) == {
        "rating": 7
    }
    with pytest.raises(ValidationError):
        scoring.score_subscales([rating], {"rating": 0}, total_rule=TotalRule.NONE)


def test_impact_teacher_three_items_and_parent_five():
    # Teacher: "a great deal" (2) + "quite a lot" (1) + "only a little" (0) = 3, of 6.
    assert scoring.impact_score(Informant.TEACHER, difficulties=True, answers=[3, 2, 1]) == 3
    assert scoring.impact_max(Informant.TEACHER) == 6
    # Parent: 2 + 2 + 1 + 0 + 0 = 5, of 10.
    assert scoring.impact_score(Informant.PARENT, difficulties=True, answers=[3, 3, 2, 1, 0]) == 5
    assert scoring.impact_max(Informant.PARENT) == 10 == scoring.impact_max(Informant.SELF)
    # "No difficulties": 0 without the items; a missing answer: no score.
    assert scoring.impact_score(Informant.PARENT, difficulties=False) == 0
    assert scoring.impact_score(Informant.TEACHER, difficulties=True, answers=[3, None, 1]) is None


@pytest.mark.parametrize(
    ("key", "value", "band"),
    [
        ("total", 11, "Close to average"),
        ("total", 12, "Slightly raised"),
        ("total", 18, "High"),
        ("total", 19, "Very high"),
        ("emotional", 5, "High"),
        ("hyperactivity", 7, "Slightly raised"),
        ("peer", 6, "Very high"),
        ("prosocial", 6, "Close to average"),
        ("prosocial", 5, "Slightly lowered"),
        ("prosocial", 4, "Low"),
        ("prosocial", 3, "Very low"),
    ],
)
def test_teacher_four_bands(sdq_teacher, key, value, band):
    assert scoring.band_of(sub(sdq_teacher, key), value).name == band


@pytest.mark.parametrize(
    ("key", "value", "band"),
    [
        ("total", 13, "Close to average"),
        ("total", 14, "Slightly raised"),
        ("total", 17, "High"),
        ("conduct", 4, "High"),
        ("hyperactivity", 6, "Slightly raised"),
        ("prosocial", 8, "Close to average"),
        ("prosocial", 7, "Slightly lowered"),
        ("prosocial", 6, "Low"),
    ],
)
def test_parent_three_bands(sdq_parent, key, value, band):
    assert scoring.band_of(sub(sdq_parent, key), value).name == band


def test_band_positions_run_from_best(sdq_teacher):
    prosocial = sub(sdq_teacher, "prosocial")
    assert [(b.position, b.low, b.high) for b in prosocial.bands.all()] == [
        (0, 6, 10),
        (1, 5, 5),
        (2, 4, 4),
        (3, 0, 3),
    ]


def test_sdq_self_ships_no_bands(db):
    self_report = MeasureDefinition.objects.get(key="sdq-self")
    assert "11" in self_report.name and "17" in self_report.name
    assert not any(s.bands.exists() for s in self_report.subscales.all())


def test_no_band_for_a_missing_score(sdq_teacher):
    assert scoring.band_of(sub(sdq_teacher, "total"), None) is None


def test_change_is_positive_when_better_whichever_way_the_subscale_runs(sdq_teacher):
    # Total difficulties 20 → 14: 6 fewer difficulties = +6. Prosocial 4 → 7: +3.
    assert scoring.change(sub(sdq_teacher, "total"), 20, 14) == 6
    assert scoring.change(sub(sdq_teacher, "prosocial"), 4, 7) == 3
    assert scoring.change(sub(sdq_teacher, "total"), 14, 20) == -6
    assert scoring.change(sub(sdq_teacher, "total"), None, 20) is None


def test_boxall_results_compare_only_within_one_version(db):
    boxall = MeasureDefinition.objects.get(key="boxall")
    assert boxall.versions == ["Primary (2017)", "Young people"]
    assert scoring.comparable(boxall, "Primary (2017)", "Primary (2017)")
    assert not scoring.comparable(boxall, "Primary (2017)", "Young people")
    assert scoring.comparable(MeasureDefinition.objects.get(key="sdq-teacher"), "", "")


def test_boxall_developmental_higher_is_better_diagnostic_lower(db):
    subscales = {s.key: s for s in MeasureDefinition.objects.get(key="boxall").subscales.all()}
    assert subscales["organisation"].higher_is_better
    assert subscales["internalisation"].higher_is_better
    assert not subscales["self_limiting"].higher_is_better
    assert scoring.change(subscales["unsupported"], 30, 20) == 10
