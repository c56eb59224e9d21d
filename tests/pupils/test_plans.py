import datetime
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from pupils import urls as pupil_routes
from pupils.models import (
    AreaOfNeed,
    PlanKind,
    PlanReview,
    PlanStatus,
    PositiveHandlingDetails,
    Rating,
    RiskItem,
    SupportPlan,
    Target,
    TargetReview,
)
from pupils.selectors import plans_due_for_review
from pupils.services.plans import PlanRefused, start_next_cycle
from semh.access import Role
from semh.models import AuditEvent
from tests.conftest import SUITE_DAY
from tests.factories.pupils import (
    PlanReviewFactory,
    PositiveHandlingDetailsFactory,
    RiskItemFactory,
    SupportPlanFactory,
    TargetFactory,
    TargetReviewFactory,
)

TODAY = SUITE_DAY
DAY = datetime.timedelta(days=1)


def plan_url(name, plan, **kwargs):
    return reverse(
        f"pupils:{name}",
        kwargs={
            "school_slug": plan.pupil.school.slug,
            "pupil_id": plan.pupil_id,
            "plan_id": plan.pk,
            **kwargs,
        },
    )


def pupil_url(name, pupil):
    return reverse(
        f"pupils:{name}", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk}
    )


def due_url(school):
    return reverse("pupils:plans_due", kwargs={"school_slug": school.slug})


def make_plan(pupil, owner, **fields):
    values = {
        "kind": PlanKind.IBP,
        "status": PlanStatus.ACTIVE,
        "starts_on": TODAY - 60 * DAY,
        "next_review_on": TODAY + 30 * DAY,
        "pupil_voice": "I like it when adults speak quietly.",
        **fields,
    }
    with scopes_disabled():
        return SupportPlanFactory(pupil=pupil, owner=owner, **values)


def add_targets(plan, *descriptions):
    with scopes_disabled():
        return [
            TargetFactory(plan=plan, position=i, area_of_need=AreaOfNeed.SEMH, description=text)
            for i, text in enumerate(descriptions)
        ]


def add_review(plan, by, ratings, held_on=None):
    with scopes_disabled():
        review = PlanReviewFactory(plan=plan, held_on=held_on or TODAY - 7 * DAY, recorded_by=by)
        for target, rating in ratings.items():
            TargetReviewFactory(review=review, target=target, rating=rating)
    return review


@pytest.fixture
def senco(cast):
    return cast.user(Role.SENCO)


@pytest.fixture
def plan(cast, senco):
    return make_plan(cast.caseload[0], senco)


def review_post(targets, **overrides):
    data = {
        "held_on": TODAY.isoformat(),
        "attendees": "Ms Patel (SENCo)\nMum",
        "next_steps": "Review again after half term.",
    }
    for target, rating in targets.items():
        data[f"rating_{target.pk}"] = str(int(rating))
        data[f"evidence_{target.pk}"] = f"Evidence for {target.description}"
    data.update(overrides)
    return data


# Creating and editing plans ---------------------------------------------------------------------


def plan_post(owner, **overrides):
    return {
        "kind": PlanKind.IBP,
        "status": PlanStatus.ACTIVE,
        "starts_on": TODAY.isoformat(),
        "next_review_on": (TODAY + 42 * DAY).isoformat(),
        "owner": owner.pk,
        "agreed_with_parents_on": TODAY.isoformat(),
        "pupil_voice": "I want to stay in class more.",
        **overrides,
    }


def test_senco_starts_a_plan_that_shows_on_the_pupil_page(client, cast, login, senco):
    pupil = cast.caseload[0]
    login(senco)

    response = client.post(pupil_url("plan_create", pupil), plan_post(senco))

    with scopes_disabled():
        plan = SupportPlan.objects.get(pupil=pupil)
    assert response.status_code == 302
    assert response["Location"] == plan_url("plan_detail", plan)
    assert (plan.kind, plan.status, plan.cycle, plan.created_by) == ("ibp", "active", 1, senco)
    page = client.get(pupil_url("detail", pupil)).content.decode()
    assert "Individual behaviour plan (IBP)" in page
    assert f"Next review {(TODAY + 42 * DAY):%d/%m/%Y}" in page
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="plan.create", object_id=str(plan.pk)).count() == 1


