"""A SENCo imports pupils from a SIMS export, starts an IBP with two targets and reviews it.

All on a phone (390px wide) in Chromium, through the real forms: login, CSV upload, preview,
confirm, the pupil list, the plan, its targets and the review with a rating for each target.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from pupils.models import Pupil, PupilImport, Rating, SupportPlan
from semh.access import Role
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_upn

pytestmark = pytest.mark.e2e

# Serial numbers well away from the factory's sequence, so the cast's pupils never share a UPN.
UPNS = [make_upn(900_000 + n) for n in range(3)]
SIMS_EXPORT = (
    "UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Gender,Year,"
    "Reg Group,SEN Status,Primary Need\r\n"
    f"{UPNS[0]},Quarshie,Nathaniel,Nate,14/03/2013,M,Year 8,8Q,K,SEMH\r\n"
    f"{UPNS[1]},Lindqvist,Astrid,,02/11/2013,F,Year 8,8L,K - SEN Support,ASD\r\n"
    f"{UPNS[2]},Oyelaran,Temitope,Temi,21/07/2012,F,Year 9,9O,E,SLCN\r\n"
)
TARGETS = [
    {
        "area": "Social, emotional and mental health",
        "description": "Nate will ask for a movement break using his card instead of leaving",
        "success": "Uses the card in 4 of 5 lessons for three weeks running",
        "baseline": "Leaves the classroom without asking about three times a day",
        "provision": "Break card; daily check-in with his key adult at 08:45",
        "rating": "Developing",
        "evidence": "Used the card in 3 of 5 lessons most weeks; left twice in maths",
    },
    {
        "area": "Communication and interaction",
        "description": "Nate will name how he feels on the 5-point scale at check-in",
        "success": "Names a number and a feeling at every morning check-in",
        "baseline": "Shrugs or says 'fine' at check-in",
        "provision": "5-point scale card on his desk; modelled by his key adult",
        "rating": "Achieved",
        "evidence": "Every check-in for four weeks; now explains what moves him up the scale",
    },
]


def labelled(page, label):
    """The field with this label (a required field's label ends in "(required)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(required\))?$"))


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_senco_imports_pupils_then_plans_and_reviews_targets_on_a_phone(make_page, cast):
    senco = cast.user(Role.SENCO)
    school = cast.school_a
    today = timezone.localdate()
    next_review = today + datetime.timedelta(weeks=8)
    page = make_page("phone")
    sign_in(page, senco)

    # 1. Upload the SIMS export, check the preview, confirm.
    page.goto(reverse("pupils:import", kwargs={"school_slug": school.slug}))
    expect(page.get_by_role("heading", name="Import pupils from your MIS")).to_be_visible()
    labelled(page, "MIS export (CSV file)").set_input_files(
        {"name": "sims-export.csv", "mimeType": "text/csv", "buffer": SIMS_EXPORT.encode()}
    )
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Import: sims-export.csv")).to_be_visible()
    counts = page.locator("dl.import-counts")
    expect(counts.locator("dt:has-text('New pupils') + dd")).to_have_text("3")
    expect(counts.locator("dt:has-text('Rows with errors') + dd")).to_have_text("0")
    new_rows = page.locator("table.import-rows tbody tr")
    expect(new_rows).to_have_count(3)
    for upn, name in zip(UPNS, ["Nate Quarshie", "Astrid Lindqvist", "Temi Oyelaran"], strict=True):
        expect(new_rows.filter(has_text=upn)).to_contain_text(name)
    expect(page.get_by_role("button", name="Discard this upload")).to_be_visible()
    with scopes_disabled():
        assert not Pupil.objects.filter(upn__in=UPNS).exists()  # nothing saved before confirming
    screenshot(page, "senco-plan-phone-1-import-preview")

    page.get_by_role("button", name="Import now: 3 new, 0 updated").click()
    expect(page.get_by_text("Imported: 3 new, 0 updated, 0 unchanged.")).to_be_visible()
    screenshot(page, "senco-plan-phone-2-imported")
    with scopes_disabled():
        assert PupilImport.objects.get().status == PupilImport.Status.IMPORTED
        imported = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=UPNS)}
        assert len(imported) == 3
        nate = imported[UPNS[0]]
        assert (nate.preferred_first_name, nate.year_group, nate.form) == ("Nate", 8, "8Q")
        assert (nate.sen_status, nate.primary_need) == ("K", "SEMH")
        assert nate.date_of_birth == datetime.date(2013, 3, 14)
        assert imported[UPNS[2]].sen_status == "E"

    # 2. Find Nate on the pupil list and open his record.
    page.get_by_role("link", name="Go to the pupil list").click()
    expect(page.get_by_role("heading", name="Pupils", exact=True)).to_be_visible()
    expect(page.get_by_text("8 pupils")).to_be_visible()  # the cast's 5 and the 3 imported
    page.get_by_role("link", name="Quarshie, Nate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nate Quarshie")
    expect(page.get_by_text("Legal name: Nathaniel Quarshie")).to_be_visible()
    plans = page.locator("#plans")
    expect(plans.get_by_text("No current plans.")).to_be_visible()

    # 3. Start an IBP, then add two targets.
    plans.get_by_role("link", name="Start a plan").click()
    expect(page.get_by_role("heading", name="Start a plan for Nate Quarshie")).to_be_visible()
    labelled(page, "Type of plan").select_option(label="Individual behaviour plan (IBP)")
    labelled(page, "Status").select_option(label="Active")
    expect(labelled(page, "Start date")).to_have_value(today.isoformat())
    labelled(page, "Next review date").fill(next_review.isoformat())
    expect(labelled(page, "Plan lead (member of staff)").locator("option:checked")).to_have_text(
        senco.name
    )
    labelled(page, "Agreed with parents/carers on").fill(today.isoformat())
    labelled(page, "Pupil voice").fill("I want to stay in lessons but sometimes it gets too loud.")
    expect(page.get_by_role("group", name=re.compile("^Risks"))).to_be_hidden()
    screenshot(page, "senco-plan-phone-3-plan-form")
    page.get_by_role("button", name="Save plan").click()

    expect(page.get_by_text("Plan saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Individual behaviour plan (IBP)")
    expect(page.get_by_text("No targets yet.")).to_be_visible()
    for target in TARGETS:
        page.get_by_role("link", name="Add a target").click()
        expect(page.get_by_role("heading", name="Add a target")).to_be_visible()
        labelled(page, "Area of need").select_option(label=target["area"])
        labelled(page, "Target").fill(target["description"])
        labelled(page, "Success criteria").fill(target["success"])
        labelled(page, "Baseline").fill(target["baseline"])
        labelled(page, "Strategies / provision").fill(target["provision"])
        if target is TARGETS[0]:
            screenshot(page, "senco-plan-phone-4-target-form")
        page.get_by_role("button", name="Save target").click()
        expect(page.get_by_text("Target saved.")).to_be_visible()

    targets = page.locator("ol.target-list > li")
    expect(targets).to_have_count(2)
    for item, target in zip(targets.all(), TARGETS, strict=True):
        expect(item).to_contain_text(target["description"])
        expect(item).to_contain_text(target["area"])
        expect(item).to_contain_text("Not yet reviewed")

    # 4. Record the review: a rating and evidence for each target, attendees, next steps.
    page.get_by_role("button", name="Record a review").click()  # a link styled as a button
    expect(page.get_by_role("heading", name="Record a review")).to_be_visible()
    expect(labelled(page, "Review held on")).to_have_value(today.isoformat())
    labelled(page, "Attendees").fill("Nate\nMum (Mrs Quarshie)\nKey adult\nSENCo")
    labelled(page, "Next steps").fill("Keep the break card; add a target for unstructured time.")
    for number, target in enumerate(TARGETS, start=1):
        group = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        expect(group).to_contain_text(target["description"])
        expect(group).to_contain_text(f"Success criteria: {target['success']}")
        group.get_by_label(target["rating"], exact=True).check()
        group.get_by_label("Evidence").fill(target["evidence"])
    screenshot(page, "senco-plan-phone-5-review-form")
    page.get_by_role("button", name="Save review").click()

    # 5. What the SENCo sees: both targets with their latest rating, and the review itself.
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    for item, target in zip(targets.all(), TARGETS, strict=True):
        expect(item).to_contain_text(target["description"])
        expect(item.locator(".badge")).to_have_text(f"Latest: {target['rating']}")
    review = page.locator("article.review")
    expect(review).to_have_count(1)
    expect(review.get_by_role("heading", level=3)).to_have_text(f"Review on {today:%d/%m/%Y}")
    expect(review).to_contain_text(f"Recorded by {senco.name}")
    ratings = review.locator("ul.record-list > li")
    expect(ratings).to_have_count(2)
    for rating, target in zip(ratings.all(), TARGETS, strict=True):
        expect(rating).to_contain_text(target["description"])
        expect(rating.locator(".badge")).to_have_text(target["rating"])
        expect(rating).to_contain_text(target["evidence"])
    expect(review).to_contain_text("Mum (Mrs Quarshie)")
    expect(review).to_contain_text("Keep the break card; add a target for unstructured time.")
    screenshot(page, "senco-plan-phone-6-plan-reviewed")

    # The pupil page lists the plan.
    page.get_by_role("link", name="← Nate Quarshie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nate Quarshie")
    listed = page.locator("#plans ul.plan-list > li")
    expect(listed).to_have_count(1)
    expect(listed.get_by_role("link")).to_have_text("Individual behaviour plan (IBP)")
    expect(listed).to_contain_text("Cycle 1")
    expect(listed).to_contain_text(f"Next review {next_review:%d/%m/%Y}")
    expect(listed).to_contain_text("2 targets")
    expect(listed).to_contain_text(f"Owner {senco.name}")
    page.locator("#plans").scroll_into_view_if_needed()
    screenshot(page, "senco-plan-phone-7-pupil-page")

    with scopes_disabled():
        plan = SupportPlan.objects.get(pupil=nate)
        assert (plan.kind, plan.status, plan.owner) == ("ibp", "active", senco)
        assert plan.next_review_on == next_review
        review = plan.reviews.get()
        assert review.recorded_by == senco
        assert {(r.target.description, r.rating) for r in review.ratings.all()} == {
            (TARGETS[0]["description"], Rating.DEVELOPING),
            (TARGETS[1]["description"], Rating.ACHIEVED),
        }
