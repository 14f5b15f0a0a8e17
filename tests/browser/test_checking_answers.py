"""A practice quiz that checks each answer as it is given, in Chromium: the verdict and
the explanation after each answer, then on to the next question from the keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import (
    QUESTION_URL,
    answer_any,
    log_in,
    main,
    open_deck,
    question_position,
    read_question,
)

DECK = "Ukraine and Russia: a troubled history"


def test_a_student_checks_each_answer_as_they_go(new_page, check_accessibility, screenshot):
    page = new_page()
    log_in(page, "checker@example.com")
    open_deck(page, DECK)
    main(page).get_by_label("Questions").select_option(label="10 questions")
    box = main(page).get_by_label("Check each answer as I go")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    with page.expect_navigation():
        main(page).get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(QUESTION_URL)

    for number in (1, 2):
        answer_any(page, read_question(page))
        with page.expect_navigation():
            main(page).get_by_role("button", name="Check my answer").click()
        verdict = main(page).locator(".verdict")
        expect(verdict).to_have_text(re.compile(r"(Right|Wrong)$"))
        expect(main(page).get_by_role("heading", level=2)).to_be_visible()
        if number == 1:
            check_accessibility(page, "checked answer")
            screenshot(page, "checked-answer")
        next_link = main(page).get_by_role("link", name="Next question")
        expect(next_link).to_be_focused()  # the way on is one key away
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert question_position(page) == (number + 1, 10)
