"""Steps the browser journeys share: sign up or log in, run a class, join it, read a
question page, answer it, move on."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

QUESTION_URL = re.compile(r"/attempts/\d+/\d+$")
REVIEW_URL = re.compile(r"/attempts/\d+/review$")
RESULT_URL = re.compile(r"/attempts/\d+/result$")
CLASS_URL = re.compile(r"/teach/classes/\d+$")
DECKS_URL = re.compile(r"/decks$")
START_URL = re.compile(r"/decks$|/teach/classes/$")
SAVE_BUTTON = re.compile(r"^Save and (next|review)$")
#: Every account's password in these tests (zxcvbn finds it strong enough).
PASSWORD = "browser tests only, not a secret"


def main(page: Page) -> Locator:
    """The page's <main>: the header's "Log out" is a submit button too."""
    return page.get_by_role("main")


def log_in(
    page: Page,
    email: str,
    password: str = PASSWORD,
    check_accessibility: Callable[[Page, str], None] | None = None,
) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    if check_accessibility:
        check_accessibility(page, "log-in page")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        main(page).get_by_role("button", name="Log in").click()
    # A student starts at the decks, a teacher at their classes.
    expect(page).to_have_url(START_URL)
    expect(page.get_by_role("button", name=re.compile("^Log out"))).to_be_visible()


def choose_own_password(page: Page, password: str) -> None:
    """After a log-in with a temporary password: choose one's own on the form every page
    leads to, by keyboard, and land on the decks."""
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Repeat the new password").fill(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(DECKS_URL)


def sign_up(page: Page, name: str, email: str) -> None:
    """From the sign-up page (already open) to the deck list, logged in."""
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    with page.expect_navigation():
        main(page).get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(DECKS_URL)
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()


def go_to(page: Page, section: str) -> None:
    """Follow a link of the site's main navigation ("Classes", "Sets", "Scores"…)."""
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name=section, exact=True
        ).click()


def create_class(
    page: Page, name: str, check_accessibility: Callable[[Page, str], None] | None = None
) -> str:
    """As a teacher: Classes → "New class" → create it; returns its join code."""
    go_to(page, "Classes")
    expect(page.get_by_role("heading", name="Your classes", level=1)).to_be_visible()
    if check_accessibility:
        check_accessibility(page, "class list")
    form = main(page).locator("form", has=page.get_by_role("heading", name="New class"))
    form.get_by_label("Class name").fill(name)
    with page.expect_navigation():
        form.get_by_role("button", name="Create the class").click()
    expect(page).to_have_url(CLASS_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    code = main(page).locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{4,32}", code), f"not a join code: {code!r}"
    expect(page.get_by_text(f"Class created. Give your students the code {code}.")).to_be_visible()
    return code


def assign_deck(page: Page, deck_title: str, counted: str | None = None) -> None:
    """On a class page: assign a deck with the "Assign a deck" form; `counted` is the
    label of the quizzes that count (the form's default: all questions of the deck)."""
    form = main(page).locator("form", has=page.get_by_role("button", name="Assign", exact=True))
    form.get_by_label("Deck").select_option(label=deck_title)
    if counted is not None:
        form.get_by_label("Quizzes that count").select_option(label=counted)
    with page.expect_navigation():
        form.get_by_role("button", name="Assign", exact=True).click()
    expect(page).to_have_url(CLASS_URL)
    expect(page.get_by_text("Deck assigned.")).to_be_visible()
    assignments = main(page).locator("section", has=page.get_by_role("heading", name="Assignments"))
    expect(assignments.get_by_role("listitem").locator("strong")).to_have_text([deck_title])


def join_class(
    page: Page, code: str, check_accessibility: Callable[[Page, str], None] | None = None
) -> None:
    """As a student on the deck list: "Join or leave a class", type the code, join."""
    with page.expect_navigation():
        main(page).get_by_role("link", name="Join or leave a class").click()
    expect(page.get_by_role("heading", name="Join a class", level=1)).to_be_visible()
    if check_accessibility:
        check_accessibility(page, "join page")
    page.get_by_label("Class code").fill(code)
    with page.expect_navigation():
        main(page).get_by_role("button", name="Join the class").click()
    expect(page).to_have_url(DECKS_URL)
    expect(
        page.get_by_text(re.compile(r"^You joined .+\. Its assignments are at the top"))
    ).to_be_visible()


def assignment_card(page: Page, deck_title: str) -> Locator:
    """The deck's card under "Your assignments" on the deck list."""
    section = page.get_by_role("region", name="Your assignments")
    expect(section).to_be_visible()
    return section.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=deck_title, exact=True)
    )


