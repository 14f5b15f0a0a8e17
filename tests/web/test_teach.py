"""Teachers in the browser: the workspace, authoring without JavaScript, import, export."""

from __future__ import annotations

import io
import re

import pytest

from quiz.extensions import db
from quiz.models import Deck, Item
from quiz.services import authoring
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.web.test_student_path import login


def _as(client, role="teacher", email=None):
    user = make_user(role=role, email=email)
    login(client, user.email)
    return user


def _token(client, path="/teach/"):
    return csrf_from(client.get(path).get_data(as_text=True))


def _new_set(client, title="Geography"):
    response = client.post(
        "/teach/sets/new", data={"csrf_token": _token(client), "title": title, "description": ""}
    )
    assert response.status_code == 302
    return int(response.location.rstrip("/").split("/")[-1])


def _item_data(token, **fields):
    data = {
        "csrf_token": token,
        "kind": "single",
        "prompt": "Capital of France?",
        "explanation": "Paris is the capital.",
        "source": "",
        "answer": "true",
        "back": "",
    }
    data.update(fields)
    return data


def test_students_and_visitors_cannot_open_the_workspace(client, app):
    assert "/login" in client.get("/teach/").location
    _as(client, role="student")
    assert client.get("/teach/").status_code == 403
    assert client.get("/teach/import").status_code == 403


def test_a_role_changed_by_the_operator_holds_at_once_for_a_logged_in_account(client, app):
    student = _as(client, role="student")
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "set-role", student.email, "teacher"])
    assert client.get("/teach/").status_code == 200  # no new log-in needed
    runner.invoke(args=["users", "set-role", student.email, "student"])
    assert client.get("/teach/").status_code == 403


def test_a_teacher_creates_a_set_and_adds_a_question(client, app):
    _as(client)
    deck_id = _new_set(client)
    page = client.get(f"/teach/sets/{deck_id}/items/new?kind=single").get_data(as_text=True)
    data = _item_data(
        csrf_from(page),
        **{
            "choices-0-text": "Paris",
            "choices-0-correct": "y",
            "choices-1-text": "Lyon",
            "choices-2-text": "Nice",
            "choices-3-text": "",
        },
    )
    response = client.post(f"/teach/sets/{deck_id}/items/new", data={**data, "save": "1"})
    assert response.status_code == 302
    item = db.session.execute(db.select(Item)).scalar_one()
    assert [(c.text, c.correct) for c in item.choices] == [
        ("Paris", True),
        ("Lyon", False),
        ("Nice", False),
    ]
    listing = client.get("/teach/").get_data(as_text=True)
    assert "Geography" in listing and "Draft" in listing