def test_active_plan_needs_a_review_date_on_or_after_its_start(client, cast, login, senco):
    pupil = cast.caseload[0]
    login(senco)

    no_date = client.post(pupil_url("plan_create", pupil), plan_post(senco, next_review_on=""))
    backwards = client.post(
        pupil_url("plan_create", pupil),
        plan_post(senco, next_review_on=(TODAY - DAY).isoformat()),
    )

    assert "An active plan needs a next review date." in no_date.content.decode()
    assert "cannot be before the start date" in backwards.content.decode()
    with scopes_disabled():
        assert not SupportPlan.objects.filter(pupil=pupil).exists()


def test_owner_must_be_staff_of_the_school(client, cast, login, senco):
    login(senco)

    response = client.post(
        pupil_url("plan_create", cast.caseload[0]), plan_post(cast.user(Role.SENCO, "b"))
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_risk_assessment_keeps_its_risk_rows_and_scores(client, cast, login, senco):
    pupil = cast.caseload[0]
    login(senco)
    data = plan_post(senco, kind=PlanKind.RISK)
    data.update(
        {
            "risks-TOTAL_FORMS": "2",
            "risks-INITIAL_FORMS": "0",
            "risks-0-risk": "Leaves the site when upset",
            "risks-0-likelihood": "3",
            "risks-0-severity": "5",
            "risks-0-control_measures": "Gate closed at break; named adult follows at distance.",
        }
    )

    client.post(pupil_url("plan_create", pupil), data)

    with scopes_disabled():
        plan = SupportPlan.objects.get(pupil=pupil)
        risk = RiskItem.objects.get(plan=plan)
    page = client.get(plan_url("plan_detail", plan)).content.decode()
    assert risk.score == 15
    assert "Leaves the site when upset" in page
    assert "<strong>15</strong>" in page

    edit = plan_post(senco, kind=PlanKind.RISK)
    edit.update(
        {
            "risks-TOTAL_FORMS": "3",
            "risks-INITIAL_FORMS": "1",
            "risks-0-id": risk.pk,
            "risks-0-risk": "Leaves the site when upset",
            "risks-0-likelihood": "2",
            "risks-0-severity": "5",
            "risks-0-control_measures": "Gate closed at break.",
            "risks-1-risk": "Throws equipment",
            "risks-1-likelihood": "2",
            "risks-1-severity": "2",
            "risks-1-control_measures": "Clear the desk area.",
        }
    )
    client.post(plan_url("plan_edit", plan), edit)

    with scopes_disabled():
        assert sorted(RiskItem.objects.filter(plan=plan).values_list("risk", "likelihood")) == [
            ("Leaves the site when upset", 2),
            ("Throws equipment", 2),
        ]
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="plan.update", object_id=str(plan.pk)).exists()


def test_positive_handling_plan_keeps_its_details(client, cast, login, senco):
    pupil = cast.caseload[0]
    login(senco)
    data = plan_post(senco, kind=PlanKind.POSITIVE_HANDLING)
    data.update(
        {
            "ph-known_triggers": "Being touched without warning",
            "ph-preferred_deescalation": "Offer the calm box; speak low and slow",
            "ph-agreed_holds": "Team Teach single elbow, only as a last resort",
            "ph-people_consulted": "Mum, class teacher",
        }
    )

    client.post(pupil_url("plan_create", pupil), data)

    with scopes_disabled():
        details = PositiveHandlingDetails.objects.get(plan__pupil=pupil)
    assert details.agreed_holds == "Team Teach single elbow, only as a last resort"
    page = client.get(plan_url("plan_detail", details.plan)).content.decode()
    assert "Offer the calm box; speak low and slow" in page


