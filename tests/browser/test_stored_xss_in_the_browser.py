"""Stored XSS in a real browser: payloads typed and imported by a teacher, and a
student's name, stay inert on every page that shows them, to both sides.

The server-side corpus (tests/security/test_stored_xss.py) reads the HTML; this one
looks at what Chromium made of it. The Content-Security-Policy would block an injected
inline script anyway, so an alert is only the last line of defence: the checks that
matter are the DOM ones (no foreign <script>, <iframe>, <object>, <base>, <style>…, no
on* attribute, no javascript:/data: URL) and the CSP violations the page reports,
which would show that something tried to run.
"""

from __future__ import annotations

import csv
import io
import re
import uuid

from playwright.sync_api import Dialog, Page, expect

from tests.browser.journeys import (
    assign_deck,
    assignment_card,
    create_class,
    go_to,
    log_in,
    main,
    open_assignment,
    pick_choice,
    read_question,
    save_answer,
    sign_up,
    start_quiz,
    submit_quiz,
)
from tests.security.xss_payloads import PAYLOADS

SET_TITLE = "Inert </title><script>alert(1)</script>"
SET_DESCRIPTION = "<img src=x onerror=alert(1)> and [link](javascript:alert(1))"
CLASS_NAME = "Class <svg onload=alert(1)>"
STUDENT_NAME = "' onfocus='alert(1)' autofocus='"
#: The question typed in the editor: the payloads that break out of an attribute or a
#: textarea, where the edit form puts the text back.
TYPED = {
    "prompt": "Typed </textarea><script>alert(1)</script>",
    "choices": [
        '"><script>alert(1)</script>',
        "' onfocus='alert(1)' autofocus='",
        '" onmouseover="alert(1)',
        "<input onfocus=alert(1) autofocus>",
    ],
    "explanation": "<details open ontoggle=alert(1)>",
    "source": '" onmouseover="alert(1)',
}
#: The imported questions carry the whole corpus: payload group g holds every tenth
#: payload, and field f of row r holds group (r + f) % 10, so every payload passes
#: through every field (prompt, four choices, explanation, source) of some question.
GROUPS = [PAYLOADS[g::10] for g in range(10)]
CSV_QUESTIONS = 10
OWN_SCRIPTS = ["/static/study.js", "/static/timezone.js"]

#: What a page must not contain; returns one line per problem.
AUDIT = """(ownScripts) => {
  const problems = [];
  const describe = (el) => el.outerHTML.slice(0, 160);
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster',
    'background', 'xlink:href', 'srcset', 'ping', 'cite', 'manifest']);
  const dangerous = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
    'base', 'style', 'portal']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    if (tag === 'script' && !ownScripts.includes(el.getAttribute('src'))) {
      problems.push('foreign script: ' + describe(el));
    }
    if (dangerous.has(tag)) problems.push('<' + tag + '>: ' + describe(el));
    if (tag === 'meta' && !el.hasAttribute('charset') && el.getAttribute('name') !== 'viewport') {
      problems.push('foreign meta: ' + describe(el));
    }
    if (tag === 'link' && !(el.rel === 'stylesheet'
        && (el.getAttribute('href') || '').startsWith('/static/'))) {
      problems.push('foreign link: ' + describe(el));
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      // Browsers drop tabs and line breaks from URLs: "jav&#x09;ascript:" runs too.
      const value = attr.value.replace(/[\\t\\n\\r]/g, '').trim().toLowerCase();
      if (name.startsWith('on')) problems.push(name + ' attribute: ' + describe(el));
      if (name === 'srcdoc') problems.push('srcdoc attribute: ' + describe(el));
      if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) {
        problems.push(name + '=' + attr.value + ': ' + describe(el));
      }
      if (name === 'style' && /javascript:|expression\\(|url\\(/.test(value)) {
        problems.push('style attribute: ' + describe(el));
      }
    }
  }
  return problems.concat((window.__csp_violations || []).map(v => 'CSP violation: ' + v));
}"""
#: Runs before any script of every page: records what the CSP blocked.
RECORD_CSP_VIOLATIONS = """
window.__csp_violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp_violations.push(`${e.effectiveDirective} blocked ${e.blockedURI} ${e.sample}`);
});
"""


def csv_rows() -> list[dict[str, str]]:
    def group(r: int, f: int, sep: str) -> str:
        return sep.join(GROUPS[(r + f) % len(GROUPS)])

    rows = [
        {
            "kind": "single",
            "prompt": f"Q{r + 1} " + group(r, 0, "\n\n"),
            **{f"choice_{c + 1}": f"{'ABCD'[c]}: " + group(r, c + 1, " · ") for c in range(4)},
            "correct": "1",
            "explanation": "Because " + group(r, 5, "\n\n"),
            "source": "Source " + group(r, 6, " · "),
        }
        for r in range(CSV_QUESTIONS)
    ]
    # A flashcard too: its front and back carry payloads to the study pages.
    rows.append(
        {
            "kind": "flashcard",
            "prompt": "Front " + " ".join(GROUPS[7]),
            "choice_1": "Back " + " ".join(GROUPS[8]),
            "source": "Source " + " ".join(GROUPS[9]),
        }
    )
    return rows


