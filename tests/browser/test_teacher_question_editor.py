"""A teacher writes a question with the keyboard, changing its kind on the way without
losing the choices typed, saves it with Enter, publishes the set and assigns it; then
unpublishes it, which asks first, and the class page says the students can't see it.

The student of the class sees the set among their assignments until it is unpublished."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import assign_deck, create_class, join_class, log_in, main

SET_TITLE = "Capitals of Europe"
SET_URL = re.compile(r"/teach/sets/\d+$")
CLASS_NAME = "Geography 9A"
CHOICES = ["Lyon", "Paris", "Nice"]


def test_teacher_saves_with_enter_keeps_choices_and_confirms_an_unpublish(
    new_page, check_accessibility, screenshot
):
    teacher = new_page()
    log_in(teacher, "editorteacher@example.com")
    teacher.goto("/teach/sets/new")
    teacher.get_by_label("Title").fill(SET_TITLE)
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Create the set").click()
    expect(teacher).to_have_url(SET_URL)
    set_url = teacher.url
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="One right answer").click()

    editor = main(teacher)
    editor.get_by_label("Question (or front of the card)").fill("Capital of France?")
    for number, text in enumerate(CHOICES, start=1):
        editor.get_by_label(f"Choice {number}", exact=True).fill(text)
    editor.get_by_role("radio", name="Right answer: choice 2").check()

    # To a flashcard and back: the choices and the right answer come back.
    editor.get_by_label("Kind of question").select_option(label="Flashcard (front and back)")
    with teacher.expect_navigation():
        editor.get_by_role("button", name="Change kind").click()
    expect(editor.get_by_text("The 3 choices you typed are kept while you edit")).to_be_visible()
    expect(editor.get_by_label("Back of the card")).to_be_visible()
    editor.get_by_label("Kind of question").select_option(label="Multiple choice, one right answer")
    with teacher.expect_navigation():
        editor.get_by_role("button", name="Change kind").click()
    for number, text in enumerate(CHOICES, start=1):
        expect(editor.get_by_label(f"Choice {number}", exact=True)).to_have_value(text)
    expect(editor.get_by_role("radio", name="Right answer: choice 2")).to_be_checked()
    expect(editor.get_by_label("Question (or front of the card)")).to_have_value(
        "Capital of France?"
    )
    check_accessibility(teacher, "question editor")
    screenshot(teacher, "question-editor")

    # Enter in a choice saves the question (not "Change kind", the first button in view).
    with teacher.expect_navigation():
        editor.get_by_label("Choice 3", exact=True).press("Enter")
    expect(teacher).to_have_url(SET_URL)
    expect(teacher.get_by_text("Question saved.")).to_be_visible()
    expect(main(teacher).locator(".item-prompt")).to_have_text(["Capital of France?"])

    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Publish").click()
    code = create_class(teacher, CLASS_NAME)
    assign_deck(teacher, SET_TITLE)

    student = new_page()
    log_in(student, "editorstudent@example.com")
    join_class(student, code)
    assignments = student.get_by_role("region", name="Your assignments")
    expect(assignments.get_by_role("link", name=SET_TITLE, exact=True)).to_be_visible()

    # Unpublishing asks first, naming the class; "Keep it published" changes nothing.
    teacher.goto(set_url)
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Unpublish…").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Unpublish “{SET_TITLE}”?")
    expect(main(teacher)).to_contain_text("It is assigned to 1 class:")
    expect(main(teacher).get_by_role("listitem").first).to_have_text(f"{CLASS_NAME}, 1 student")
    check_accessibility(teacher, "unpublish question")
    screenshot(teacher, "unpublish-question")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Keep it published").click()
    expect(main(teacher).get_by_text("Published", exact=True)).to_be_visible()

    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Unpublish…").click()
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Unpublish the set").click()
    expect(teacher).to_have_url(SET_URL)
    expect(
        teacher.get_by_text(f"the students of {CLASS_NAME} no longer see this set")
    ).to_be_visible()

    student.reload()
    expect(student.get_by_role("link", name=SET_TITLE, exact=True)).to_have_count(0)

    teacher.goto("/teach/classes/")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name=CLASS_NAME).click()
    assignment = main(teacher).locator("li", has=teacher.get_by_text(SET_TITLE, exact=True))
    expect(assignment).to_contain_text("Unpublished: students can't see it.")
    check_accessibility(teacher, "class page with an unpublished assignment")