def test_kind_is_fixed_once_a_plan_is_active(client, login, senco, plan):
    login(senco)

    client.post(plan_url("plan_edit", plan), plan_post(senco, kind=PlanKind.RISK, status="closed"))

    with scopes_disabled():
        plan.refresh_from_db()
    assert (plan.kind, plan.status, plan.closed_on) == (PlanKind.IBP, PlanStatus.CLOSED, TODAY)


def test_targets_are_added_and_edited_in_order(client, login, senco, plan):
    login(senco)

    for text in ("Uses the time-out pass", "Stays in lessons for 40 minutes"):
        client.post(
            plan_url("target_create", plan),
            {
                "area_of_need": AreaOfNeed.SEMH,
                "description": text,
                "success_criteria": "4 out of 5 days",
                "baseline": "1 out of 5 days",
                "provision": "Daily check-in",
                "position": "",
            },
        )
    with scopes_disabled():
        first, second = Target.objects.filter(plan=plan)
    client.post(
        plan_url("target_edit", plan, target_id=first.pk),
        {
            "area_of_need": AreaOfNeed.COMMUNICATION,
            "description": "Uses the time-out pass calmly",
            "position": 5,
        },
    )

    with scopes_disabled():
        ordered = list(Target.objects.filter(plan=plan).values_list("description", flat=True))
    assert ordered == ["Stays in lessons for 40 minutes", "Uses the time-out pass calmly"]
    page = client.get(plan_url("plan_detail", plan)).content.decode()
    assert page.index("Stays in lessons") < page.index("Uses the time-out pass calmly")
    assert "Not yet reviewed" in page
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="target.create").count() == 2
        assert AuditEvent.objects.filter(action="target.update", object_id=str(first.pk)).exists()


def test_new_target_form_suggests_the_next_position(client, login, senco, plan):
    add_targets(plan, "One", "Two")
    login(senco)

    response = client.get(plan_url("target_create", plan))

    assert response.context["form"]["position"].value() == 2


# Reviews ----------------------------------------------------------------------------------------


def test_review_records_a_rating_and_evidence_for_each_target(client, login, senco, plan):
    calm, stay = add_targets(plan, "Uses the calm-down plan", "Stays in class")
    login(senco)

    response = client.post(
        plan_url("plan_review_create", plan),
        review_post({calm: Rating.SECURE, stay: Rating.EMERGING}),
    )

    assert response.status_code == 302
    with scopes_disabled():
        review = PlanReview.objects.get(plan=plan)
        ratings = {r.target_id: (r.rating, r.evidence) for r in review.ratings.all()}
    assert review.recorded_by == senco
    assert review.attendees == "Ms Patel (SENCo)\nMum"
    assert ratings == {
        calm.pk: (Rating.SECURE, "Evidence for Uses the calm-down plan"),
        stay.pk: (Rating.EMERGING, "Evidence for Stays in class"),
    }
    page = client.get(plan_url("plan_detail", plan)).content.decode()
    assert f"Review on {TODAY:%d/%m/%Y}" in page
    assert "Latest: Secure" in page and "Latest: Emerging" in page
    assert "Evidence for Stays in class" in page
    assert "Review again after half term." in page
    with scopes_disabled():
        event = AuditEvent.objects.get(action="plan.review")
    assert event.object_id == str(review.pk)
    assert event.detail["ratings"] == {str(calm.pk): 3, str(stay.pk): 1}


def test_review_needs_a_rating_for_every_target_and_saves_nothing_otherwise(
    client, login, senco, plan
):
    calm, stay = add_targets(plan, "Uses the calm-down plan", "Stays in class")
    login(senco)

    response = client.post(plan_url("plan_review_create", plan), review_post({calm: 3}))

    assert response.status_code == 200
    assert "Choose a rating for this target." in response.content.decode()
    with scopes_disabled():
        assert not PlanReview.objects.exists()
        assert not TargetReview.objects.exists()


