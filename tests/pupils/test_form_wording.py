"""The pupils app's forms, as staff read them: which fields must be filled in (seen and heard),
and labels in the school's words."""

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from pupils.models import AreaOfNeed, PlanKind, PlanStatus
from semh.access import Role
from tests.conftest import SUITE_DAY
from tests.factories.pupils import SupportPlanFactory, TargetFactory

# Seen on screen; a screen reader hears "required" from the input itself.
REQUIRED = '<span class="required-mark" aria-hidden="true">(required)</span>'


@pytest.fixture
def senco(cast, login):
    return login(cast.user(Role.SENCO))


@pytest.fixture
def plan(cast):
    with scopes_disabled():
        plan = SupportPlanFactory(
            pupil=cast.caseload[0],
            owner=cast.user(Role.SENCO),
            kind=PlanKind.IBP,
            status=PlanStatus.ACTIVE,
            starts_on=SUITE_DAY,
            next_review_on=SUITE_DAY,
        )
        TargetFactory(plan=plan, area_of_need=AreaOfNeed.SEMH, description="Stays calm")
    return plan


def form_pages(cast, plan):
    school, pupil = cast.school_a.slug, cast.caseload[0].pk
    of_pupil = {"school_slug": school, "pupil_id": pupil}
    of_plan = {**of_pupil, "plan_id": plan.pk}
    return {
        "pupil": reverse("pupils:create", kwargs={"school_slug": school}),
        "plan": reverse("pupils:plan_create", kwargs=of_pupil),
        "target": reverse("pupils:target_create", kwargs=of_plan),
        "review": reverse("pupils:plan_review_create", kwargs=of_plan),
        "contact": reverse("pupils:contact_create", kwargs=of_pupil),
        "meeting": reverse("pupils:meeting_create", kwargs=of_pupil),
    }


def label_of(page, field_id):
    match = re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S)
    return match[1] if match else None


@pytest.mark.parametrize("form", ["pupil", "plan", "target", "review", "contact", "meeting"])
def test_required_fields_say_so_and_carry_the_required_attribute(senco, cast, plan, form):
    response = senco.get(form_pages(cast, plan)[form])

    page = response.content.decode()
    forms = [response.context["form"]]
    forms = [getattr(f, "plan", f) for f in forms]  # the plan page's form set leads with the plan
    for field in forms[0].visible_fields():
        if field.widget_type in ("radioselect", "checkboxselectmultiple", "checkbox"):
            continue
        label = label_of(page, field.id_for_label)
        assert label is not None, field.name
        assert (REQUIRED in label) == field.field.required, (field.name, label)
        tag = re.search(rf'<(input|select|textarea)[^>]*id="{field.id_for_label}"[^>]*>', page)
        if field.field.required and not field.field.disabled:
            assert re.search(r' (required|aria-required="true")', tag[0]), (field.name, tag[0])


def test_each_rating_group_on_the_review_form_is_marked_required(senco, cast, plan):
    page = senco.get(form_pages(cast, plan)["review"]).content.decode()

    assert f"<legend>Rating {REQUIRED}</legend>" in page


@pytest.mark.parametrize(
    ("form", "words"),
    [
        (
            "pupil",
            ["UPN (unique pupil number)", "Primary area of need", "Looked-after child (CLA)"],
        ),
        ("plan", ["Type of plan", "Plan lead (member of staff)"]),
        ("contact", ["How (phone, email, in person …)"]),
        ("meeting", ["Type of meeting", "Date of the meeting", "Who will do it", "By when"]),
    ],
)
def test_labels_use_the_schools_words(senco, cast, plan, form, words):
    page = senco.get(form_pages(cast, plan)[form]).content.decode()

    labels = [
        re.sub(r"<[^>]+>|\(required\)", "", m).strip()
        for m in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)
    ]
    for text in words:
        assert text in labels, (text, labels)
    assert "Kind" not in labels and "Owner" not in labels and "Method" not in labels
