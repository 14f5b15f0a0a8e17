"""A learner suspends a card from its back, by keyboard, and brings it back from the
deck's page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import log_in, main


def test_a_learner_suspends_a_card_and_brings_it_back(new_page, check_accessibility):
    page = new_page()
    log_in(page, "suspender@example.com")
    page.goto("/study/what-russia-wants")
    front = main(page).locator("#card-front").inner_text()
    with page.expect_navigation():
        page.keyboard.press("Space")
    suspend = main(page).locator("summary", has_text="Suspend this card")
    suspend.focus()
    page.keyboard.press("Enter")  # a <details> opens from the keyboard
    button = main(page).get_by_role("button", name="Suspend it")
    expect(button).to_be_visible()
    check_accessibility(page, "flashcard back, suspend opened")
    with page.expect_navigation():
        button.click()
    expect(page.get_by_text("Card suspended: it no longer comes up.")).to_be_visible()
    expect(main(page).locator("#card-front")).not_to_have_text(front)

    page.goto("/decks/what-russia-wants")
    listed = main(page).locator("details.suspended-cards")
    listed.locator("summary").click()
    expect(listed).to_contain_text(front)
    check_accessibility(page, "deck page with a suspended card")
    with page.expect_navigation():
        listed.get_by_role("button", name=re.compile("^Bring back")).click()
    expect(page.get_by_text("The card is back in your study.")).to_be_visible()
    expect(main(page).locator("details.suspended-cards")).to_have_count(0)