def test_a_later_review_is_added_and_the_earlier_one_is_kept(client, login, senco, plan):
    (calm,) = add_targets(plan, "Uses the calm-down plan")
    add_review(plan, senco, {calm: Rating.EMERGING}, held_on=TODAY - 30 * DAY)
    login(senco)

    client.post(plan_url("plan_review_create", plan), review_post({calm: Rating.SECURE}))

    with scopes_disabled():
        assert PlanReview.objects.filter(plan=plan).count() == 2
    page = client.get(plan_url("plan_detail", plan)).content.decode()
    assert "Latest: Secure" in page
    assert f"Review on {(TODAY - 30 * DAY):%d/%m/%Y}" in page


def test_reviews_are_append_only_with_no_edit_or_delete_pages():
    names = {p.name for p in pupil_routes.urlpatterns if "plans/" in str(p.pattern)}

    assert {n for n in names if "review" in n} == {"plan_review_create"}


# Next cycle -------------------------------------------------------------------------------------


@pytest.fixture
def reviewed_plan(cast, senco):
    """A cycle whose targets ended: achieved, developing, never rated, achieved-then-slipped, and
    developing-then-achieved."""
    plan = make_plan(cast.caseload[0], senco, kind=PlanKind.RISK)
    targets = add_targets(
        plan, "Achieved", "Developing", "Never rated", "Slipped back", "Got there in the end"
    )
    achieved, developing, _never, slipped, late = targets
    add_review(
        plan,
        senco,
        {achieved: Rating.SECURE, developing: 1, slipped: Rating.ACHIEVED, late: 2},
        held_on=TODAY - 40 * DAY,
    )
    add_review(
        plan,
        senco,
        {achieved: Rating.ACHIEVED, developing: 2, slipped: 2, late: Rating.ACHIEVED},
        held_on=TODAY - 5 * DAY,
    )
    with scopes_disabled():
        RiskItemFactory(
            plan=plan, risk="Climbs fences", likelihood=2, severity=4, control_measures="Watch"
        )
    return plan, targets


def test_next_cycle_carries_exactly_the_unachieved_targets(client, login, senco, reviewed_plan):
    old, (achieved, developing, never, slipped, late) = reviewed_plan
    login(senco)
    review_on = TODAY + 70 * DAY

    response = client.post(
        plan_url("plan_next_cycle", old), {"next_review_on": review_on.isoformat()}
    )

    with scopes_disabled():
        old.refresh_from_db()
        new = SupportPlan.objects.get(previous_cycle=old)
        carried = list(Target.objects.filter(plan=new))
        risks = list(RiskItem.objects.filter(plan=new).values_list("risk", "severity"))
    assert response["Location"] == plan_url("plan_detail", new)
    assert (old.status, old.closed_on) == (PlanStatus.CLOSED, TODAY)
    assert (new.cycle, new.status, new.kind, new.owner, new.pupil_voice) == (
        2,
        PlanStatus.ACTIVE,
        PlanKind.RISK,
        old.owner,
        old.pupil_voice,
    )
    assert (new.starts_on, new.next_review_on, new.created_by) == (TODAY, review_on, senco)
    assert {t.carried_from_id for t in carried} == {developing.pk, never.pk, slipped.pk}
    assert [t.description for t in carried] == ["Developing", "Never rated", "Slipped back"]
    assert risks == [("Climbs fences", 4)]
    with scopes_disabled():
        assert Target.objects.filter(plan=old).count() == 5
        assert PlanReview.objects.filter(plan=old).count() == 2
    with scopes_disabled():
        event = AuditEvent.objects.get(action="plan.next_cycle")
    assert event.object_id == str(new.pk)
    assert event.detail["previous_cycle"] == str(old.pk)