def open_assignment(page: Page, deck_title: str) -> None:
    """From the assignment card on the deck list to the deck's page."""
    with page.expect_navigation():
        assignment_card(page, deck_title).get_by_role("link", name=deck_title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(deck_title)


def open_deck(page: Page, deck_title: str) -> None:
    """From the deck list to the deck's page."""
    page.goto("/decks")
    with page.expect_navigation():
        main(page).get_by_role("link", name=deck_title).click()
    expect(page.get_by_role("heading", name=deck_title, level=1)).to_be_visible()


def start_quiz(page: Page, length_label: str) -> int:
    """On a deck's page: start a quiz; returns its number of questions."""
    main(page).get_by_label("Questions").select_option(label=length_label)
    with page.expect_navigation():
        main(page).get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(QUESTION_URL)
    return question_position(page)[1]


@dataclass(frozen=True)
class QuestionPage:
    number: int
    total: int
    kind: str  # "single" (radio buttons), "multiple" (checkboxes) or "ordering" (selects)
    prompt: str


def question_position(page: Page) -> tuple[int, int]:
    label = main(page).get_by_text(re.compile(r"^Question \d+ of \d+$"))
    expect(label).to_be_visible()
    number, total = re.findall(r"\d+", label.inner_text())
    return int(number), int(total)


def read_question(page: Page) -> QuestionPage:
    number, total = question_position(page)
    form = main(page).locator("form.question")
    if form.get_by_role("combobox").count():
        kind = "ordering"
    elif form.get_by_role("checkbox").count():
        kind = "multiple"
    else:
        expect(form.get_by_role("radio").first).to_be_attached()
        kind = "single"
    prompt = form.locator("legend").inner_text().strip()
    return QuestionPage(number, total, kind, prompt)


def choice_inputs(page: Page) -> Locator:
    form = main(page).locator("form.question")
    return form.get_by_role("radio").or_(form.get_by_role("checkbox"))


def label_of(page: Page, choice: Locator) -> Locator:
    """The visible label of a visually hidden radio button or checkbox."""
    return page.locator(f'label[for="{choice.get_attribute("id")}"]')


def pick_choice(page: Page, text: str | None = None) -> None:
    """Tick a choice by clicking its label, as a person does: the one saying ``text``,
    or else the first one. Already ticked stays ticked (a checkbox label toggles)."""
    form = main(page).locator("form.question")
    if text is None:
        choice = choice_inputs(page).first
    else:
        choice = form.get_by_role("radio", name=text, exact=True).or_(
            form.get_by_role("checkbox", name=text, exact=True)
        )
    if not choice.is_checked():
        label_of(page, choice).click()
    expect(choice).to_be_checked()


def place_entries(page: Page, order: list[str] | None = None) -> None:
    """Give every entry of an ordering question a place: in ``order`` (entry texts,
    first to last) when given, else as they are shown."""
    selects = main(page).locator("form.question").get_by_role("combobox")
    if order is None:
        for index in range(selects.count()):
            selects.nth(index).select_option(str(index + 1))
        return
    for place, entry in enumerate(order, start=1):
        main(page).get_by_label(entry, exact=True).select_option(str(place))


def save_answer(page: Page) -> None:
    """Press "Save and next" (or "Save and review" on the last question)."""
    with page.expect_navigation():
        main(page).get_by_role("button", name=SAVE_BUTTON).click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/(\d+|review)$"))


def answer_any(page: Page, question: QuestionPage) -> None:
    if question.kind == "ordering":
        place_entries(page)
    else:
        pick_choice(page)


def submit_quiz(page: Page) -> None:
    expect(page).to_have_url(REVIEW_URL)
    with page.expect_navigation():
        main(page).get_by_role("button", name="Submit the quiz").click()
    expect(page).to_have_url(RESULT_URL)