def csv_file() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(csv_rows()[0]))
    writer.writeheader()
    writer.writerows(csv_rows())
    return out.getvalue().encode()


class InertCheck:
    """Records dialogs and audits pages; the test asserts on everything at the end, so a
    failure lists every page with a problem."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.problems: dict[str, list[str]] = {}
        self.pages: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("dialog", self._on_dialog)
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        return page

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type} {dialog.message!r} on {dialog.page.url}")
        dialog.dismiss()

    def __call__(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        self.pages.append(name)
        found = page.evaluate(AUDIT, OWN_SCRIPTS)
        if found:
            self.problems[f"{name} ({page.url})"] = found


def check_the_check(page: Page, inert: InertCheck) -> None:
    """The audit sees live markup on a page of the app, the page reports what its CSP
    blocked, and a dialog is recorded (a check that sees nothing proves nothing)."""
    page.evaluate("() => alert('test dialog')")  # page.evaluate is not bound by the CSP
    assert len(inert.dialogs) == 1 and "test dialog" in inert.dialogs[0], inert.dialogs
    inert.dialogs.clear()
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
             '<img src=x onerror=alert(1)><a href="jav&#x09;ascript:alert(1)">x</a>')"""
    )
    page.wait_for_function("() => window.__csp_violations.length > 0")
    found = page.evaluate(AUDIT, OWN_SCRIPTS)
    assert any(line.startswith("onerror attribute") for line in found), found
    assert any(line.startswith("href=jav") for line in found), found
    assert any(line.startswith("CSP violation: script-src") for line in found), found
    page.reload()
    assert page.evaluate(AUDIT, OWN_SCRIPTS) == []


def expect_form_values(page: Page, values: tuple[str, str, str]) -> None:
    prompt, choice_2, source = values
    expect(page.get_by_label("Question (or front of the card)")).to_have_value(prompt)
    # A one-line <input> drops line breaks from its value; the rest comes back intact.
    expect(page.get_by_label("Choice 2", exact=True)).to_have_value(choice_2.replace("\n", ""))
    expect(page.get_by_label("Source")).to_have_value(source)


