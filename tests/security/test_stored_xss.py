"""Stored XSS: teacher and learner text, typed or imported, never becomes live markup."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest

from quiz.bank.formats import parse_upload
from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.services import authoring, quizzes
from quiz.services import classes as cs
from tests.factories import make_user
from tests.security.xss_payloads import PAYLOADS
from tests.web.test_student_path import login

OWN_SCRIPTS = {"/static/study.js"}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        dangerous = {"script", "iframe", "object", "embed", "base", "meta", "link", "style"}
        ours = (tag == "script" and attrs.get("src") in OWN_SCRIPTS) or (
            tag in {"meta", "link"} and _is_ours(attrs)
        )
        if tag in dangerous and not ours:
            self.problems.append(f"<{tag} {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            url_attribute = name in {"href", "src", "action", "formaction", "data"}
            if url_attribute and re.match(r"\s*(javascript|vbscript|data):", value or "", re.I):
                self.problems.append(f"{tag} {name}={value}")


def _is_ours(attrs: dict) -> bool:
    return (
        attrs.get("charset") == "utf-8"
        or attrs.get("name") == "viewport"
        or (attrs.get("rel") == "stylesheet" and attrs.get("href", "").startswith("/static/"))
    )


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    return parser.problems


def _items(payloads):
    items = []
    for n, payload in enumerate(payloads):
        items.append(
            ItemSpec(
                f"x{n}",
                ItemKind.SINGLE,
                f"Q{n} {payload}",
                (ChoiceSpec(f"right {payload}", True), ChoiceSpec(f"wrong {n}")),
                explanation=f"because {payload}",
                source=f"src {payload}",
            )
        )
    return items


@pytest.fixture
def poisoned(app):
    """A teacher, a set and a class whose every text field holds a payload."""
    teacher = make_user(role="teacher", email="t@example.com")
    teacher.display_name = PAYLOADS[0][:80]
    student = make_user(email="s@example.com")
    student.display_name = PAYLOADS[2][:80]
    db.session.commit()
    deck = authoring.create_set(teacher, f"Set {PAYLOADS[3]}"[:200], PAYLOADS[4])
    for spec in _items(PAYLOADS):
        authoring.save_item(deck, spec)
    authoring.save_item(
        deck,
        ItemSpec("card", ItemKind.FLASHCARD, f"front {PAYLOADS[5]}", back=f"back {PAYLOADS[6]}"),
    )
    authoring.set_published(deck, True)
    klass = cs.create_class(teacher, f"Class {PAYLOADS[7]}"[:120])
    cs.join_class(student, klass.join_code)
    cs.assign_deck(teacher, klass, deck.id, None)
    attempt = quizzes.start_attempt(student, deck)
    for number in range(1, len(attempt.item_ids) + 1):
        page = quizzes.question_page(attempt, number)
        quizzes.record_response(attempt, number, [page.choices[0].id])
    quizzes.submit_attempt(attempt)
    item = next(i for i in deck.items if i.kind == "single")
    return {"deck": deck, "klass": klass, "attempt": attempt, "student": student, "item": item}


def test_the_corpus_has_at_least_fifty_payloads():
    assert len(PAYLOADS) >= 50


def test_no_page_that_shows_stored_text_runs_it(client, app, poisoned):
    deck, klass, attempt = poisoned["deck"], poisoned["klass"], poisoned["attempt"]
    student, item = poisoned["student"], poisoned["item"]
    login(client, "s@example.com")
    second = quizzes.start_attempt(student, deck)
    student_pages = [
        "/decks",
        f"/decks/{deck.slug}",
        f"/attempts/{attempt.id}/result",
        f"/attempts/{second.id}/1",
        f"/attempts/{second.id}/review",
        "/scores",
        "/dashboard",
        f"/study/{deck.slug}",
        f"/study/cards/{item.id}?deck={deck.slug}",
    ]
    problems = {}
    for path in student_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        found = audit(response.get_data(as_text=True))
        if found:
            problems[path] = found
    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, "t@example.com")
    teacher_pages = [
        "/teach/",
        f"/teach/sets/{deck.id}",
        f"/teach/sets/{deck.id}/edit",
        f"/teach/sets/{deck.id}/items/{item.id}/edit",
        f"/teach/sets/{deck.id}/items/{item.id}/preview",
        f"/teach/sets/{deck.id}/analysis?attempts=all",
        "/teach/classes/",
        f"/teach/classes/{klass.id}",
        f"/teach/classes/{klass.id}/gradebook",
        f"/teach/classes/{klass.id}/students/{student.id}",
        f"/teach/classes/{klass.id}/students/{student.id}/attempts/{attempt.id}",
        f"/teach/classes/{klass.id}/decks/{deck.id}/analysis",
    ]
    for path in teacher_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        found = audit(response.get_data(as_text=True))
        if found:
            problems[path] = found
    assert problems == {}


def _token(client):
    from tests.conftest import csrf_from

    return csrf_from(client.get("/settings").get_data(as_text=True))


def _gift(payloads) -> bytes:
    def esc(text):
        return re.sub(r"([~=#{}:\\])", r"\\\1", text.replace("\n", " "))

    return "\n\n".join(
        f"::g{n}:: {esc(p)} {{={esc('right ' + p)} ~{esc('wrong ' + str(n))}}}"
        for n, p in enumerate(payloads)
    ).encode()


def _aiken(payloads) -> bytes:
    blocks = []
    for p in payloads:
        flat = p.replace("\n", " ")
        if re.match(r"^[A-Z][.)]\s|^ANSWER", flat):
            flat = "Q " + flat
        blocks.append(f"Q {flat}\nA. right {flat}\nB. wrong\nANSWER: A")
    return "\n\n".join(blocks).encode()


def _csv(payloads) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["term", "definition"])
    for n, p in enumerate(payloads):
        writer.writerow([f"term {n} {p}", f"definition {p}"])
    return out.getvalue().encode()


def _yaml(payloads) -> bytes:
    import yaml

    questions = [
        {
            "key": f"y{n}",
            "kind": "single",
            "prompt": f"Q {p}",
            "choices": [{"text": f"right {p}", "correct": True}, {"text": f"wrong {n}"}],
            "explanation": f"because {p}",
        }
        for n, p in enumerate(payloads)
    ]
    return yaml.safe_dump({"slug": "xss", "title": "XSS", "questions": questions}).encode()


@pytest.mark.parametrize(
    ("fmt", "make", "filename"),
    [
        ("gift", _gift, "x.gift"),
        ("aiken", _aiken, "x.txt"),
        ("csv", _csv, "x.csv"),
        ("yaml", _yaml, "x.yaml"),
    ],
)
def test_imported_payloads_render_inert(client, app, fmt, make, filename):
    teacher = make_user(role="teacher", email="t@example.com")
    result = parse_upload(make(PAYLOADS), filename, fmt)
    assert result.errors == (), result.errors[:3]
    report = authoring.import_items(teacher, result, title=f"Imported {fmt}")
    deck = report.deck
    login(client, "t@example.com")
    pages = [f"/teach/sets/{deck.id}"] + [
        f"/teach/sets/{deck.id}/items/{item.id}/preview" for item in deck.items[:60]
    ]
    problems = {}
    for path in pages:
        found = audit(client.get(path).get_data(as_text=True))
        if found:
            problems[path] = found
    assert problems == {}


def test_the_audit_catches_live_markup():
    assert audit("<p><img src=x onerror=alert(1)></p>")
    assert audit("<script>alert(1)</script>")
    assert audit('<a href="javascript:alert(1)">x</a>')
    assert audit('<script src="/static/study.js"></script><p>&lt;script&gt;</p>') == []