def test_old_cycle_and_its_reviews_stay_visible_and_linked(client, login, senco, reviewed_plan):
    old, _ = reviewed_plan
    login(senco)
    client.post(plan_url("plan_next_cycle", old), {"next_review_on": (TODAY + 9 * DAY).isoformat()})
    with scopes_disabled():
        new = SupportPlan.objects.get(previous_cycle=old)

    old_page = client.get(plan_url("plan_detail", old)).content.decode()
    new_page = client.get(plan_url("plan_detail", new)).content.decode()
    pupil_page = client.get(pupil_url("detail", old.pupil)).content.decode()

    assert old_page.count('<article class="review">') == 2
    assert "Latest: Achieved" in old_page
    assert plan_url("plan_detail", new) in old_page
    assert "Record a review" not in old_page and "Start next cycle" not in old_page
    assert plan_url("plan_detail", old) in new_page
    assert "No reviews recorded in this cycle." in new_page
    assert new_page.count("Carried over") == 3
    assert plan_url("plan_detail", old) in pupil_page and "Closed cycles (1)" in pupil_page


def test_next_cycle_confirm_page_lists_what_is_carried_and_defaults_to_twelve_weeks(
    client, login, senco, reviewed_plan
):
    old, _ = reviewed_plan
    login(senco)

    response = client.get(plan_url("plan_next_cycle", old))

    page = response.content.decode()
    assert response.context["form"]["next_review_on"].value() == TODAY + 84 * DAY
    assert page.count("<strong>Carried over</strong>") == 3
    assert page.count("Achieved — stays in cycle 1") == 2
    with scopes_disabled():
        assert SupportPlan.objects.count() == 1


def test_double_next_cycle_post_makes_one_new_cycle(client, login, senco, reviewed_plan):
    old, _ = reviewed_plan
    login(senco)
    data = {"next_review_on": (TODAY + 30 * DAY).isoformat()}

    client.post(plan_url("plan_next_cycle", old), data)
    second = client.post(plan_url("plan_next_cycle", old), data, follow=True)

    with scopes_disabled():
        assert SupportPlan.objects.filter(pupil=old.pupil).count() == 2
        new = SupportPlan.objects.get(previous_cycle=old)
        assert Target.objects.filter(plan=new).count() == 3
    assert "already been started" in second.content.decode()
    assert second.redirect_chain[-1][0] == plan_url("plan_detail", new)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="plan.next_cycle").count() == 1


def test_next_cycle_is_refused_for_a_closed_plan(client, cast, login, senco):
    closed = make_plan(cast.caseload[0], senco, status=PlanStatus.CLOSED, closed_on=TODAY)
    login(senco)

    response = client.post(
        plan_url("plan_next_cycle", closed),
        {"next_review_on": (TODAY + 30 * DAY).isoformat()},
        follow=True,
    )

    assert "This cycle is closed" in response.content.decode()
    with scopes_disabled():
        assert SupportPlan.objects.count() == 1


def test_next_cycle_copies_positive_handling_details(client, cast, login, senco):
    old = make_plan(cast.caseload[0], senco, kind=PlanKind.POSITIVE_HANDLING)
    with scopes_disabled():
        PositiveHandlingDetailsFactory(plan=old, known_triggers="Noise", agreed_holds="")
    login(senco)

    client.post(plan_url("plan_next_cycle", old), {"next_review_on": (TODAY + DAY).isoformat()})

    with scopes_disabled():
        assert list(
            PositiveHandlingDetails.objects.order_by("plan__cycle").values_list(
                "plan__cycle", "known_triggers"
            )
        ) == [(1, "Noise"), (2, "Noise")]


def test_closed_cycle_takes_no_new_targets_reviews_or_edits(client, login, senco, reviewed_plan):
    old, targets = reviewed_plan
    login(senco)
    client.post(plan_url("plan_next_cycle", old), {"next_review_on": (TODAY + DAY).isoformat()})

    add = client.post(
        plan_url("target_create", old),
        {"area_of_need": "semh", "description": "Late", "position": 9},
    )
    review = client.post(plan_url("plan_review_create", old), review_post({}), follow=True)
    edit = client.post(plan_url("plan_edit", old), plan_post(senco), follow=True)

    assert add.status_code == 302
    assert "This cycle is closed" in review.content.decode()
    assert "can no longer change" in edit.content.decode()
    with scopes_disabled():
        old.refresh_from_db()
        assert old.status == PlanStatus.CLOSED and old.kind == PlanKind.RISK
        assert Target.objects.filter(plan=old).count() == 5
        assert PlanReview.objects.filter(plan=old).count() == 2


