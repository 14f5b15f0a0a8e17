"""A student signs up, joins a class with a code, takes an assigned quiz to the end,
reads the explained result and sees it in their scores.

The class comes first: its teacher creates it and assigns a built-in deck, through the
browser too."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    QUESTION_URL,
    answer_any,
    assign_deck,
    assignment_card,
    choice_inputs,
    create_class,
    go_to,
    join_class,
    label_of,
    log_in,
    main,
    open_assignment,
    read_question,
    save_answer,
    sign_up,
    start_quiz,
    submit_quiz,
)

DECK = "Ukraine and Russia: a troubled history"
CLASS_NAME = "Year 10 History"

FOCUSED_OUTLINE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, type: el.type || '', id: el.id, text: el.innerText || '',
          outline: style.outlineStyle, width: style.outlineWidth};
}"""


def outline_of(page: Page, selector: str) -> str:
    return page.locator(selector).evaluate("el => getComputedStyle(el).outlineStyle")


def check_keyboard_on_question(page: Page) -> None:
    """Tab from the top of a choice question reaches a choice, with a visible focus
    style, lets Space tick it, and reaches the submit button, which Enter presses."""
    reached_choice = None
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_OUTLINE)
        if focused["tag"] == "INPUT" and focused["type"] in ("radio", "checkbox"):
            reached_choice = focused
            break
    assert reached_choice, "Tab never reached a choice of the question"
    assert reached_choice["outline"] != "none", reached_choice
    # The input itself is invisible: the outline a person sees is on its label.
    label_outline = outline_of(page, f'label[for="{reached_choice["id"]}"]')
    assert label_outline != "none", "the focused choice's label shows no focus outline"
    page.keyboard.press("Space")
    expect(page.locator(f"#{reached_choice['id']}")).to_be_checked()

    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_OUTLINE)
        if focused["tag"] == "BUTTON" and re.match(r"Save and (next|review)", focused["text"]):
            break
    else:
        raise AssertionError("Tab never reached the submit button of the question")
    assert focused["outline"] != "none", f"the focused submit button has no outline: {focused}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/attempts/\d+/(\d+|review)$"))


def test_student_joins_a_class_and_takes_the_assigned_quiz(
    new_page, check_accessibility, screenshot, readme_shot
):
    teacher = new_page()
    log_in(teacher, "classteacher@example.com")
    code = create_class(teacher, CLASS_NAME, check_accessibility=check_accessibility)
    assign_deck(teacher, DECK, counted="10+ questions or the whole deck")
    expect(main(teacher)).to_contain_text("quizzes that count: 10+ questions or the whole deck")

    page = new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Learn it, check it, keep it.")).to_be_visible()
    check_accessibility(page, "home page")

    with page.expect_navigation():
        main(page).get_by_role("link", name="Create a free account").click()
    check_accessibility(page, "sign-up page")
    sign_up(page, "Olena", f"olena-{uuid.uuid4().hex[:8]}@example.com")
    expect(page.get_by_role("button", name="Log out (Olena)")).to_be_visible()
    expect(main(page).get_by_role("link", name=DECK)).to_be_visible()
    # Not in a class yet: no assignments.
    expect(page.get_by_role("region", name="Your assignments")).to_have_count(0)

    join_class(page, code, check_accessibility=check_accessibility)
    expect(page.get_by_text(f"You joined {CLASS_NAME}.")).to_be_visible()
    card = assignment_card(page, DECK)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(CLASS_NAME)
    expect(card.locator(".status-badge")).to_have_text("Not started")
    check_accessibility(page, "deck list")
    screenshot(page, "deck-list")

    # The join page now lists the class, with a way to leave it that asks first.
    page.goto("/join")
    classes = main(page).get_by_role("region", name="Your classes")
    expect(classes).to_contain_text(CLASS_NAME)
    classes.locator("summary").first.click()
    expect(classes.get_by_role("button", name=f"Leave {CLASS_NAME}")).to_be_visible()
    check_accessibility(page, "join page with the student's classes")
    page.goto("/decks")

    open_assignment(page, DECK)
    expect(main(page)).to_contain_text(
        f"For your assignment in {CLASS_NAME}, a quiz counts when it has at least 10 questions."
    )
    check_accessibility(page, "deck page")

    total = start_quiz(page, "10 questions")
    assert total == 10
    checked_kinds: set[str] = set()
    keyboard_checked = False
    choice_questions = 0
    for number in range(1, total + 1):
        expect(page).to_have_url(QUESTION_URL)
        question = read_question(page)
        assert (question.number, question.total) == (number, total)
        if question.kind not in checked_kinds:
            checked_kinds.add(question.kind)
            name = "ordering" if question.kind == "ordering" else "choice"
            check_accessibility(page, f"question page ({name})")
        if question.kind != "ordering":
            choice_questions += 1
            if choice_questions == 1:
                screenshot(page, "quiz-question")
                readme_shot(page, "quiz-question")
            # The choices are real (visually hidden) inputs, named by their labels.
            first = choice_inputs(page).first
            expect(label_of(page, first)).to_be_visible()
        if question.kind != "ordering" and not keyboard_checked:
            keyboard_checked = True
            check_keyboard_on_question(page)
            continue
        answer_any(page, question)
        save_answer(page)
    assert keyboard_checked, "the quiz had no choice question to try the keyboard on"

    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(main(page)).to_contain_text("You have answered 10 of 10 questions.")
    check_accessibility(page, "review page")
    submit_quiz(page)

    heading = page.get_by_role("heading", name=re.compile(r"^Your score: \d+%$"))
    expect(heading).to_be_visible()
    expect(main(page)).to_contain_text(re.compile(r"\d+ of 10 right · submitted"))
    rows = main(page).locator("ol.results > li")
    expect(rows).to_have_count(10)
    # Every choice question names its right answer; ordering ones show the right order.
    assert main(page).get_by_text("right answer", exact=True).count() >= choice_questions
    expect(main(page).locator(".explanation")).to_have_count(10)
    expect(main(page).get_by_text(re.compile(r"^Source: "))).to_have_count(10)
    for index in range(10):
        expect(rows.nth(index).locator(".verdict")).to_have_text(re.compile(r"(Right|Wrong)$"))
    score = heading.inner_text()
    check_accessibility(page, "result page")
    screenshot(page, "quiz-result")
    readme_shot(page, "quiz-result")

    with page.expect_navigation():
        main(page).get_by_role("link", name="All my scores").click()
    expect(page).to_have_url(re.compile(r"/scores$"))
    expect(page.get_by_role("heading", name="My scores")).to_be_visible()
    section = main(page).locator("section", has=page.get_by_role("heading", name=DECK))
    expect(section).to_be_visible()
    expect(section.get_by_role("img", name=re.compile("^Scores over time for"))).to_be_visible()
    expect(section.locator("svg.chart")).to_have_count(1)
    expect(section.get_by_role("cell", name=re.compile(r"^\d+\/10 \(\d+%\)$"))).to_have_count(1)
    assert score.removeprefix("Your score: ") in section.inner_text()
    check_accessibility(page, "scores page")
    screenshot(page, "scores")

    # Back on the deck list, the assignment is done, with the score just earned.
    go_to(page, "Decks")
    card = assignment_card(page, DECK)
    expect(card.locator(".status-badge")).to_have_text("Done")
    expect(card).to_contain_text(f"best {score.removeprefix('Your score: ')}")
    readme_shot(page, "deck-list")
