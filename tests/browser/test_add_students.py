"""A teacher makes accounts for a class from a pasted list, corrects a problem the page
points out, reads the log-ins, and a student logs in with one of them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import choose_own_password, create_class, log_in, main

NEW_PASSWORD = "a lantern by the quiet river"
WITH_A_PROBLEM = (
    "Name\tEmail\nLesia Ukrainka\tlesia@school.example\nIvan Franko\tivan.franko@school\n"
)


def test_a_teacher_adds_students_with_new_accounts_and_one_logs_in(
    new_page, check_accessibility, screenshot
):
    teacher = new_page()
    log_in(teacher, "rosterteacher@example.com")
    create_class(teacher, "Year 7 Literature")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Add students with new accounts").click()
    expect(teacher.get_by_role("heading", name="Add students with new accounts")).to_be_visible()
    check_accessibility(teacher, "add students form")

    students = teacher.get_by_label("Students, one a line")
    students.fill(WITH_A_PROBLEM)
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Create the accounts").click()
    problems = teacher.get_by_role("alert")
    expect(problems).to_contain_text("No account was created: the list has 1 problem")
    expect(problems).to_contain_text("Line 3: “ivan.franko@school” is not a valid email address.")
    expect(problems).to_be_focused()  # read out first by a screen reader
    check_accessibility(teacher, "add students form with a problem")
    expect(students).to_have_value(WITH_A_PROBLEM)  # kept, to correct

    students.fill(WITH_A_PROBLEM.replace("@school\n", "@school.example\n"))
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Create the accounts").click()
    expect(
        teacher.get_by_role("heading", name="2 new accounts in Year 7 Literature")
    ).to_be_visible()
    check_accessibility(teacher, "new accounts page")
    screenshot(teacher, "new-student-accounts")
    table = main(teacher).get_by_role("table", name=re.compile("^Log-ins for Year 7 Literature"))
    lesia = table.get_by_role("row").filter(
        has=teacher.get_by_role("rowheader", name="Lesia Ukrainka")
    )
    password = lesia.locator("code").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password), password

    student = new_page()
    student.goto("/login")
    student.get_by_label("Email").fill("lesia@school.example")
    student.get_by_label("Password").fill(password)
    with student.expect_navigation():
        student.keyboard.press("Enter")
    choose_own_password(student, NEW_PASSWORD)
    expect(student.get_by_text("Welcome back, Lesia Ukrainka.")).to_be_visible()
    student.goto("/join")
    expect(main(student)).to_contain_text("Year 7 Literature")
