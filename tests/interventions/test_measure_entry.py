"""Entering the SDQ impact supplement by item, and the Boxall Profile's strands under their
clusters: through the record-a-result page and through the service."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from interventions import scoring
from interventions.models import MeasureDefinition, MeasureResult, SubscaleScore
from interventions.services.measures import record_result
from semh.access import Role

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
ALL_ONES = {f"item_{n}": "1" for n in range(1, 26)}


@pytest.fixture
def pupil(cast):
    return cast.caseload[0]


def definition(key):
    return MeasureDefinition.objects.get(school__isnull=True, key=key)


def url(cast, pupil, measure, **query):
    base = reverse("interventions:result_create", args=[cast.school_a.slug, pupil.pk])
    return f"{base}?definition={measure.pk}" + "".join(f"&{k}={v}" for k, v in query.items())


def post(client, cast, pupil, measure, clock, **data):
    page = client.get(url(cast, pupil, measure, entry=data.get("entry", "items")))
    data = {
        "point": "baseline",
        "taken_on": clock.today.isoformat(),
        "completed_by": "Class teacher",
        "submission_key": KEY.search(page.content.decode())[1],
        **data,
    }
    return client.post(url(cast, pupil, measure), data)


def only_result(pupil):
    with scopes_disabled():
        return MeasureResult.objects.get(pupil=pupil)


def scores_of(result):
    with scopes_disabled():
        return dict(
            SubscaleScore.objects.filter(result=result).values_list("subscale__key", "score")
        )


def service_args(cast, pupil, clock, measure, **more):
    return {
        "actor": cast.user(Role.SENCO),
        "school": cast.school_a,
        "pupil": pupil,
        "definition": measure,
        "point": "baseline",
        "taken_on": clock.today,
        "completed_by": "Class teacher",
        **more,
    }


# --- SDQ impact supplement by item ------------------------------------------------------------


def test_the_sdq_item_page_asks_the_impact_items_of_the_teacher_form(client, cast, pupil):
    client.force_login(cast.user(Role.ASSISTANT))
    page = client.get(url(cast, pupil, definition("sdq-teacher"), entry="items")).content
    assert b"Impact supplement" in page and b"Any difficulties?" in page
    assert page.count(b'class="impact-row') == 3
    assert b"Impact item 3" in page and b"Impact item 4" not in page
    assert b"Quite a lot" in page and b"A great deal" in page
    assert b'name="impact"' not in page  # no single number when entering by item


def test_the_subscale_totals_page_keeps_the_impact_score_as_one_number(client, cast, pupil):
    client.force_login(cast.user(Role.ASSISTANT))
    page = client.get(url(cast, pupil, definition("sdq-teacher"), entry="subscales")).content
    assert b'name="impact"' in page and b"impact_difficulties" not in page


def test_teacher_impact_items_are_scored_0_0_1_2_through_the_page(client, cast, pupil, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    # Ticked (left to right) "quite a lot", "only a little", "a great deal": 1 + 0 + 2 = 3 of 6.
    response = post(
        client,
        cast,
        pupil,
        definition("sdq-teacher"),
        clock,
        entry="items",
        impact_difficulties="yes",
        impact_1="2",
        impact_2="1",
        impact_3="3",
        **ALL_ONES,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    result = only_result(pupil)
    assert result.impact == 3
    assert result.item_scores["impact_difficulties"] == "yes"
    assert [result.item_scores[f"impact_{n}"] for n in (1, 2, 3)] == [2, 1, 3]
    assert result.item_scores["1"] == 1  # the 25 item scores are kept as before
    detail = client.get(response["Location"]).content.decode()
    assert re.search(r"Impact supplement <small[^>]*>by item</small></th><td>3</td>", detail)


def test_parent_impact_five_items_through_the_page(client, cast, pupil, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    # "a great deal" 2 + "quite a lot" 1 + "not at all" 0 + "a great deal" 2 + "only a little" 0
    # = 5 of 10.
    response = post(
        client,
        cast,
        pupil,
        definition("sdq-parent"),
        clock,
        entry="items",
        completed_by="Mum",
        impact_difficulties="yes",
        impact_1="3",
        impact_2="2",
        impact_3="0",
        impact_4="3",
        impact_5="1",
        **ALL_ONES,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert only_result(pupil).impact == 5


def test_no_difficulties_gives_impact_0_without_the_items(client, cast, pupil, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    response = post(
        client,
        cast,
        pupil,
        definition("sdq-teacher"),
        clock,
        entry="items",
        impact_difficulties="no",
        **ALL_ONES,
    )
    assert response.status_code == 302
    result = only_result(pupil)
    assert result.impact == 0
    assert result.item_scores["impact_difficulties"] == "no"
    assert not any(k.startswith("impact_") and k[-1].isdigit() for k in result.item_scores)
    detail = client.get(response["Location"]).content.decode()
    assert re.search(
        r"Impact supplement <small[^>]*>no difficulties</small></th><td>0</td>", detail
    )


def test_impact_not_completed_leaves_no_impact_score(client, cast, pupil, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    post(client, cast, pupil, definition("sdq-teacher"), clock, entry="items", **ALL_ONES)
    result = only_result(pupil)
    assert result.impact is None and "impact_difficulties" not in result.item_scores


@pytest.mark.parametrize(
    ("said", "answers", "message"),
    [
        ("yes", {"impact_1": "4", "impact_2": "0", "impact_3": "0"}, b"Select a valid choice"),
        ("yes", {"impact_1": "2", "impact_2": "0"}, b"Answer all 3 impact items."),
        ("no", {"impact_1": "2"}, b"the impact items are left blank"),
        ("", {"impact_1": "2"}, b"Say whether there are any difficulties."),
    ],
)
def test_impact_answers_that_do_not_fit_are_shown_not_saved(
    client, cast, pupil, clock, said, answers, message
):
    client.force_login(cast.user(Role.ASSISTANT))
    response = post(
        client,
        cast,
        pupil,
        definition("sdq-teacher"),
        clock,
        entry="items",
        impact_difficulties=said,
        **answers,
        **ALL_ONES,
    )
    assert response.status_code == 200
    assert message in response.content
    with scopes_disabled():
        assert not MeasureResult.objects.exists()


def test_the_service_scores_teacher_and_parent_impact_items(cast, pupil, clock):
    items = dict.fromkeys(range(1, 26), 1)
    teacher = record_result(
        **service_args(
            cast,
            pupil,
            clock,
            definition("sdq-teacher"),
            item_scores=items,
            impact_difficulties=True,
            impact_answers=[2, 1, 3],  # 1 + 0 + 2 = 3
        )
    )
    parent = record_result(
        **service_args(
            cast,
            pupil,
            clock,
            definition("sdq-parent"),
            item_scores=items,
            impact_difficulties=True,
            impact_answers=[0, 1, 1, 2, 3],  # 0 + 0 + 0 + 1 + 2 = 3
        )
    )
    none = record_result(
        **service_args(
            cast,
            pupil,
            clock,
            definition("sdq-self"),
            item_scores=items,
            impact_difficulties=False,
        )
    )
    assert (teacher.impact, parent.impact, none.impact) == (3, 3, 0)
    assert parent.item_scores["impact_5"] == 3


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"impact_difficulties": True, "impact_answers": [0, 4, 1]}, "0 to 3"),
        ({"impact_difficulties": True, "impact_answers": [0, -1, 1]}, "0 to 3"),
        ({"impact_difficulties": True, "impact_answers": [0, 1]}, "Answer all 3"),
        ({"impact_difficulties": False, "impact_answers": [1, 1, 1]}, "left blank"),
        ({"impact_difficulties": True, "impact_answers": [1, 1, 1], "impact": 2}, "not both"),
    ],
)
def test_the_service_refuses_impact_answers_out_of_range(cast, pupil, clock, more, message):
    args = service_args(cast, pupil, clock, definition("sdq-teacher"), item_scores={1: 1}, **more)
    with pytest.raises(ValidationError, match=message):
        record_result(**args)
    with scopes_disabled():
        assert not MeasureResult.objects.exists()


def test_impact_items_go_only_with_sdq_item_scores(cast, pupil, clock):
    args = service_args(
        cast,
        pupil,
        clock,
        definition("sdq-teacher"),
        subscale_scores={"emotional": 3},
        impact_difficulties=False,
    )
    with pytest.raises(ValidationError, match="go with SDQ item scores"):
        record_result(**args)


def test_impact_from_answers_keeps_the_ticks_and_scores_them():
    # Self-report: 1 + 1 + 2 + 0 + 0 = 4 of 10.
    impact, kept = scoring.impact_from_answers("self", difficulties=True, answers=[2, 2, 3, 1, 0])
    assert impact == 4
    assert kept == {
        "impact_difficulties": "yes",
        "impact_1": 2,
        "impact_2": 2,
        "impact_3": 3,
        "impact_4": 1,
        "impact_5": 0,
    }


# --- Boxall strands ---------------------------------------------------------------------------

CLUSTER_STRANDS = {
    "organisation": "abcde",
    "internalisation": "fghij",
    "self_limiting": "qr",
    "undeveloped": "stu",
    "unsupported": "vwxyz",
}


def test_boxall_has_each_strand_under_its_cluster_running_its_way(db):
    subscales = list(definition("boxall").subscales.all())
    clusters = {s.key: s for s in subscales if not s.cluster_key}
    assert set(clusters) == set(CLUSTER_STRANDS)
    for cluster, letters in CLUSTER_STRANDS.items():
        strands = [s for s in subscales if s.cluster_key == cluster]
        assert [s.key for s in strands] == [f"strand_{x}" for x in letters]
        assert {s.higher_is_better for s in strands} == {clusters[cluster].higher_is_better}
    names = {s.key: s.name for s in subscales}
    assert names["strand_a"] == "A. Gives purposeful attention"
    assert names["strand_z"] == "Z. Wants, grabs, disregarding others"
    assert names["strand_j"] == "J. Maintains internalised standards"
    # The clusters stay the headline and come first.
    assert [s.key for s in subscales[:5]] == list(CLUSTER_STRANDS)
    assert subscales[0].is_headline and sum(s.is_headline for s in subscales) == 1
    assert "0–40" in definition("boxall").note


def test_the_boxall_page_groups_strands_under_their_cluster_headings(client, cast, pupil):
    client.force_login(cast.user(Role.ASSISTANT))
    page = client.get(url(cast, pupil, definition("boxall"))).content.decode()
    headings = re.findall(r"<legend>([^<]+)</legend>", page)
    assert [h for h in headings if h.startswith(("Developmental", "Diagnostic"))] == [
        "Developmental: Organisation of Experience",
        "Developmental: Internalisation of Controls",
        "Diagnostic: Self-limiting features",
        "Diagnostic: Undeveloped behaviour",
        "Diagnostic: Unsupported development",
    ]
    # Self-limiting features: its cluster score, then Q and R, before the next heading.
    section = page.split("Diagnostic: Self-limiting features")[1].split("Diagnostic: Undeveloped")[
        0
    ]
    assert section.index("score_self_limiting") < section.index("score_strand_q")
    assert "R. Self-negating (0–40)" in section and "score_strand_s" not in section


def test_staff_enter_strands_and_clusters_as_printed(client, cast, pupil, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    response = post(
        client,
        cast,
        pupil,
        definition("boxall"),
        clock,
        entry="subscales",
        completed_by="Nurture lead",
        version="Primary (2017)",
        score_organisation="31",
        score_strand_a="8",
        score_strand_b="7",
        score_strand_q="3",
        score_strand_r="2",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    scores = scores_of(only_result(pupil))
    assert scores["organisation"] == 31 and scores["strand_a"] == 8 and scores["strand_q"] == 3
    # Every strand of Self-limiting features entered, its cluster not: the cluster is left as
    # entered (missing), never worked out from the strands.
    assert scores["self_limiting"] is None
    assert scores["strand_c"] is None
    detail = client.get(response["Location"]).content.decode()
    assert "A. Gives purposeful attention" in detail and "C. Connects up" not in detail
    assert "Diagnostic: Self-limiting features" in detail  # clusters always listed


def test_strands_alone_are_a_result(cast, pupil, clock):
    result = record_result(
        **service_args(
            cast,
            pupil,
            clock,
            definition("boxall"),
            version="Young people",
            subscale_scores={"strand_f": 12},
        )
    )
    assert scores_of(result)["strand_f"] == 12


def test_a_strand_out_of_its_range_is_refused(client, cast, pupil, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    response = post(
        client,
        cast,
        pupil,
        definition("boxall"),
        clock,
        entry="subscales",
        version="Primary (2017)",
        score_strand_a="41",
    )
    assert response.status_code == 200
    with pytest.raises(ValidationError, match="from 0 to 40"):
        record_result(
            **service_args(
                cast,
                pupil,
                clock,
                definition("boxall"),
                version="Primary (2017)",
                subscale_scores={"strand_b": 41},
            )
        )
    with scopes_disabled():
        assert not MeasureResult.objects.exists()


def test_strands_still_need_the_version(cast, pupil, clock):
    args = service_args(cast, pupil, clock, definition("boxall"), subscale_scores={"strand_a": 5})
    with pytest.raises(ValidationError, match="Say which version"):
        record_result(**args)
    boxall = definition("boxall")
    assert scoring.comparable(boxall, "Primary (2017)", "Primary (2017)")
    assert not scoring.comparable(boxall, "Primary (2017)", "Young people")


def test_the_pupil_history_shows_strands_only_once_one_is_scored(client, cast, pupil, clock):
    client.force_login(cast.user(Role.SENCO))
    boxall = definition("boxall")
    record_result(
        **service_args(
            cast,
            pupil,
            clock,
            boxall,
            version="Primary (2017)",
            subscale_scores={"organisation": 30, "internalisation": 25},
        )
    )
    section = reverse("interventions:pupil_interventions", args=[cast.school_a.slug, pupil.pk])
    page = client.get(section).content.decode()
    assert "Developmental: Internalisation of Controls" in page
    assert "Gives purposeful attention" not in page
    record_result(
        **service_args(
            cast,
            pupil,
            clock,
            boxall,
            point="review",
            version="Primary (2017)",
            subscale_scores={"organisation": 34, "strand_a": 9},
        )
    )
    page = client.get(section).content.decode()
    assert "A. Gives purposeful attention" in page
    assert "Connects up experiences" not in page  # strand C never scored


def test_a_school_copy_of_the_boxall_keeps_its_strands_grouped(cast):
    from interventions.services.measures import copy_measure

    copy = copy_measure(
        actor=cast.user(Role.SENCO), school=cast.school_a, definition=definition("boxall")
    )
    strands = copy.subscales.exclude(cluster_key="")
    assert strands.count() == 20
    assert set(
        strands.filter(key__in=["strand_q", "strand_r"]).values_list("cluster_key", flat=True)
    ) == {"self_limiting"}


def test_effectiveness_leads_with_the_clusters_and_shows_only_strands_scored(cast, clock):
    from datetime import date

    from interventions import effectiveness
    from tests.factories.interventions import EnrolmentFactory, GroupFactory, ProgrammeFactory

    boxall = definition("boxall")
    with scopes_disabled():
        programme = ProgrammeFactory(school=cast.school_a, name="Nurture group")
        group = GroupFactory(programme=programme, starts_on=date(2026, 9, 7), weekday=0)
        enrolment = EnrolmentFactory(group=group, starts_on=date(2026, 9, 7))
    for point, taken_on, scores in [
        ("baseline", date(2026, 9, 8), {"organisation": 20, "strand_a": 4}),
        ("exit", date(2026, 11, 20), {"organisation": 29, "strand_a": 7}),
    ]:
        record_result(
            **service_args(
                cast,
                enrolment.pupil,
                clock,
                boxall,
                point=point,
                taken_on=taken_on,
                version="Primary (2017)",
                subscale_scores=scores,
                enrolment=enrolment,
            )
        )
    with scopes_disabled():
        change = effectiveness.measure_change(
            cast.school_a,
            definition=boxall,
            first=date(2026, 9, 1),
            last=date(2026, 11, 25),
            group=group,
        )
    assert change.paired == 1
    assert change.headline.key == "organisation"
    # The five clusters (scored or not), then strand A, the one strand with a pair: 4 → 7.
    assert [s.key for s in change.subscales] == [*CLUSTER_STRANDS, "strand_a"]
    assert [(p.pre, p.post, p.change) for p in change.subscales[-1].pupils] == [(4, 7, 3)]