# Overdue reviews --------------------------------------------------------------------------------


@pytest.fixture
def review_dates(cast, senco):
    pupil, other = cast.caseload[0], cast.pupils_a[3]
    return {
        "overdue": make_plan(pupil, senco, next_review_on=TODAY - 3 * DAY),
        "due_soon": make_plan(other, senco, kind=PlanKind.IEP, next_review_on=TODAY + 5 * DAY),
        "later": make_plan(other, senco, kind=PlanKind.ISP, next_review_on=TODAY + 60 * DAY),
        "closed": make_plan(
            other,
            senco,
            kind=PlanKind.EHCP,
            status=PlanStatus.CLOSED,
            closed_on=TODAY - DAY,
            next_review_on=TODAY - 10 * DAY,
        ),
        "draft": make_plan(
            other,
            senco,
            kind=PlanKind.REINTEGRATION,
            status=PlanStatus.DRAFT,
            next_review_on=TODAY - 10 * DAY,
        ),
    }


def test_overdue_review_is_flagged_on_the_pupil_page_and_plan_page(
    client, login, senco, review_dates
):
    overdue = review_dates["overdue"]
    login(senco)

    pupil_page = client.get(pupil_url("detail", overdue.pupil)).content.decode()
    plan_page = client.get(plan_url("plan_detail", overdue)).content.decode()

    assert "Review overdue" in pupil_page
    assert f"Review overdue since {overdue.next_review_on:%d/%m/%Y}" in plan_page


def test_closed_draft_and_not_yet_due_plans_are_not_flagged(client, login, senco, review_dates):
    login(senco)

    pupil_page = client.get(pupil_url("detail", review_dates["later"].pupil)).content.decode()
    closed_page = client.get(plan_url("plan_detail", review_dates["closed"])).content.decode()

    assert "Review overdue" not in pupil_page
    assert "Review overdue" not in closed_page


def test_plans_due_lists_overdue_first_then_due_within_fourteen_days(
    client, cast, login, senco, review_dates
):
    make_plan(cast.pupils_b[0], cast.user(Role.SENCO, "b"), next_review_on=TODAY - 20 * DAY)
    login(senco)

    response = client.get(due_url(cast.school_a))

    assert response.context["overdue"] == [review_dates["overdue"]]
    assert response.context["due_soon"] == [review_dates["due_soon"]]
    page = response.content.decode()
    assert page.index(plan_url("plan_detail", review_dates["overdue"])) < page.index(
        plan_url("plan_detail", review_dates["due_soon"])
    )
    for hidden in ("later", "closed", "draft"):
        assert plan_url("plan_detail", review_dates[hidden]) not in page


def test_plans_due_uses_the_models_own_overdue_rule(cast, review_dates):
    with scope(school=cast.school_a):
        due = plans_due_for_review(cast.school_a, today=TODAY)
        overdue = [
            p
            for p in SupportPlan.objects.filter(pupil__school=cast.school_a)
            if p.is_review_overdue
        ]

    assert due["overdue"] == overdue == [review_dates["overdue"]]


def test_plans_due_leaves_out_pupils_who_have_left(client, cast, login, senco, review_dates):
    with scopes_disabled():
        leaver = review_dates["overdue"].pupil
        leaver.left_on = TODAY - DAY
        leaver.save()
    login(senco)

    response = client.get(due_url(cast.school_a))

    assert response.context["overdue"] == []


