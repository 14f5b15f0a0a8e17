"""The site in the dark colour scheme (a device set to dark, for studying at night):
every main page keeps its text readable, as axe checks it (contrast included)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import (
    answer_any,
    assign_deck,
    create_class,
    log_in,
    main,
    open_deck,
    pick_choice,
    read_question,
    save_answer,
    start_quiz,
    submit_quiz,
)

DECK = "Ukraine and Russia: a troubled history"


def test_a_student_and_a_teacher_in_the_dark_colour_scheme(
    new_page, check_accessibility, screenshot
):
    page = new_page(color_scheme="dark")
    log_in(page, "night@example.com")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 21, 28)", background  # the dark scheme is in use
    check_accessibility(page, "deck list (dark)")
    screenshot(page, "dark-deck-list")

    open_deck(page, DECK)
    check_accessibility(page, "deck page (dark)")
    total = start_quiz(page, "10 questions")
    for number in range(1, total + 1):
        question = read_question(page)
        if number == 1 and question.kind != "ordering":
            pick_choice(page)  # a chosen answer is shown in its own colours
            check_accessibility(page, "question page (dark)")
            screenshot(page, "dark-quiz-question")
        else:
            answer_any(page, question)
        save_answer(page)
    check_accessibility(page, "review page (dark)")
    submit_quiz(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Your score: \d+%$"))).to_be_visible()
    check_accessibility(page, "result page (dark)")
    screenshot(page, "dark-quiz-result")

    page.goto("/study/who-said-it")
    check_accessibility(page, "flashcard front (dark)")
    with page.expect_navigation():
        page.get_by_role("link", name="Show answer").click()
    expect(page.get_by_role("button", name=re.compile("^Easy"))).to_be_visible()
    check_accessibility(page, "flashcard back (dark)")
    screenshot(page, "dark-flashcard-back")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Good")).click()
    page.goto("/dashboard")
    check_accessibility(page, "learner dashboard (dark)")
    screenshot(page, "dark-dashboard")

    teacher = new_page(color_scheme="dark")
    log_in(teacher, "nightteacher@example.com")
    create_class(teacher, "Evening class")
    assign_deck(teacher, DECK)
    main(teacher).locator("details.confirm summary").first.click()
    check_accessibility(teacher, "class page (dark)")
    screenshot(teacher, "dark-class")
    teacher.goto("/teach/import")
    check_accessibility(teacher, "import page (dark)")