def test_stored_xss_payloads_stay_inert_in_the_browser(new_page):
    inert = InertCheck()
    teacher = inert.watch(new_page())
    log_in(teacher, "xss-teacher@example.com")
    check_the_check(teacher, inert)

    # A set written in the browser: title, description and one typed question.
    go_to(teacher, "Sets")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="New set").click()
    teacher.get_by_label("Title").fill(SET_TITLE)
    teacher.get_by_label("Description").fill(SET_DESCRIPTION)
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Create the set").click()
    expect(teacher).to_have_url(re.compile(r"/teach/sets/\d+$"))
    set_url = teacher.url
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"{SET_TITLE} Draft")

    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="One right answer").click()
    teacher.get_by_label("Question (or front of the card)").fill(TYPED["prompt"])
    for number, text in enumerate(TYPED["choices"], start=1):
        teacher.get_by_label(f"Choice {number}", exact=True).fill(text)
    teacher.get_by_label("Right answer: choice 1").check()
    teacher.get_by_label("Explanation").fill(TYPED["explanation"])
    teacher.get_by_label("Source").fill(TYPED["source"])
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Save", exact=True).click()
    expect(teacher.get_by_text("Question saved.")).to_be_visible()

    # The rest of the corpus comes in a CSV file, imported into the same set.
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Import a file into this set").click()
    expect(teacher.get_by_label("Import into")).to_have_value(set_url.rsplit("/", 1)[1])
    teacher.get_by_label("File", exact=True).set_input_files(
        {"name": "corpus.csv", "mimeType": "text/csv", "buffer": csv_file()}
    )
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Import", exact=True).click()
    expect(teacher.get_by_text(f"Imported {CSV_QUESTIONS + 1} new questions")).to_be_visible()
    items = main(teacher).locator("ol.item-list > li")
    expect(items).to_have_count(CSV_QUESTIONS + 2)
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Publish", exact=True).click()
    expect(teacher.get_by_text("Published: every learner on the site can now see")).to_be_visible()

    create_class(teacher, CLASS_NAME)
    assign_deck(teacher, SET_TITLE)
    class_url = teacher.url
    join_url = main(teacher).locator('a[href*="/join/"]').get_attribute("href")

    # A student whose name is a payload joins with the link and takes the quiz.
    student = inert.watch(new_page())
    student.goto("/signup")
    sign_up(student, STUDENT_NAME, f"xss-{uuid.uuid4().hex[:8]}@example.com")
    expect(student.get_by_role("button", name=f"Log out ({STUDENT_NAME})")).to_be_visible()
    student.goto(join_url)
    expect(main(student)).to_contain_text(f"You are about to join {CLASS_NAME}")
    inert(student, "join link page")
    with student.expect_navigation():
        main(student).get_by_role("button", name="Join the class").click()
    expect(assignment_card(student, SET_TITLE).locator(".status-badge")).to_have_text("Not started")
    inert(student, "deck list")
    open_assignment(student, SET_TITLE)
    expect(main(student)).to_contain_text(SET_DESCRIPTION)
    inert(student, "deck page")
    total = start_quiz(student, f"All {CSV_QUESTIONS + 1} questions")
    for number in range(1, total + 1):
        question = read_question(student)
        assert question.kind == "single"
        inert(student, f"question page {number}")
        pick_choice(student)
        save_answer(student)
    inert(student, "review page")
    submit_quiz(student)
    expect(main(student).locator(".explanation")).to_have_count(total)
    inert(student, "result page")
    result_url = student.url
    with student.expect_navigation():
        main(student).get_by_role("link", name="All my scores").click()
    expect(main(student).get_by_role("heading", name=SET_TITLE)).to_be_visible()
    inert(student, "scores page")
    go_to(student, "Progress")
    inert(student, "learner dashboard")

    go_to(student, "Scores")
    with student.expect_navigation():
        main(student).get_by_role("link", name=SET_TITLE).click()
    with student.expect_navigation():
        main(student).get_by_role("link", name="Study this deck").click()
    expect(student.get_by_text(f"Studying {SET_TITLE}")).to_be_visible()
    inert(student, "flashcard front")
    with student.expect_navigation():
        main(student).get_by_role("link", name=re.compile("^Show answer")).click()
    expect(student.get_by_role("region", name="Answer")).to_be_visible()
    inert(student, "flashcard back")
    student.goto(result_url)
    inert(student, "result page, again")

    # Every teacher page that shows the set, the class or the student.
    teacher.goto(set_url)
    expect(items).to_have_count(CSV_QUESTIONS + 2)
    inert(teacher, "teacher set page")
    previews = [
        link.get_attribute("href")
        for link in main(teacher).get_by_role("link", name=re.compile(r"^Preview question")).all()
    ]
    edits = [
        link.get_attribute("href")
        for link in main(teacher).get_by_role("link", name=re.compile(r"^Edit question")).all()
    ]
    assert len(previews) == len(edits) == CSV_QUESTIONS + 2
    # The editor gives the text back as it was typed (question 1) or imported (2).
    first_row = csv_rows()[0]
    typed_back = {
        1: (TYPED["prompt"], TYPED["choices"][1], TYPED["source"]),
        2: (first_row["prompt"], first_row["choice_2"], first_row["source"]),
    }
    for number, (preview, edit) in enumerate(zip(previews, edits, strict=True), start=1):
        teacher.goto(preview)
        expect(teacher.get_by_text("This is how a student sees the question.")).to_be_visible()
        inert(teacher, f"item preview {number}")
        teacher.goto(edit)
        expect(teacher.get_by_role("heading", name="Edit the question")).to_be_visible()
        inert(teacher, f"item editor {number}")
        if number in typed_back:
            expect_form_values(teacher, typed_back[number])
    teacher.goto(set_url + "/edit")
    expect(teacher.get_by_label("Title")).to_have_value(SET_TITLE)
    inert(teacher, "set editor")
    teacher.goto(set_url + "/analysis?attempts=all")
    inert(teacher, "set item analysis")
    go_to(teacher, "Sets")
    inert(teacher, "teacher's set list")
    go_to(teacher, "Classes")
    inert(teacher, "class list")
    teacher.goto(class_url)
    expect(main(teacher).get_by_role("link", name=STUDENT_NAME)).to_be_visible()
    inert(teacher, "class page")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Gradebook", exact=True).click()
    expect(main(teacher).get_by_role("rowheader", name=STUDENT_NAME)).to_be_visible()
    inert(teacher, "gradebook")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Item analysis").first.click()
    expect(main(teacher).locator("table.analysis tbody > tr")).to_have_count(total)
    inert(teacher, "class item analysis")
    teacher.go_back()
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name=STUDENT_NAME).click()
    inert(teacher, "student page")
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name=re.compile("^Answers")).first.click()
    inert(teacher, "student's answers")

    # Unpublished, the set leaves the other journeys' deck lists (and README pictures).
    # Assigned, it is unpublished from a page that names the class first.
    teacher.goto(set_url)
    with teacher.expect_navigation():
        main(teacher).get_by_role("link", name="Unpublish…", exact=True).click()
    expect(main(teacher).get_by_role("listitem").first).to_contain_text(CLASS_NAME)
    inert(teacher, "unpublish question")
    with teacher.expect_navigation():
        main(teacher).get_by_role("button", name="Unpublish the set", exact=True).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"{SET_TITLE} Draft")

    assert not inert.dialogs, f"a payload opened a dialog: {inert.dialogs}"
    assert inert.problems == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(found) for page, found in inert.problems.items()
    )
    # Student: 10 pages and every question; teacher: 11 pages, every preview and editor.
    assert len(inert.pages) == 10 + total + 11 + 2 * (total + 1), inert.pages
