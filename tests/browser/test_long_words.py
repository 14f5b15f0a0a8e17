"""Long unbroken text typed by people (a name, a word in a question) wraps or is cut
short: no page scrolls sideways, on a phone or a laptop, and the header's "Log out"
stays on screen."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    assign_deck,
    create_class,
    log_in,
    main,
    open_assignment,
    pick_choice,
    save_answer,
    sign_up,
    start_quiz,
    submit_quiz,
)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LONG_NAME = "Maximilian" * 8  # 80 letters and no space: sign-up takes it
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
SET_TITLE = "Long words"
GIFT = (
    f"$CATEGORY: $course$/top/{SET_TITLE}\n\n"
    f"::long-prompt:: Which is right? {LONG_WORD} {{\n"
    f"=Right {LONG_WORD}\n~Wrong {LONG_WORD}\n}}\n\n"
    "::short:: A short one? {=Yes ~No}\n"
)


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_fits(page: Page, viewport: dict[str, int], what: str) -> None:
    width = page_width(page)
    assert width <= viewport["width"], f"{what} scrolls sideways: {width}px wide"


def test_long_words_and_names_never_push_a_page_sideways(new_page):
    teacher = new_page(viewport=LAPTOP)
    log_in(teacher, "wrap-teacher@example.com")
    teacher.goto("/teach/import")
    teacher.get_by_label("File", exact=True).set_input_files(
        {"name": "long.gift", "mimeType": "text/plain", "buffer": GIFT.encode()}
    )
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Import", exact=True).click()
    expect(teacher.get_by_text("Imported 2 new questions")).to_be_visible()
    set_url = teacher.url
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Publish", exact=True).click()
    expect(teacher.get_by_text("Published: every learner on the site can now see")).to_be_visible()
    create_class(teacher, "Wrapping")
    assign_deck(teacher, SET_TITLE)
    class_url = teacher.url
    join_url = main(teacher).locator('a[href*="/join/"]').get_attribute("href")

    email = f"long-{uuid.uuid4().hex[:8]}@example.com"
    student = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    student.goto("/signup")
    sign_up(student, LONG_NAME, email)
    assert_fits(student, PHONE, "the deck list")
    student.goto(join_url)
    with student.expect_navigation():
        main(student).get_by_role("button", name="Join the class").click()
    open_assignment(student, SET_TITLE)
    total = start_quiz(student, "All 2 questions")
    for number in range(1, total + 1):
        assert_fits(student, PHONE, f"question {number}")
        pick_choice(student)
        save_answer(student)
    submit_quiz(student)
    assert_fits(student, PHONE, "the result page")

    # On a phone, the teacher reads the set and the student's answers, each tagged with
    # the student's name.
    teacher = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(teacher, "wrap-teacher@example.com")
    teacher.goto(set_url)
    assert_fits(teacher, PHONE, "the teacher's set page")
    teacher.goto(class_url)
    assert_fits(teacher, PHONE, "the class page")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name=LONG_NAME).click()
    assert_fits(teacher, PHONE, "the student's record")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name=re.compile("^Answers")).first.click()
    expect(main(teacher)).to_contain_text(f"{LONG_NAME}'s answer")
    assert_fits(teacher, PHONE, "the student's answers")

    # On a laptop the header keeps "Log out" on screen, the name cut short.
    laptop = new_page(viewport=LAPTOP)
    log_in(laptop, email)
    log_out = laptop.get_by_role("button", name=f"Log out ({LONG_NAME})")
    box = log_out.bounding_box()
    assert box and box["x"] + box["width"] <= LAPTOP["width"], box
    assert_fits(laptop, LAPTOP, "the deck list on a laptop")
