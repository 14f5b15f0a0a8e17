"""A learner reports a problem with a question from their result, from the keyboard, and
the deck's maintainer (an administrator, for a built-in deck) reads it and marks it
dealt with; the learner's own data and the account deletion page, checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import (
    RESULT_URL,
    answer_any,
    log_in,
    main,
    open_deck,
    read_question,
    save_answer,
    start_quiz,
    submit_quiz,
)

DECK = "Ukraine and Russia: a troubled history"


def test_a_learner_reports_a_question_and_its_maintainer_deals_with_it(
    new_page, check_accessibility, screenshot
):
    page = new_page()
    log_in(page, "reporter@example.com")
    open_deck(page, DECK)
    total = start_quiz(page, "10 questions")
    for _ in range(total):
        answer_any(page, read_question(page))
        save_answer(page)
    submit_quiz(page)

    report_link = main(page).get_by_role(
        "link", name="Report a problem with question 1", exact=True
    )
    with page.expect_navigation():
        report_link.click()
    expect(page.get_by_role("heading", name="Report a problem with a question")).to_be_visible()
    check_accessibility(page, "report a question")
    screenshot(page, "report-a-question")
    # From the keyboard: the first reason, then the next one with an arrow key.
    main(page).get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(
        main(page).get_by_role("radio", name=re.compile("^The question is unclear"))
    ).to_be_checked()
    page.keyboard.press("Tab")
    expect(main(page).get_by_label("Say more")).to_be_focused()
    page.keyboard.type("Two of the choices seem right to me.")
    page.keyboard.press("Tab")
    expect(main(page).get_by_role("button", name="Send the report")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(RESULT_URL)
    expect(
        page.get_by_text("Thank you: the author of the deck will see your report.")
    ).to_be_visible()

    page.goto("/settings")
    check_accessibility(page, "settings")
    page.goto("/account/delete")
    check_accessibility(page, "delete your account")

    admin = new_page()
    log_in(admin, "admin@example.com")
    admin.goto("/teach/")
    with admin.expect_navigation():
        main(admin).get_by_role("link", name="1 report from learners").click()
    reports = main(admin).locator("#reports")
    expect(reports.get_by_text("Two of the choices seem right to me.")).to_be_visible()
    expect(
        reports.get_by_text("The question is unclear, or more than one answer fits")
    ).to_be_visible()
    check_accessibility(admin, "set page with a report")
    screenshot(admin, "set-page-with-a-report")
    with admin.expect_navigation():
        reports.get_by_role("button", name=re.compile("^Mark dealt with")).click()
    expect(admin.get_by_text("Report marked dealt with.")).to_be_visible()
    expect(main(admin).locator("#reports")).to_have_count(0)
