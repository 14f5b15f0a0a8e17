"""The quiz on a phone: nothing scrolls sideways, choices are big enough to tap."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    QUESTION_URL,
    answer_any,
    choice_inputs,
    label_of,
    log_in,
    main,
    open_deck,
    read_question,
    save_answer,
    start_quiz,
    submit_quiz,
)

PHONE = {"width": 390, "height": 844}
MIN_TAP_TARGET = 44  # CSS pixels, WCAG 2.5.5 and the platforms' guidelines
DECK = "Ukraine and Russia: a troubled history"


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_quiz_on_a_phone(new_page, screenshot, readme_shot):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "phone@example.com")
    open_deck(page, DECK)
    assert page_width(page) <= PHONE["width"]
    total = start_quiz(page, "10 questions")

    for number in range(1, total + 1):
        expect(page).to_have_url(QUESTION_URL)
        question = read_question(page)
        width = page_width(page)
        assert width <= PHONE["width"], f"question {number} scrolls sideways: {width}px wide"
        if question.kind != "ordering":
            choices = choice_inputs(page)
            for index in range(choices.count()):
                box = label_of(page, choices.nth(index)).bounding_box()
                assert box and box["height"] >= MIN_TAP_TARGET, (
                    f"choice {index + 1} of question {number} is {box} (under 44px tall)"
                )
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        if number == 1:
            screenshot(page, "phone-quiz-question")
            readme_shot(page, "phone-quiz-question", phone=True)
        answer_any(page, question)
        save_answer(page)

    assert page_width(page) <= PHONE["width"]
    submit_quiz(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Your score: \d+%$"))).to_be_visible()
    expect(main(page).locator("ol.results > li")).to_have_count(total)
    assert page_width(page) <= PHONE["width"]
    screenshot(page, "phone-quiz-result")
