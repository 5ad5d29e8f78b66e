"""The union rep's journey, end to end in Chromium: reviews a system (its record and its
assessments), comments on the record, raises a concern, records the union's position, and reads
the employer's response. The HR officer's part (the consultation opened, the DPIA shared, the
response to the concern) is set up through the consultations services. Every page visited is
checked in English and in Welsh."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from consultations import services as consultations
from consultations.choices import STAGE_FOR_LIFECYCLE
from consultations.models import Comment, Concern, UnionPosition
from tests.assessments.conftest import complete_dpia
from tests.factories import PASSWORD
from tests.packs.conftest import fill_record

from .conftest import (
    assert_error_summary,
    check_both,
    check_page,
    h1,
    open_tab,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Members on the Llŷn peninsula ask how ferry times are taken into account."
RESPONSE = "Travel times now include the ferry timetable; the scheduling officer checks them."


@pytest.fixture
def consultation(system, cast):
    """The system with a full record and a DPIA in review; the consultation for its current
    stage opened with the rep's union, and the DPIA shared with the reps."""
    system = fill_record(system, cast.hr)
    dpia = complete_dpia(system, cast.hr)
    assessment_services.submit(dpia, actor=cast.hr)
    union = cast.rep.memberships.get().union
    consultation = consultations.create_consultation(
        actor=cast.hr,
        system=system,
        stage=STAGE_FOR_LIFECYCLE[system.lifecycle_stage],
        unions=[union],
        summary="Whether to buy the rota planner.",
    )
    consultations.open_consultation(consultation, actor=cast.hr)
    consultations.share(consultation, actor=cast.hr, obj=dpia)
    return consultation


def test_union_rep_reviews_comments_raises_a_concern_and_records_a_position(
    page, cast, consultation
):
    system = consultation.system
    sign_in(page, cast.rep.email, PASSWORD)
    awaiting = page.get_by_role("region", name="Your union's view")
    expect(awaiting.get_by_role("link", name=f"{system.name}: Planning")).to_be_visible()
    expect(awaiting.get_by_role("link", name="Assessment: DPIA v1")).to_be_visible()
    check_both(page, "rep-01-dashboard", welsh_screenshot=True)

    # Review: the register, the system, its record and its assessments.
    page.get_by_role("link", name="Register", exact=True).click()
    expect(h1(page)).to_have_text("Register of algorithmic systems")
    check_both(page)
    page.get_by_role("link", name=system.name).click()
    expect(h1(page)).to_have_text(system.name)
    check_both(page)
    open_tab(page, "record")
    expect(page.locator("#record").get_by_text("CareRoute Ltd").first).to_be_visible()
    check_both(page, "rep-02-record")
    open_tab(page, "assessments")
    check_both(page)
    page.locator("#assessments").get_by_role("link", name="Version 1").click()
    expect(h1(page)).to_have_text("Data protection impact assessment")
    expect(page.locator("main").get_by_text("In review", exact=True).first).to_be_visible()
    check_both(page, "rep-03-dpia")

    # A comment on the record: an empty one first.
    page.goto(f"/systems/{system.uuid}/#consultation")
    check_both(page)
    page.get_by_role("button", name="Post the comment").click()
    expect(h1(page)).to_have_text("Add a comment")
    assert assert_error_summary(page) == ["Enter your comment."]
    check_page(page)
    screenshot(page, "rep-04-comment-error")
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Post the comment").click()
    # Back on the system page, in the tab that holds the comments.
    thread = page.get_by_role("article").filter(has_text=COMMENT)
    expect(thread).to_be_visible()
    expect(thread).to_contain_text(cast.rep.full_name)
    expect(page.locator('a.govuk-tabs__tab[href="#consultation"]')).to_have_attribute(
        "aria-selected", "true"
    )
    assert Comment.objects.get().body == COMMENT
    check_both(page)

    # A concern, with the category forgotten first.
    page.get_by_role("link", name="Raise a concern").click()
    expect(h1(page)).to_have_text("Raise a concern")
    check_both(page)
    page.get_by_label("Summary").fill("Ferry times ignored by the rota planner")
    page.get_by_label("Details").fill(
        "Rotas for the Llŷn give workers visits on both sides of the ferry with no time to cross."
    )
    page.get_by_role("button", name="Raise the concern").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert assert_error_summary(page) == ["Choose the category that fits the concern best."]
    check_page(page)
    assert "ferry" in page.get_by_label("Details").input_value()
    page.get_by_label("What kind of concern is it?").select_option(label="Work intensification")
    page.get_by_role("button", name="Raise the concern").click()
    expect(h1(page)).to_have_text("Ferry times ignored by the rota planner")
    expect(page.locator("main").get_by_text("Open", exact=True).first).to_be_visible()
    concern = Concern.objects.get()
    assert concern.raised_by == cast.rep and concern.category
    check_both(page, "rep-05-concern-raised")

    # The union's position: "with conditions" needs the conditions.
    page.goto(f"/systems/{system.uuid}/consultation/{consultation.uuid}/")
    check_both(page)
    page.get_by_role("link", name="Record your union's position").click()
    expect(h1(page)).to_contain_text("Record the position of")
    check_both(page)
    page.get_by_label("Agreed with conditions").check()
    page.get_by_label("Your union's view").fill("We support a pilot if travel time is protected.")
    page.get_by_role("button", name="Record the position").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert assert_error_summary(page) == ["Enter the conditions of your agreement."]
    check_page(page)
    screenshot(page, "rep-06-position-error")
    page.get_by_role("textbox", name="Conditions").fill(
        "Travel time between visits is never cut below 15 minutes."
    )
    page.get_by_role("button", name="Record the position").click()
    card = page.locator("#positions ~ .govuk-summary-card").first
    expect(card).to_contain_text("Agreed with conditions")
    expect(card).to_contain_text("never cut below 15 minutes")
    position = UnionPosition.objects.get()
    assert (
        position.position == "agreed_with_conditions" and position.union.name in card.inner_text()
    )
    check_both(page, "rep-07-position-recorded")

    # HR responds (through the service); the rep reads the response on the concern's page.
    consultations.respond_to_concern(concern, actor=cast.hr, text=RESPONSE)
    page.goto("/")
    page.get_by_role("region", name="Your union's view").get_by_role(
        "link", name="Ferry times ignored by the rota planner"
    ).click()
    expect(page.get_by_text(RESPONSE)).to_be_visible()
    expect(page.locator("main").get_by_text("Responded", exact=True).first).to_be_visible()
    check_both(page, "rep-08-concern-response", welsh_screenshot=True)