def test_plans_due_query_count_is_flat(client, cast, login, senco):
    login(senco)
    client.get(due_url(cast.school_a))  # the first request after sign-in also writes the session

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(due_url(cast.school_a)).status_code == 200
        return len(ctx.captured_queries)

    for pupil in cast.pupils_a[:2]:
        make_plan(pupil, senco, next_review_on=TODAY - DAY)
    few = count_queries()
    for pupil in cast.pupils_a:
        for kind in (PlanKind.IEP, PlanKind.ISP, PlanKind.EHCP, PlanKind.RISK):
            make_plan(pupil, senco, kind=kind, next_review_on=TODAY + 3 * DAY)
    assert count_queries() == few


# Access -----------------------------------------------------------------------------------------


def write_urls(plan, target):
    return [
        pupil_url("plan_create", plan.pupil),
        plan_url("plan_edit", plan),
        plan_url("target_create", plan),
        plan_url("target_edit", plan, target_id=target.pk),
        plan_url("plan_review_create", plan),
        plan_url("plan_next_cycle", plan),
    ]


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.DSL, Role.SLT])
def test_caseload_and_read_only_staff_read_the_plan_but_cannot_change_it(
    client, cast, login, plan, role
):
    (target,) = add_targets(plan, "Stays in class")
    login(cast.user(role))

    assert client.get(plan_url("plan_detail", plan)).status_code == 200
    for url in write_urls(plan, target):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert client.get(due_url(cast.school_a)).status_code == 403
    with scopes_disabled():
        assert SupportPlan.objects.count() == 1
        assert not PlanReview.objects.exists()


def test_reading_a_plan_is_audited(client, cast, login, plan):
    login(cast.user(Role.ASSISTANT))

    page = client.get(plan_url("plan_detail", plan)).content.decode()

    assert "Edit plan" not in page and "Record a review" not in page
    with scopes_disabled():
        event = AuditEvent.objects.get(action="plan.view")
    assert (event.actor, event.object_id) == (cast.user(Role.ASSISTANT), str(plan.pk))


def test_assistant_cannot_open_a_plan_of_a_pupil_off_their_caseload(client, cast, login, senco):
    elsewhere = make_plan(cast.pupils_a[4], senco)
    login(cast.user(Role.ASSISTANT))

    assert client.get(plan_url("plan_detail", elsewhere)).status_code == 404


def all_plan_urls(plan, target):
    return [plan_url("plan_detail", plan), *write_urls(plan, target)]


def test_another_schools_senco_gets_404_on_every_plan_url(client, cast, login, plan):
    (target,) = add_targets(plan, "Stays in class")
    login(cast.user(Role.SENCO, "b"))
    own_school = cast.school_b.slug

    for url in all_plan_urls(plan, target):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
        # The same ids under their own school's address reveal nothing either.
        assert client.get(url.replace("/s/alder/", f"/s/{own_school}/")).status_code == 404, url
    assert client.get(due_url(cast.school_a)).status_code == 404


def test_a_plan_or_target_is_404_under_another_pupil(client, cast, login, senco, plan):
    (target,) = add_targets(plan, "Stays in class")
    other_plan = make_plan(cast.pupils_a[2], senco)
    login(senco)
    wrong_pupil = plan_url("plan_detail", plan).replace(
        str(plan.pupil_id), str(cast.pupils_a[2].pk)
    )

    assert client.get(wrong_pupil).status_code == 404
    assert client.get(plan_url("target_edit", other_plan, target_id=target.pk)).status_code == 404


# Query counts -----------------------------------------------------------------------------------


def test_plan_page_query_count_does_not_grow_with_targets_and_reviews(client, cast, login, senco):
    def build(pupil, n):
        plan = make_plan(pupil, senco, kind=PlanKind.RISK)
        targets = add_targets(plan, *(f"Target {i}" for i in range(n)))
        for i in range(n):
            add_review(plan, senco, dict.fromkeys(targets, i % 5), held_on=TODAY - i * DAY)
        with scopes_disabled():
            RiskItemFactory.create_batch(
                n, plan=plan, risk="R", likelihood=1, severity=1, control_measures="x"
            )
        return plan

    small, large = build(cast.pupils_a[0], 2), build(cast.pupils_a[1], 20)
    login(senco)
    client.get(due_url(cast.school_a))  # the first request after sign-in also writes the session

    def count(plan):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(plan_url("plan_detail", plan)).content.decode()
        return len(ctx.captured_queries), page

    small_count, _ = count(small)
    large_count, page = count(large)
    assert small_count == large_count
    assert page.count('<article class="review">') == 20


