"""Recording measures through the pages, who may, and the pupil page's interventions section."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from interventions.models import MeasureDefinition, MeasureResult, SubscaleScore
from interventions.services.measures import define_measure, record_result
from semh.access import Role
from semh.models import AuditEvent
from tests.factories.interventions import EnrolmentFactory, GroupFactory

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


@pytest.fixture
def pupil(cast):
    return cast.caseload[0]


@pytest.fixture
def sdq(db):
    return MeasureDefinition.objects.get(key="sdq-teacher")


def new_url(cast, pupil, **query):
    url = reverse("interventions:result_create", args=[cast.school_a.slug, pupil.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section_url(cast, pupil):
    return reverse("interventions:pupil_interventions", args=[cast.school_a.slug, pupil.pk])


def base_data(clock, **more):
    return {
        "point": "exit",
        "taken_on": clock.today.isoformat(),
        "completed_by": "Class teacher",
        **more,
    }


def scores_of(result):
    with scopes_disabled():
        return dict(
            SubscaleScore.objects.filter(result=result).values_list("subscale__key", "score")
        )


def test_assistant_records_an_sdq_by_item_scores_on_the_phone_page(client, cast, pupil, sdq, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    page = client.get(new_url(cast, pupil, definition=sdq.pk))
    assert page.status_code == 200
    assert page.content.count(b'class="item-row') == 25
    key = KEY.search(page.content.decode())[1]
    # Every item ticked 1 except the emotional items 3, 8, 13 ticked 2 and 16, 24 not answered:
    # emotional 2 + 2 + 2 = 6 from 3 items → 6 / 3 × 5 = 10; conduct, hyperactivity, peer 5
    # each (1 reversed is 1); total 10 + 15 = 25; prosocial 5.
    items = {f"item_{n}": "1" for n in range(1, 26)}
    items.update({"item_3": "2", "item_8": "2", "item_13": "2", "item_16": "", "item_24": ""})
    response = client.post(
        new_url(cast, pupil, definition=sdq.pk),
        base_data(
            clock,
            entry="items",
            submission_key=key,
            # Impact: yes; "a great deal" (2) + "only a little" (0) + "not at all" (0) = 2.
            impact_difficulties="yes",
            impact_1="3",
            impact_2="1",
            impact_3="0",
            **items,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        result = MeasureResult.objects.get(pupil=pupil)
        assert result.item_scores["3"] == 2 and "16" not in result.item_scores
        assert result.impact == 2
        assert AuditEvent.objects.filter(action="interventions.measure_record").count() == 1
    assert scores_of(result) == {
        "emotional": 10,
        "conduct": 5,
        "hyperactivity": 5,
        "peer": 5,
        "prosocial": 5,
        "total": 25,
    }
    detail = client.get(response["Location"])
    assert b"Very high" in detail.content  # total 25 on the teacher bands


def test_sdq_by_subscale_totals_makes_the_total(client, cast, pupil, sdq, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    page = client.get(new_url(cast, pupil, definition=sdq.pk, entry="subscales"))
    assert b"Enter item scores instead" in page.content
    data = base_data(
        clock,
        entry="subscales",
        score_emotional="3",
        score_conduct="2",
        score_hyperactivity="5",
        score_peer="1",
        score_prosocial="8",
    )
    response = client.post(new_url(cast, pupil, definition=sdq.pk), data)
    assert response.status_code == 302
    with scopes_disabled():
        result = MeasureResult.objects.get(pupil=pupil)
    assert scores_of(result)["total"] == 11  # 3 + 2 + 5 + 1


def test_a_double_tapped_save_records_once(client, cast, pupil, sdq, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    key = KEY.search(client.get(new_url(cast, pupil, definition=sdq.pk)).content.decode())[1]
    data = base_data(clock, entry="subscales", submission_key=key, score_emotional="4")
    first = client.post(new_url(cast, pupil, definition=sdq.pk), data)
    second = client.post(new_url(cast, pupil, definition=sdq.pk), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert MeasureResult.objects.filter(pupil=pupil).count() == 1


def test_an_out_of_range_subscale_score_is_shown_not_saved(client, cast, pupil, sdq, clock):
    client.force_login(cast.user(Role.ASSISTANT))
    data = base_data(clock, entry="subscales", score_emotional="11")
    response = client.post(new_url(cast, pupil, definition=sdq.pk), data)
    assert response.status_code == 200
    with scopes_disabled():
        assert not MeasureResult.objects.exists()


def test_assistant_outside_the_caseload_gets_not_found(client, cast, sdq):
    client.force_login(cast.assistant_no_caseload)
    assert client.get(new_url(cast, cast.caseload[0], definition=sdq.pk)).status_code == 404
    assert client.get(section_url(cast, cast.caseload[0])).status_code == 404


def test_admin_is_refused(client, cast, pupil, sdq):
    client.force_login(cast.user(Role.ADMIN))
    assert client.get(new_url(cast, pupil, definition=sdq.pk)).status_code == 403
    assert client.get(section_url(cast, pupil)).status_code == 403


def test_another_schools_pupil_is_not_found(client, cast, sdq):
    client.force_login(cast.user(Role.SENCO))
    other = cast.pupils_b[0]
    assert client.get(new_url(cast, other, definition=sdq.pk)).status_code == 404
    assert client.get(section_url(cast, other)).status_code == 404


def test_boxall_needs_the_version(cast, pupil, clock):
    boxall = MeasureDefinition.objects.get(key="boxall")
    senco = cast.user(Role.SENCO)
    args = {
        "actor": senco,
        "school": cast.school_a,
        "pupil": pupil,
        "definition": boxall,
        "point": "baseline",
        "taken_on": clock.today,
        "completed_by": "Nurture lead",
        "subscale_scores": {"organisation": 40, "unsupported": 12},
    }
    with scopes_disabled():
        with pytest.raises(ValidationError) as caught:
            record_result(**args)
        assert "version" in caught.value.message_dict
        result = record_result(**args, version="Primary (2017)")
    assert result.version == "Primary (2017)"
    assert scores_of(result)["organisation"] == 40


def test_a_result_links_to_the_pupils_current_enrolment(client, cast, pupil, sdq, clock):
    with scopes_disabled():
        group = GroupFactory(
            programme__school=cast.school_a, starts_on=clock.today - timedelta(weeks=3)
        )
        enrolment = EnrolmentFactory(group=group, pupil=pupil)
    client.force_login(cast.user(Role.ASSISTANT))
    data = base_data(clock, entry="subscales", score_emotional="4", enrolment=str(enrolment.pk))
    assert client.post(new_url(cast, pupil, definition=sdq.pk), data).status_code == 302
    with scopes_disabled():
        assert MeasureResult.objects.get(pupil=pupil).enrolment == enrolment


def _record_sdq(cast, pupil, sdq, day, total_parts, point="baseline"):
    emotional, conduct, hyper, peer = total_parts
    with scopes_disabled():
        return record_result(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            pupil=pupil,
            definition=sdq,
            point=point,
            taken_on=day,
            completed_by="Class teacher",
            subscale_scores={
                "emotional": emotional,
                "conduct": conduct,
                "hyperactivity": hyper,
                "peer": peer,
                "prosocial": 6,
            },
        )


def test_the_pupil_section_charts_each_measure_with_its_bands(client, cast, pupil, sdq):
    _record_sdq(cast, pupil, sdq, date(2026, 9, 10), (6, 5, 8, 2))  # 21: very high
    _record_sdq(cast, pupil, sdq, date(2026, 11, 20), (3, 2, 5, 1), point="exit")  # 11
    client.force_login(cast.user(Role.ASSISTANT))
    response = client.get(section_url(cast, pupil), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "SDQ (teacher): Total difficulties" in html
    for band in ("Close to average", "Slightly raised", "High", "Very high"):
        assert band in html
    assert "10/09/2026" in html and "20/11/2026" in html  # the data table
    assert "<html" not in html  # the fragment
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="interventions.pupil_view").count() == 1


def test_the_pupil_page_loads_the_section(client, cast, pupil):
    client.force_login(cast.user(Role.ASSISTANT))
    html = client.get(reverse("pupils:detail", args=[cast.school_a.slug, pupil.pk])).content
    assert section_url(cast, pupil).encode() in html


def test_the_pupil_section_reads_the_same_number_of_queries_for_2_or_20_results(
    client, cast, pupil, sdq, django_assert_max_num_queries
):
    boxall = MeasureDefinition.objects.get(key="boxall")
    day = date(2026, 9, 7)
    for i in range(2):
        _record_sdq(cast, pupil, sdq, day + timedelta(days=i), (3, 2, 5, 1))
    client.force_login(cast.user(Role.SENCO))
    with django_assert_max_num_queries(40) as two:
        client.get(section_url(cast, pupil), HTTP_HX_REQUEST="true")
    for i in range(18):
        _record_sdq(cast, pupil, sdq, day + timedelta(days=10 + i), (4, 2, 5, 1))
    with scopes_disabled():
        record_result(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            pupil=pupil,
            definition=boxall,
            version="Young people",
            point="baseline",
            taken_on=day,
            completed_by="Nurture lead",
            subscale_scores={"organisation": 40},
        )
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(section_url(cast, pupil), HTTP_HX_REQUEST="true")
    assert response.content.decode().count("<svg") == 2


def test_senco_withdraws_a_result_and_it_leaves_the_chart(client, cast, pupil, sdq):
    result = _record_sdq(cast, pupil, sdq, date(2026, 9, 10), (6, 5, 8, 2))
    client.force_login(cast.user(Role.SENCO))
    url = reverse("interventions:result_withdraw", args=[cast.school_a.slug, pupil.pk, result.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Wrong pupil's form"}).status_code == 302
    with scopes_disabled():
        result.refresh_from_db()
    assert result.withdrawn_reason == "Wrong pupil's form"
    html = client.get(section_url(cast, pupil), HTTP_HX_REQUEST="true").content.decode()
    assert "No measures recorded." in html


def test_assistant_cannot_withdraw(client, cast, pupil, sdq):
    result = _record_sdq(cast, pupil, sdq, date(2026, 9, 10), (6, 5, 8, 2))
    client.force_login(cast.user(Role.ASSISTANT))
    url = reverse("interventions:result_withdraw", args=[cast.school_a.slug, pupil.pk, result.pk])
    assert client.post(url, {"reason": "No"}).status_code == 403


def test_senco_defines_a_school_scale_with_bands(client, cast):
    client.force_login(cast.user(Role.SENCO))
    url = reverse("interventions:measure_create", args=[cast.school_a.slug])
    data = {
        "name": "How I feel about break time",
        "informant": "self",
        "s1_name": "Feeling",
        "s1_minimum": "1",
        "s1_maximum": "10",
        "s1_higher_is_better": "on",
        "s1_bands": "Good 7–10\nOK 4–6\nHard 1–3",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        scale = MeasureDefinition.objects.get(school=cast.school_a, name=data["name"])
        feeling = scale.subscales.get()
        assert [b.name for b in feeling.bands.all()] == ["Good", "OK", "Hard"]
        assert feeling.is_headline and feeling.higher_is_better
    built_in = MeasureDefinition.objects.get(key="sdq-teacher")
    edit = reverse("interventions:measure_edit", args=[cast.school_a.slug, built_in.pk])
    assert client.get(edit).status_code == 403


def test_a_school_scale_total_needs_scores_running_one_way(cast):
    with scopes_disabled(), pytest.raises(ValidationError):
        define_measure(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            name="Mixed",
            informant="staff",
            total=True,
            subscales=[
                {"name": "A", "minimum": 0, "maximum": 5, "higher_is_better": True},
                {"name": "B", "minimum": 0, "maximum": 5, "higher_is_better": False},
            ],
        )


def test_demo_measures_give_a_baseline_and_a_later_sdq_to_each_enrolled_pupil(cast, clock):
    import random

    from interventions.demo_measures import seed_measures

    seed_measures(school=cast.school_a, groups=[], rng=random.Random(1))
    with scopes_disabled():
        group = GroupFactory(
            programme__school=cast.school_a,
            lead=cast.user(Role.ASSISTANT),
            starts_on=clock.today - timedelta(weeks=10),
            planned_end_on=clock.today - timedelta(weeks=1),
        )
        for pupil in cast.pupils_a[:3]:
            EnrolmentFactory(group=group, pupil=pupil)
        seed_measures(school=cast.school_a, groups=[group], rng=random.Random(1))
        points = sorted(MeasureResult.objects.values_list("point", flat=True))
        # Seeding again adds nothing.
        seed_measures(school=cast.school_a, groups=[group], rng=random.Random(1))
        assert MeasureResult.objects.count() == 6
    assert points == ["baseline"] * 3 + ["exit"] * 3


def test_senco_copies_the_sdq_self_report_and_enters_its_bands(client, cast, pupil):
    built_in = MeasureDefinition.objects.get(key="sdq-self")
    client.force_login(cast.user(Role.SENCO))
    detail = client.get(reverse("interventions:measure", args=[cast.school_a.slug, built_in.pk]))
    key = KEY.search(detail.content.decode())[1]
    copy_url = reverse("interventions:measure_copy", args=[cast.school_a.slug, built_in.pk])
    response = client.post(copy_url, {"submission_key": key})
    assert response.status_code == 302
    assert client.post(copy_url, {"submission_key": key})["Location"] == response["Location"]
    with scopes_disabled():
        copy = MeasureDefinition.objects.get(school=cast.school_a)
        assert copy.item_count == 25 and copy.subscales.count() == 6
        assert sorted(copy.subscales.get(key="conduct").reverse_items) == [7]
    response = client.post(
        response["Location"], {"bands_total": "Close to average 0–15\nHigh 16–40"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        record_result(
            actor=cast.user(Role.SENCO),
            school=cast.school_a,
            pupil=pupil,
            definition=copy,
            point="baseline",
            taken_on=date(2026, 10, 1),
            completed_by="The pupil",
            subscale_scores={"emotional": 5, "conduct": 4, "hyperactivity": 6, "peer": 3},
        )
    html = client.get(section_url(cast, pupil), HTTP_HX_REQUEST="true").content.decode()
    assert "18 <small>High</small>" in html  # 5 + 4 + 6 + 3 on the school's bands
    bad = client.post(
        reverse("interventions:measure_bands", args=[cast.school_a.slug, copy.pk]),
        {"bands_total": "High 16–99"},
    )
    assert bad.status_code == 200 and "must lie within" in bad.content.decode()
    built_in_bands = reverse("interventions:measure_bands", args=[cast.school_a.slug, built_in.pk])
    assert client.get(built_in_bands).status_code == 403


def test_boxall_results_of_different_versions_are_charted_apart(client, cast, pupil):
    boxall = MeasureDefinition.objects.get(key="boxall")
    with scopes_disabled():
        for version, day, score in (
            ("Primary (2017)", date(2026, 9, 10), 30),
            ("Young people", date(2026, 11, 10), 45),
        ):
            record_result(
                actor=cast.user(Role.SENCO),
                school=cast.school_a,
                pupil=pupil,
                definition=boxall,
                version=version,
                point="baseline",
                taken_on=day,
                completed_by="Nurture lead",
                subscale_scores={"organisation": score},
            )
    client.force_login(cast.user(Role.SENCO))
    html = client.get(section_url(cast, pupil), HTTP_HX_REQUEST="true").content.decode()
    assert html.count("<svg") == 2
    assert "Boxall Profile (Primary (2017))" in html and "Boxall Profile (Young people)" in html
