"""A student forgot their password: the teacher resets it from the student's page, and
the student logs in with the temporary password and chooses their own, by keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import choose_own_password, create_class, join_class, log_in, main

NEW_PASSWORD = "a lantern by the quiet river"


def test_a_teacher_resets_a_forgotten_password_and_the_student_chooses_a_new_one(
    new_page, check_accessibility, screenshot
):
    teacher = new_page()
    log_in(teacher, "resetteacher@example.com")
    code = create_class(teacher, "Year 8 History")
    student = new_page()
    log_in(student, "forgetful@example.com")
    join_class(student, code)

    teacher.reload()  # the class page, now with its student
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Yurko").click()
    expect(teacher.get_by_role("heading", name="Yurko", level=1)).to_be_visible()
    reset = main(teacher).locator("summary", has_text="Reset the password")
    reset.focus()
    teacher.keyboard.press("Enter")  # a <details> opens from the keyboard
    confirm = main(teacher).get_by_role("button", name="Reset Yurko's password")
    expect(confirm).to_be_visible()
    check_accessibility(teacher, "student page, reset opened")
    with teacher.expect_navigation():
        confirm.click()
    expect(teacher.get_by_role("heading", name="Temporary password for Yurko")).to_be_visible()
    check_accessibility(teacher, "temporary password page")
    screenshot(teacher, "temporary-password")
    temporary = main(teacher).locator(".temporary-password").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", temporary), temporary
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Back to Yurko").click()
    waiting = main(teacher).get_by_text("Yurko has a temporary password")
    expect(waiting).to_be_visible()

    # The student's open session ended with the reset.
    student.reload()
    expect(student).to_have_url(re.compile(r"/login"))
    student.goto("/login")
    student.get_by_label("Email").fill("forgetful@example.com")
    student.get_by_label("Password").fill(temporary)
    with student.expect_navigation():
        student.keyboard.press("Enter")
    expect(student).to_have_url(re.compile(r"/account/password$"))
    expect(student.get_by_role("heading", name="Choose your own password")).to_be_visible()
    check_accessibility(student, "choose your own password")
    # Any other page leads back here until the password is chosen.
    student.goto("/decks")
    expect(student).to_have_url(re.compile(r"/account/password$"))

    choose_own_password(student, NEW_PASSWORD)
    expect(student.get_by_text("Your password is set. Welcome back, Yurko.")).to_be_visible()
    teacher.reload()
    expect(waiting).to_have_count(0)