@pytest.mark.django_db(transaction=True)
def test_two_next_cycle_requests_at_once_make_one_new_cycle_on_postgresql(cast, senco):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL")
    old = make_plan(cast.caseload[0], senco)
    add_targets(old, "Stays in class")
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        barrier.wait()
        try:
            with scope(school=cast.school_a):
                start_next_cycle(
                    actor=senco, school=cast.school_a, plan=old, next_review_on=TODAY + DAY
                )
            outcomes.append("started")
        except PlanRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "started"]
    with scopes_disabled():
        assert SupportPlan.objects.filter(previous_cycle=old).count() == 1
        assert Target.objects.count() == 2


# The plan entry on the pupil page ---------------------------------------------------------------


def plan_entry(page, plan):
    """The pupil page's list item for the plan (its link to the plan page up to the next item)."""
    start = page.index(plan_url("plan_detail", plan))
    return page[start : page.index("</li>", start)]


def test_pupil_page_shows_the_last_review_date_and_its_ratings(client, login, senco, plan):
    calm, stay, ask = add_targets(plan, "Stays calm", "Stays in class", "Asks for help")
    add_review(plan, senco, {calm: Rating.EMERGING}, held_on=TODAY - 40 * DAY)
    add_review(
        plan,
        senco,
        {calm: Rating.ACHIEVED, stay: Rating.DEVELOPING, ask: Rating.DEVELOPING},
        held_on=TODAY - 13 * DAY,
    )
    login(senco)

    entry = plan_entry(client.get(pupil_url("detail", plan.pupil)).content.decode(), plan)

    assert f"Reviewed {TODAY - 13 * DAY:%d/%m/%Y}: 1 achieved, 2 developing" in entry
    assert "emerging" not in entry.lower()


def test_pupil_page_says_a_plan_is_not_yet_reviewed(client, login, senco, plan):
    add_targets(plan, "Stays calm")
    login(senco)

    entry = plan_entry(client.get(pupil_url("detail", plan.pupil)).content.decode(), plan)

    assert "Not yet reviewed" in entry


def test_pupil_page_shows_since_when_a_review_is_overdue_in_words(client, login, senco, cast):
    overdue = make_plan(cast.caseload[0], senco, next_review_on=TODAY - 24 * DAY)
    login(senco)

    entry = plan_entry(client.get(pupil_url("detail", overdue.pupil)).content.decode(), overdue)

    assert f"Review overdue since {TODAY - 24 * DAY:%d/%m/%Y}" in entry
    assert 'class="overdue"' in entry
    assert f"Next review {TODAY - 24 * DAY:%d/%m/%Y}" not in entry


def test_pupil_page_query_count_does_not_grow_with_plans_and_reviews(
    client, cast, login, senco, django_assert_max_num_queries
):
    def build(pupil, n):
        for kind in list(PlanKind)[:n]:
            plan = make_plan(pupil, senco, kind=kind)
            targets = add_targets(plan, *(f"Target {i}" for i in range(n)))
            for i in range(n):
                add_review(plan, senco, dict.fromkeys(targets, i % 5), held_on=TODAY - i * DAY)

    small, large = cast.pupils_a[0], cast.pupils_a[1]
    build(small, 1)
    build(large, 6)
    login(senco)
    client.get(
        pupil_url("detail", small)
    )  # the first request after sign-in also writes the session
    with CaptureQueriesContext(connection) as ctx:
        client.get(pupil_url("detail", small))

    with django_assert_max_num_queries(len(ctx.captured_queries)):
        page = client.get(pupil_url("detail", large)).content.decode()
    assert page.count(f"Reviewed {TODAY:%d/%m/%Y}: 6 not yet started") == 6