def test_adding_and_removing_choices_keeps_what_was_typed(client, app):
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new")
    typed = _item_data(
        token,
        prompt="Typed question",
        **{"choices-0-text": "first", "choices-0-correct": "y", "choices-1-text": "second"},
    )
    added = client.post(f"/teach/sets/{deck_id}/items/new", data={**typed, "add_choice": "1"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert "Typed question" in html and 'value="first"' in html and 'value="second"' in html
    assert 'name="choices-2-text"' in html
    removed = client.post(f"/teach/sets/{deck_id}/items/new", data={**typed, "remove_choice": "0"})
    html = removed.get_data(as_text=True)
    assert 'value="first"' not in html and 'value="second"' in html
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0


def test_a_one_right_answer_question_marks_its_answer_with_one_radio(client, app):
    _as(client)
    deck_id = _new_set(client)
    url = f"/teach/sets/{deck_id}/items/new"
    page = client.get(url + "?kind=single").get_data(as_text=True)
    assert page.count('type="radio" name="right"') == 4 and 'name="choices-0-correct"' not in page
    rows = {"choices-0-text": "Lyon", "choices-1-text": "Paris", "choices-2-text": "Nice"}
    typed = _item_data(csrf_from(page), **rows, right="1")
    # Adding a row keeps the choice; the new row is not chosen.
    added = client.post(url, data={**typed, "add_choice": "1"}).get_data(as_text=True)
    assert re.findall(r'name="right" value="(\d)" checked', added) == ["1"]
    # Removing the row above moves the choice with its row.
    removed = client.post(url, data={**typed, "remove_choice": "0"}).get_data(as_text=True)
    assert re.findall(r'name="right" value="(\d)" checked', removed) == ["0"]
    # Becoming a multiple-answer question, the chosen row's box is ticked.
    changed = client.post(url, data={**typed, "kind": "multiple", "change_kind": "1"})
    boxes = re.findall(
        r'<input (checked )?id="choices-(\d)-correct"', changed.get_data(as_text=True)
    )
    assert boxes == [("", "0"), ("checked ", "1"), ("", "2"), ("", "3")]  # rows to fill: 4
    assert client.post(url, data={**typed, "save": "1"}).status_code == 302
    item = db.session.execute(db.select(Item)).scalar_one()
    assert [(c.text, c.correct) for c in item.choices] == [
        ("Lyon", False),
        ("Paris", True),
        ("Nice", False),
    ]


def _autofocused(html: str) -> list[str]:
    """The name (or id) of each element the page gives the focus to when it loads."""
    tags = re.findall(r"<[a-z]+\b[^>]*\bautofocus\b[^>]*>", html)
    return [re.search(r'\b(?:name|id)="([^"]+)"', tag).group(1) for tag in tags]


def test_the_editor_of_a_question_learners_used_offers_no_change_of_kind(client, app):
    from tests.services.test_authoring import _used_set

    deck, student, attempt = _used_set()
    owner = db.session.get(type(student), deck.owner_id)
    login(client, owner.email)
    item = deck.items[0]
    url = f"/teach/sets/{deck.id}/items/{item.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Learners have used this question, so its kind stays" in page
    assert 'name="change_kind"' not in page and 'type="hidden" name="kind" value="single"' in page
    # A forged change of kind is still refused, and the question stays as it was.
    response = client.post(
        url, data=_item_data(csrf_from(page), kind="flashcard", back="Paris", save="1")
    )
    assert response.status_code == 422 and "its kind cannot change" in response.get_data(
        as_text=True
    )
    assert db.session.get(Item, item.id).kind == "single"


def test_moving_a_question_comes_back_to_it_with_the_button_pressed_in_focus(client, app):
    from tests.services.test_authoring import _single

    teacher = _as(client)
    deck = authoring.create_set(teacher, "Order")
    first = authoring.save_item(deck, _single("a")).item
    for key in ("b", "c"):
        authoring.save_item(deck, _single(key))
    token = _token(client, f"/teach/sets/{deck.id}")
    url = f"/teach/sets/{deck.id}/items/{first.id}/move"
    moved = client.post(url, data={"csrf_token": token, "direction": "down"})
    assert (
        moved.location == f"/teach/sets/{deck.id}?moved={first.id}&direction=down#item-{first.id}"
    )
    page = client.get(moved.location).get_data(as_text=True)
    assert [i.key for i in sorted(deck.items, key=lambda i: i.position)] == ["b", "a", "c"]
    assert re.findall(r'value="(up|down)" class="link-button" ?(?:disabled)? autofocus', page) == [
        "down"
    ]
    # Moved to the end, it can go down no further: the focus goes to "Move up".
    client.post(url, data={"csrf_token": token, "direction": "down"})
    page = client.get(f"/teach/sets/{deck.id}?moved={first.id}&direction=down").get_data(
        as_text=True
    )
    assert re.findall(r'value="(up|down)" class="link-button" ?(?:disabled)? autofocus', page) == [
        "up"
    ]


def test_the_focus_returns_to_where_the_teacher_was_working(client, app):
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new")
    url = f"/teach/sets/{deck_id}/items/new"
    typed = _item_data(token, **{"choices-0-text": "a", "choices-1-text": "b"})
    added = client.post(url, data={**typed, "add_choice": "1"}).get_data(as_text=True)
    assert _autofocused(added) == ["choices-2-text"]  # the new row (two typed, one added)
    removed = client.post(url, data={**typed, "remove_choice": "0"}).get_data(as_text=True)
    assert _autofocused(removed) == ["choices-1-text"]  # the row now in the first place
    changed = client.post(url, data={**typed, "kind": "multiple", "change_kind": "1"})
    assert _autofocused(changed.get_data(as_text=True)) == ["prompt"]
    refused = client.post(url, data={**typed, "save": "1"}).get_data(as_text=True)
    assert _autofocused(refused) == ["form-error"]  # no right choice: the message, first
    assert '<fieldset class="choice-editor" aria-describedby="form-error" aria-invalid="true">' in (
        refused
    )


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"choices-0-text": "only", "choices-0-correct": "y"}, "Needs 2 to 8 choices"),
        ({"choices-0-text": "a", "choices-1-text": "b"}, "exactly one right choice"),
        (
            {"choices-0-text": "a", "choices-0-correct": "y", "choices-1-text": "a"},
            "appears twice",
        ),
    ],
)
def test_an_invalid_question_shows_why_and_saves_nothing(client, app, choices, message):
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new")
    response = client.post(
        f"/teach/sets/{deck_id}/items/new", data={**_item_data(token, **choices), "save": "1"}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0


def test_a_question_without_text_is_refused(client, app):
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new")
    response = client.post(
        f"/teach/sets/{deck_id}/items/new",
        data={**_item_data(token, prompt="", kind="true_false"), "save": "1"},
    )
    assert response.status_code == 422 and "Write the question." in response.get_data(as_text=True)


def test_publishing_shows_the_set_to_students_and_preview_matches(client, app):
    teacher = _as(client)
    deck = authoring.create_set(teacher, "Published set")
    from tests.services.test_authoring import _single

    item = authoring.save_item(deck, _single()).item
    preview = client.get(f"/teach/sets/{deck.id}/items/{item.id}/preview").get_data(as_text=True)
    assert "Capital of France?" in preview and "Right answer" in preview
    client.post(
        f"/teach/sets/{deck.id}/publish", data={"csrf_token": _token(client), "publish": "1"}
    )
    assert db.session.get(Deck, deck.id).status == "published"


def test_a_teacher_copies_a_built_in_deck_from_its_page_and_lands_on_the_draft(client, app):
    from tests.factories import load_sample_deck

    builtin = load_sample_deck(n=3)
    teacher = _as(client)
    page = client.get(f"/decks/{builtin.slug}").get_data(as_text=True)
    assert "Copy to my sets" in page and f'action="/teach/decks/{builtin.id}/copy"' in page

    response = client.post(f"/teach/decks/{builtin.id}/copy", data={"csrf_token": csrf_from(page)})

    copy = db.session.execute(db.select(Deck).where(Deck.owner_id == teacher.id)).scalar_one()
    assert response.location.endswith(f"/teach/sets/{copy.id}")
    landed = client.get(response.location).get_data(as_text=True)
    assert "Capitals (copy)" in landed and "a draft with 3 questions" in landed
    assert "What is the capital of France?" in landed
    assert db.session.get(Deck, builtin.id).owner_id is None


def test_a_teacher_copies_a_colleagues_published_set_but_not_their_draft(client, app):
    from tests.services.test_authoring import _single

    colleague = make_user(role="teacher")
    published = authoring.create_set(colleague, "Published by a colleague")
    authoring.save_item(published, _single())
    authoring.set_published(published, True)
    draft = authoring.create_set(colleague, "A colleague's draft")
    teacher = _as(client)
    page = client.get(f"/decks/{published.slug}").get_data(as_text=True)
    assert "Copy it to your sets" in page and "This is one of your sets" not in page

    copied = client.post(f"/teach/decks/{published.id}/copy", data={"csrf_token": csrf_from(page)})
    refused = client.post(f"/teach/decks/{draft.id}/copy", data={"csrf_token": csrf_from(page)})

    assert copied.status_code == 302 and refused.status_code == 404
    mine = db.session.execute(db.select(Deck).where(Deck.owner_id == teacher.id)).scalars().all()
    assert [d.title for d in mine] == ["Published by a colleague (copy)"]


def test_students_are_not_offered_a_copy_and_cannot_make_one(client, app):
    from tests.factories import load_sample_deck

    builtin = load_sample_deck(n=1)
    _as(client, role="student")
    page = client.get(f"/decks/{builtin.slug}").get_data(as_text=True)
    assert "Copy to my sets" not in page
    response = client.post(f"/teach/decks/{builtin.id}/copy", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403
    assert db.session.execute(db.select(db.func.count()).select_from(Deck)).scalar_one() == 1


def test_a_teachers_own_set_page_offers_a_copy(client, app):
    from quiz.domain.items import ItemKind, ItemSpec
    from tests.services.test_authoring import _single

    teacher = _as(client)
    deck = authoring.create_set(teacher, "Mine")
    authoring.save_item(deck, _single())
    authoring.save_item(deck, ItemSpec("card", ItemKind.FLASHCARD, "Front", back="Back"))
    page = client.get(f"/teach/sets/{deck.id}").get_data(as_text=True)
    assert f'action="/teach/decks/{deck.id}/copy"' in page and "Make a copy" in page
    copied = client.post(f"/teach/decks/{deck.id}/copy", data={"csrf_token": csrf_from(page)})
    landed = client.get(copied.location).get_data(as_text=True)
    assert "a draft with 1 question and 1 flashcard." in landed


def test_another_teacher_gets_404_on_every_page_of_a_set(client, app):
    owner = make_user(role="teacher")
    deck = authoring.create_set(owner, "Private")
    from tests.services.test_authoring import _single

    item = authoring.save_item(deck, _single()).item
    _as(client)
    base = f"/teach/sets/{deck.id}"
    for path in (
        "",
        "/edit",
        "/delete",
        "/items/new",
        f"/items/{item.id}/edit",
        f"/items/{item.id}/preview",
        "/export/gift",
    ):
        assert client.get(base + path).status_code == 404, path
    token = _token(client)
    for path in ("/publish", f"/items/{item.id}/delete", f"/items/{item.id}/move", "/delete"):
        assert client.post(base + path, data={"csrf_token": token}).status_code == 404, path
    assert db.session.get(Deck, deck.id) is not None


def test_an_admin_can_open_any_set(client, app):
    deck = authoring.create_set(make_user(role="teacher"), "Someone's")
    _as(client, role="admin")
    assert client.get(f"/teach/sets/{deck.id}").status_code == 200


def _upload(client, content: bytes, filename: str, fmt="auto", target="new"):
    token = _token(client, "/teach/import")
    return client.post(
        "/teach/import",
        data={
            "csrf_token": token,
            "format": fmt,
            "target": target,
            "title": "",
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def test_a_gift_file_with_an_error_shows_its_line_and_imports_nothing(client, app):
    _as(client)
    bad = b"::a:: First? {=yes ~no}\n\n::b:: Second? {=yes ~no\n"
    response = _upload(client, bad, "quiz.gift")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and re.search(r"Line 3:", html)
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


def test_an_import_with_many_errors_lists_the_first_hundred_and_counts_the_rest(client, app):
    _as(client)
    bad = b"term,definition\n" + b"front,\n" * 150  # every card lacks its back
    response = _upload(client, bad, "cards.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "the file has 150 problems" in html
    assert html.count("<strong>Line ") == 100 and "… and 50 more." in html


def _paste(client, cards: str, separator="tab", target="new", title=""):
    token = _token(client, "/teach/import")
    return client.post(
        "/teach/import/paste",
        data={
            "csrf_token": token,
            "paste-cards": cards,
            "paste-separator": separator,
            "paste-target": target,
            "paste-title": title,
        },
    )


def _cards_of(deck_id: int) -> list[tuple[str, str]]:
    items = db.session.execute(
        db.select(Item).where(Item.deck_id == deck_id).order_by(Item.position)
    ).scalars()
    return [(i.prompt, i.back) for i in items]


def test_pasted_flashcards_make_a_set_and_pasting_them_again_updates_it(client, app):
    _as(client)
    page = client.get("/teach/import").get_data(as_text=True)
    assert '<label for="paste-cards">Flashcards, one a line</label>' in page
    response = _paste(client, "Kyiv\tthe capital\nCrimea\tannexed in 2014\n", title="Places")
    assert response.status_code == 302
    deck_id = int(response.location.rstrip("/").split("/")[-1])
    shown = client.get(response.location).get_data(as_text=True)
    assert "Imported 2 new cards, updated 0, 0 unchanged." in shown
    assert db.session.get(Deck, deck_id).title == "Places"
    again = _paste(client, "Kyiv, the capital of Ukraine", "comma", target=str(deck_id))
    assert again.status_code == 302
    assert "Imported 0 new cards, updated 1, 0 unchanged." in client.get(again.location).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert _cards_of(deck_id) == [("Kyiv", "the capital of Ukraine"), ("Crimea", "annexed in 2014")]


def test_a_paste_without_a_title_makes_a_set_called_pasted_flashcards(client, app):
    _as(client)
    _paste(client, "Kyiv\tthe capital", title="   ")  # spaces are no title
    assert db.session.execute(db.select(Deck.title)).scalar_one() == "Pasted flashcards"


def test_a_paste_never_turns_a_question_of_the_same_words_into_a_card(client, app):
    _as(client)
    aiken = b"What is the capital of France?\nA. Paris\nB. Lyon\nANSWER: A\n"
    response = _upload(client, aiken, "quiz.txt", fmt="aiken")
    deck_id = int(response.location.rstrip("/").split("/")[-1])
    pasted = _paste(client, "What is the capital of France?\tParis", target=str(deck_id))
    assert pasted.status_code == 302
    kinds = db.session.execute(
        db.select(Item.kind).where(Item.deck_id == deck_id).order_by(Item.position)
    ).scalars()
    assert list(kinds) == ["single", "flashcard"]  # the question stays, the card is added


def test_a_paste_with_bad_lines_names_them_keeps_the_text_and_imports_nothing(client, app):
    _as(client)
    text = "Kyiv\tthe capital\nno tab on this line\n"
    response = _paste(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: the pasted text has 1 problem" in html
    assert "<strong>Line 2:</strong> no tab between the term and its definition" in html
    assert "Kyiv\tthe capital\nno tab on this line" in html  # kept in the box, to correct
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0
    empty = _paste(client, "")
    assert empty.status_code == 422
    assert "Paste at least one card: a term, the separator, then its definition." in (
        empty.get_data(as_text=True)
    )


def test_a_paste_cannot_go_into_another_teachers_set(client, app):
    other = make_user(role="teacher")
    theirs = authoring.create_set(other, "Theirs")
    _as(client)
    response = _paste(client, "Kyiv\tthe capital", target=str(theirs.id))
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0


def test_a_choice_row_sent_with_no_text_field_is_read_as_empty(client, app):
    # A browser always sends the text box; a hand-made request may send only the tick.
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new?kind=single")
    data = _item_data(
        token,
        **{
            "choices-0-text": "Paris",
            "choices-0-correct": "y",
            "choices-1-text": "Lyon",
            "choices-2-correct": "y",
        },
    )
    response = client.post(f"/teach/sets/{deck_id}/items/new", data=data)
    assert response.status_code == 302
    item = db.session.execute(db.select(Item)).scalar_one()
    assert [(c.text, c.correct) for c in item.choices] == [("Paris", True), ("Lyon", False)]


def test_a_good_file_imports_and_reimporting_it_duplicates_nothing(client, app):
    _as(client)
    good = b"::a:: First? {=yes ~no}\n\n::b:: Second? {T}\n"
    response = _upload(client, good, "quiz.gift")
    assert response.status_code == 302
    deck_id = int(response.location.rstrip("/").split("/")[-1])
    again = _upload(client, good, "quiz.gift", target=str(deck_id))
    assert again.status_code == 302
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00\x00binary\x00stuff", ""),
        (b"caf\xe9 {=a ~b}", "UTF-8"),
        (b"PK\x03\x04zipped", ""),
    ],
)
def test_unreadable_uploads_are_refused_politely(client, app, content, message):
    _as(client)
    response = _upload(client, content, "quiz.gift", fmt="gift")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and message in html
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


def test_an_upload_over_the_limit_gets_a_clear_413(client, app):
    _as(client)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = _upload(client, b"x" * 5000, "big.gift")
    assert response.status_code == 413
    assert "Uploads are limited" in response.get_data(as_text=True)


def test_a_form_of_too_many_fields_is_not_called_too_big(client, app):
    _as(client)
    token = _token(client, "/teach/import")
    fields = {f"f{n}": "x" for n in range(1_500)}  # werkzeug reads at most 1,000 parts
    response = client.post(
        "/teach/import",
        data={"csrf_token": token, **fields, "file": (io.BytesIO(b"::a:: Q? {T}"), "a.gift")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413, html
    assert "The form is too large to be read: it has too many fields" in html
    assert "Uploads are limited" not in html


def test_a_cut_off_upload_says_it_could_not_be_read_not_that_it_expired(client, app):
    _as(client)
    token = _token(client, "/teach/import")
    body = (
        '--XYZ\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f'{token}\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; '
        'filename="a.gift"\r\n\r\n::a:: Q? {T}'
    ).encode()  # the body stops before its closing boundary
    response = client.post(
        "/teach/import", data=body, content_type="multipart/form-data; boundary=XYZ"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form could not be read" in html and "expired" not in html
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv", "yaml", "json", "apkg"])
def test_every_export_format_downloads(client, app, fmt):
    teacher = _as(client)
    deck = authoring.create_set(teacher, "Export me")
    from tests.services.test_authoring import _single

    authoring.save_item(deck, _single())
    response = client.get(f"/teach/sets/{deck.id}/export/{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(response.data) > 20
    # The media type as the format names it: one charset, not Flask's added to its own.
    assert response.headers["Content-Type"] == authoring.EXPORT_FORMATS[fmt][0]


def test_deleting_a_set_asks_first(client, app):
    teacher = _as(client)
    deck = authoring.create_set(teacher, "Temporary")
    page = client.get(f"/teach/sets/{deck.id}/delete").get_data(as_text=True)
    assert "No learner has used this set" in page
    client.post(f"/teach/sets/{deck.id}/delete", data={"csrf_token": csrf_from(page)})
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


def test_deleting_an_assigned_set_says_which_classes_lose_it(client, app):
    from quiz.services import classes
    from tests.services.test_authoring import _single

    teacher = _as(client)
    deck = authoring.create_set(teacher, "Assigned")
    authoring.save_item(deck, _single())
    authoring.set_published(deck, True)
    classes.assign_deck(teacher, classes.create_class(teacher, "Year 9"), deck.id, None)
    page = client.get(f"/teach/sets/{deck.id}/delete").get_data(as_text=True)
    assert "It is assigned to 1 class: Year 9." in page and "That assignment goes too." in page
    response = client.post(f"/teach/sets/{deck.id}/delete", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


def test_changing_the_kind_to_multiple_choice_offers_rows_to_type_in(client, app):
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new?kind=true_false")
    response = client.post(
        f"/teach/sets/{deck_id}/items/new",
        data={**_item_data(token, kind="single", prompt="Kept text"), "change_kind": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kept text" in html
    assert 'name="choices-0-text"' in html and 'name="choices-3-text"' in html


def test_correcting_a_key_in_the_editor_marks_answers_again_and_the_learner_is_told(client, app):
    from tests.services.test_regrading import WRONG_KEY, _choice, _published_set, _take

    teacher, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = _take(student, deck, {capital.id: ["Paris"]})
    login(client, teacher.email)
    url = f"/teach/sets/{deck.id}/items/{capital.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "their earlier answers are marked again" in page
    # Each row carries the choice it shows: the teacher fixes the key and, in the same
    # save, writes "Nice" with a full stop; it stays the same choice.
    ids = re.findall(r'name="choices-(\d)-choice" type="hidden" value="(\d+)"', page)
    assert [int(i) for _, i in ids] == authoring.choice_ids(capital)
    rows = {f"choices-{n}-choice": cid for n, cid in ids}
    texts = {"choices-0-text": "Lyon", "choices-1-text": "Paris", "choices-2-text": "Nice."}
    nice = _choice(capital, "Nice")
    data = _item_data(csrf_from(page), right="1", save="1", **rows, **texts)
    response = client.post(url, data=data, follow_redirects=True)
    assert (
        "Question saved. The new answer key changed the mark of 1 earlier answer: 1 now right, "
        "0 now wrong; 1 quiz score recalculated." in response.get_data(as_text=True)
    )
    learner = app.test_client()
    login(learner, student.email)
    result = learner.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Your score: 100%" in result
    assert "The answer key of 1 question was corrected after you answered" in result
    assert "Marked again on" in result and "so it is now marked right" in result
    assert re.search(r"Paris\s*<strong class=\"tag tag-right\">right answer", result)
    assert nice in authoring.choice_ids(db.session.get(Item, capital.id))


def test_a_result_says_when_an_answer_keeps_a_mark_the_current_key_would_not_give(client, app):
    from dataclasses import replace

    from quiz.domain.items import ChoiceSpec
    from tests.services.test_regrading import FIXED_KEY, WRONG_KEY, _edit, _published_set, _take

    _, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = _take(student, deck, {capital.id: ["Lyon"]})
    # Lille added, and the key fixed: the answer was given to other choices.
    _edit(deck, capital, replace(FIXED_KEY, choices=(*FIXED_KEY.choices, ChoiceSpec("Lille"))))
    login(client, student.email)
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "This answer keeps the mark it was given then: the question has changed since." in (
        result
    )
    # Lyon itself removed: the learner's pick is no longer there to show.
    _edit(
        deck,
        db.session.get(Item, capital.id),
        replace(FIXED_KEY, choices=(ChoiceSpec("Paris", True), ChoiceSpec("Nice"))),
    )
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "This answer picked a choice that has since been removed or rewritten" in result
