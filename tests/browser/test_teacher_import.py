"""A teacher imports a GIFT file with an error, reads the line-numbered message, fixes
it, publishes the set, assigns it, and after a student's attempt reads the gradebook
and the item analysis.

On the way the teacher also writes one more question in the editor, and the student
joins the class with its code and takes the quiz from the assignment card."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    assign_deck,
    assignment_card,
    create_class,
    join_class,
    log_in,
    main,
    open_assignment,
    pick_choice,
    place_entries,
    read_question,
    save_answer,
    start_quiz,
    submit_quiz,
)

SET_TITLE = "Rivers of Europe"
SET_URL = re.compile(r"/teach/sets/\d+$")
CLASS_NAME = "Geography 8B"
STUDENT = "Taras"  # taker@example.com's name
GIFT_WITH_AN_ERROR = """\
$CATEGORY: Rivers of Europe

::danube:: Which river flows through Vienna? {=Danube ~Rhine ~Seine}

::thames:: Which river flows through London? {~Seine ~Rhine ~Danube}

::seine:: Which river flows through Paris? {=Seine ~Thames ~Danube ####Paris is on the Seine.}
"""
ERROR_LINE = 5  # the London question: no answer is marked right
GIFT_FIXED = GIFT_WITH_AN_ERROR.replace("{~Seine ~Rhine ~Danube}", "{=Thames ~Rhine ~Danube}")
ORDERING_PROMPT = "Put these rivers in order of length, the longest first."
LONGEST_FIRST = ["Volga", "Danube", "Rhine", "Thames"]
RIGHT_ANSWERS = {
    "Which river flows through Vienna?": "Danube",
    "Which river flows through London?": "Thames",
    "Which river flows through Paris?": "Seine",
}


def upload(page: Page, content: str) -> None:
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "rivers.gift", "mimeType": "text/plain", "buffer": content.encode()}
    )
    with page.expect_navigation():
        main(page).get_by_role("button", name="Import", exact=True).click()


def test_teacher_imports_publishes_assigns_and_reads_the_gradebook(
    new_page, check_accessibility, screenshot, readme_shot, subtests
):
    teacher = new_page()
    log_in(teacher, "teacher@example.com", check_accessibility=check_accessibility)
    teacher.goto("/teach/")
    expect(teacher.get_by_role("heading", name="Your question sets")).to_be_visible()
    check_accessibility(teacher, "teacher workspace")

    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Import a file").click()
    expect(teacher.get_by_role("heading", name="Import questions")).to_be_visible()
    upload(teacher, GIFT_WITH_AN_ERROR)
    report = teacher.get_by_role("alert")
    expect(report).to_contain_text("Nothing was imported: the file has 1 problem")
    expect(report.get_by_role("listitem")).to_have_count(1)
    expect(report.get_by_role("listitem")).to_contain_text(
        re.compile(rf"^Line {ERROR_LINE}: no right answer")
    )
    check_accessibility(teacher, "import page with errors")

    upload(teacher, GIFT_FIXED)
    expect(teacher).to_have_url(SET_URL)
    expect(teacher.get_by_text("Imported 3 new questions, updated 0, 0 unchanged.")).to_be_visible()
    heading = teacher.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"{SET_TITLE} Draft")
    expect(main(teacher).locator("ol.item-list > li")).to_have_count(3)

    # One more question, written in the editor: students will have to order it.
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Put in order").click()
    expect(teacher.get_by_role("heading", name="A new question")).to_be_visible()
    check_accessibility(teacher, "item editor")
    teacher.get_by_label("Question (or front of the card)").fill(ORDERING_PROMPT)
    for number, river in enumerate(LONGEST_FIRST, start=1):
        teacher.get_by_label(f"Entry {number}", exact=True).fill(river)
    teacher.get_by_label("Explanation").fill("The Volga is Europe's longest river.")
    teacher.get_by_label("Source").fill("An atlas")
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Save", exact=True).click()
    expect(teacher).to_have_url(SET_URL)
    expect(teacher.get_by_text("Question saved.")).to_be_visible()
    expect(main(teacher).locator("ol.item-list > li")).to_have_count(4)

    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Preview question 4").click()
    expect(teacher.get_by_text("This is how a student sees the question.")).to_be_visible()
    expect(main(teacher)).to_contain_text(ORDERING_PROMPT)
    check_accessibility(teacher, "preview page")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Back to the set").click()

    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Publish", exact=True).click()
    expect(teacher).to_have_url(SET_URL)
    expect(teacher.get_by_text("Published: every learner on the site can now see")).to_be_visible()
    expect(heading).to_have_text(f"{SET_TITLE} Published")
    expect(main(teacher).get_by_role("button", name="Unpublish")).to_be_visible()
    check_accessibility(teacher, "set page")
    screenshot(teacher, "teacher-set")

    code = create_class(teacher, CLASS_NAME)
    assign_deck(teacher, SET_TITLE)
    class_url = teacher.url
    expect(main(teacher)).to_contain_text("quizzes that count: the whole deck")
    expect(main(teacher)).to_contain_text("No students yet.")
    check_accessibility(teacher, "class page")

    student = new_page()
    log_in(student, "taker@example.com")
    join_class(student, code)
    card = assignment_card(student, SET_TITLE)
    expect(card.locator(".status-badge")).to_have_text("Not started")
    open_assignment(student, SET_TITLE)
    total = start_quiz(student, "All 4 questions")
    assert total == 4
    for _ in range(total):
        question = read_question(student)
        if question.kind == "ordering":
            assert question.prompt == ORDERING_PROMPT
            check_accessibility(student, "question page (ordering)")
            screenshot(student, "quiz-question-ordering")
            place_entries(student, LONGEST_FIRST)
        else:
            pick_choice(student, RIGHT_ANSWERS[question.prompt])
        save_answer(student)
    submit_quiz(student)
    expect(student.get_by_role("heading", name="Your score: 100%")).to_be_visible()
    expect(main(student)).to_contain_text("4 of 4 right")
    expect(main(student).get_by_text("Paris is on the Seine.")).to_be_visible()

    # The teacher sees the student in the class, then the grade in the gradebook.
    teacher.goto(class_url)
    students = main(teacher).locator(
        "section", has=teacher.get_by_role("heading", name="Students (1)")
    )
    expect(students.get_by_role("link", name=STUDENT, exact=True)).to_be_visible()
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Gradebook", exact=True).click()
    expect(teacher.get_by_role("heading", name="Gradebook", level=1)).to_be_visible()
    table = main(teacher).locator("table.gradebook")
    expect(table.get_by_role("columnheader", name=re.compile(f"^{SET_TITLE}"))).to_be_visible()
    row = table.get_by_role("row").filter(has=teacher.get_by_role("rowheader", name=STUDENT))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").first).to_contain_text("100%")
    expect(row.get_by_role("cell").first).to_contain_text("1 attempt")
    check_accessibility(teacher, "gradebook")
    screenshot(teacher, "gradebook")
    readme_shot(teacher, "gradebook")
    with subtests.test(msg="the gradebook prints without the site's menu and controls"):
        teacher.emulate_media(media="print")
        expect(teacher.locator(".site-header")).to_be_hidden()
        expect(main(teacher).get_by_role("link", name="Download CSV")).to_be_hidden()
        expect(main(teacher).get_by_role("navigation", name="Breadcrumb")).to_be_visible()
        expect(row).to_be_visible()
        teacher.emulate_media(media="screen")

    csv_link = main(teacher).get_by_role("link", name="Download CSV")
    response = teacher.request.get(csv_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.text()
    assert STUDENT in body and SET_TITLE in body, body[:500]

    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Item analysis").first.click()
    expect(
        teacher.get_by_role("heading", name=f"Item analysis: {SET_TITLE}", level=1)
    ).to_be_visible()
    analysis = main(teacher).locator("table.analysis")
    expect(analysis.get_by_role("columnheader", name="Facility")).to_be_visible()
    rows = analysis.locator("tbody > tr")
    expect(rows).to_have_count(4)
    # One student, every answer right: every question's facility is 100%.
    facility = analysis.locator("tbody > tr > td:nth-child(3)")
    expect(facility).to_have_text(["100%"] * 4)
    check_accessibility(teacher, "item analysis")
    with subtests.test(msg="the item analysis table fits its card on a desktop screen"):
        scroller = main(teacher).locator(".table-scroll:has(table.analysis)")
        overflow = scroller.evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 0, f"table.analysis is {overflow}px wider than its card"
    screenshot(teacher, "item-analysis")
    readme_shot(teacher, "item-analysis")

    # Another teacher finds the published set by a word of its title and copies it.
    colleague = new_page()
    log_in(colleague, "classteacher@example.com")
    colleague.goto("/decks")
    colleague.get_by_label("Find a deck").fill("rivers")
    with colleague.expect_navigation():
        colleague.keyboard.press("Enter")
    expect(main(colleague).get_by_text("1 deck matches “rivers”.")).to_be_visible()
    check_accessibility(colleague, "deck list found by a search")
    with colleague.expect_navigation():
        main(colleague).get_by_role("link", name=SET_TITLE).click()
    adapt = main(colleague).get_by_role("region", name="Adapt it for your classes")
    expect(adapt).to_be_visible()
    check_accessibility(colleague, "deck page as a teacher")
    with colleague.expect_navigation():
        adapt.get_by_role("button", name="Copy to my sets").click()
    expect(colleague).to_have_url(SET_URL)
    expect(
        colleague.get_by_text("This is your own copy, a draft with 4 questions.")
    ).to_be_visible()
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"{SET_TITLE} (copy) Draft")

    # The copy printed as a paper test: on paper, only the test and its key.
    with colleague.expect_navigation():
        main(colleague).get_by_role("link", name="print it as a paper test").click()
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"{SET_TITLE} (copy)")
    with colleague.expect_navigation():
        main(colleague).get_by_role("link", name="Add the answer key").click()
    expect(colleague.get_by_role("heading", name=f"Answer key: {SET_TITLE} (copy)")).to_be_visible()
    check_accessibility(colleague, "paper test")
    screenshot(colleague, "paper-test")
    colleague.emulate_media(media="print")
    expect(colleague.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(main(colleague).get_by_role("link", name="Leave out the answer key")).to_be_hidden()
    key = main(colleague).locator(".paper-key")
    assert key.evaluate("k => getComputedStyle(k).breakBefore") == "page"
    colleague.emulate_media(media="screen")
