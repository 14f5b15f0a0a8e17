"""Tests for the Anki package (.apkg) export."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import genanki

from quiz.bank.apkg import MODEL, stable_id, write_apkg
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

DECK = DeckSpec(
    slug="ukraine-history",
    title="Ukraine & Russia",
    description="A <short> history",
    items=(
        ItemSpec(
            "capital",
            ItemKind.SINGLE,
            "Which is the capital? <script>alert(1)</script>",
            (ChoiceSpec("Lviv"), ChoiceSpec("Kyiv & co", True)),
            explanation="Since 1934.\nOn the Dnipro.",
            source="History, paragraph 2",
        ),
        ItemSpec(
            "nato",
            ItemKind.MULTIPLE,
            "Named at Bucharest?",
            (ChoiceSpec("Ukraine", True), ChoiceSpec("Belarus"), ChoiceSpec("Georgia", True)),
        ),
        ItemSpec(
            "crimea",
            ItemKind.TRUE_FALSE,
            "Crimea was annexed in 2014.",
            (ChoiceSpec("True", True), ChoiceSpec("False")),
        ),
        ItemSpec(
            "order",
            ItemKind.ORDERING,
            "Oldest first",
            (ChoiceSpec("1991", True), ChoiceSpec("2014", True), ChoiceSpec("2022", True)),
        ),
        ItemSpec("rada", ItemKind.FLASHCARD, "Verkhovna Rada", back='Parliament "of" Ukraine'),
    ),
)


def notes_in(package: Path, tmp_path: Path) -> list[tuple[str, list[str], int]]:
    """(guid, fields, model id) of every note in an .apkg, in the order they were written."""
    with zipfile.ZipFile(package) as archive:
        assert "collection.anki2" in archive.namelist()
        database = tmp_path / f"{package.stem}.anki2"
        database.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT guid, flds, mid FROM notes ORDER BY id").fetchall()
    finally:
        connection.close()
    return [(guid, fields.split("\x1f"), model_id) for guid, fields, model_id in rows]


def export(tmp_path: Path, name: str, deck: DeckSpec = DECK) -> Path:
    path = tmp_path / f"{name}.apkg"
    write_apkg(deck, path)
    return path


def test_the_package_is_a_zip_with_one_note_per_item(tmp_path: Path) -> None:
    assert len(notes_in(export(tmp_path, "deck"), tmp_path)) == len(DECK.items)


def test_note_guids_come_from_the_deck_slug_and_item_key(tmp_path: Path) -> None:
    guids = [guid for guid, _fields, _model in notes_in(export(tmp_path, "deck"), tmp_path)]
    assert guids == [genanki.guid_for(DECK.slug, item.key) for item in DECK.items]


def test_two_exports_give_the_same_guids_and_note_type_so_anki_updates_notes(
    tmp_path: Path,
) -> None:
    first = notes_in(export(tmp_path, "first"), tmp_path)
    changed = DeckSpec(DECK.slug, DECK.title, items=(DECK.items[1], DECK.items[0]))
    second = notes_in(export(tmp_path, "second", changed), tmp_path)
    assert {guid for guid, _f, _m in second} <= {guid for guid, _f, _m in first}
    assert {model for _g, _f, model in first + second} == {MODEL.model_id}


def test_ids_are_derived_from_names_not_drawn_at_random() -> None:
    assert MODEL.model_id == stable_id("Quiz service question (front and back)")
    assert stable_id("quiz deck a") == stable_id("quiz deck a") != stable_id("quiz deck b")
    assert 1 << 30 <= stable_id("anything") < 1 << 31


def test_the_deck_id_depends_on_the_slug_only(tmp_path: Path) -> None:
    def deck_ids(path: Path) -> set[int]:
        with zipfile.ZipFile(path) as archive:
            database = tmp_path / "ids.anki2"
            database.write_bytes(archive.read("collection.anki2"))
        connection = sqlite3.connect(database)
        try:
            return {did for (did,) in connection.execute("SELECT DISTINCT did FROM cards")}
        finally:
            connection.close()

    renamed = DeckSpec(DECK.slug, "Another title", items=DECK.items)
    assert deck_ids(export(tmp_path, "a")) == deck_ids(export(tmp_path, "b", renamed))
    assert deck_ids(export(tmp_path, "a")) == {stable_id(f"quiz deck {DECK.slug}")}


def test_text_is_html_escaped_on_both_sides(tmp_path: Path) -> None:
    notes = notes_in(export(tmp_path, "deck"), tmp_path)
    front, back = notes[0][1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in front
    assert "<script>" not in front
    assert "<li>Kyiv &amp; co</li>" in front
    assert "<b>B. Kyiv &amp; co</b>" in back
    assert "<p>Since 1934.<br>\nOn the Dnipro.</p>" in back
    assert "Source: History, paragraph 2" in back
    assert notes[4][1] == ["<p>Verkhovna Rada</p>", '<p>Parliament "of" Ukraine</p>']


def test_markdown_is_rendered_as_the_app_renders_it_and_stays_safe(tmp_path: Path) -> None:
    item = ItemSpec(
        "md",
        ItemKind.SINGLE,
        "What is **2+2**? See [this](javascript:alert(1)) and `code`",
        (ChoiceSpec("*four*", True), ChoiceSpec("five")),
        explanation="Because *maths*.\n\n- one\n- two",
    )
    deck = DeckSpec("md-deck", "Markdown", items=(item,))
    (front, back) = notes_in(export(tmp_path, "md", deck), tmp_path)[0][1]
    assert "<strong>2+2</strong>" in front and "<code>code</code>" in front
    assert "href" not in front and "**" not in front  # a javascript: link stays text
    assert "<li><em>four</em></li>" in front
    assert "<b>A. <em>four</em></b>" in back
    assert "<em>maths</em>" in back and "<li>one</li>" in back


def test_the_front_lists_choices_and_the_back_gives_the_right_ones(tmp_path: Path) -> None:
    notes = notes_in(export(tmp_path, "deck"), tmp_path)
    nato_front, nato_back = notes[1][1]
    assert "Choose every right answer" in nato_front
    assert "<b>A. Ukraine</b>" in nato_back and "<b>C. Georgia</b>" in nato_back
    assert "Belarus" not in nato_back
    assert "True or false?" in notes[2][1][0]
    assert notes[2][1][1] == "<p><b>True</b></p>"


def test_an_ordering_front_does_not_show_the_right_order(tmp_path: Path) -> None:
    front, back = notes_in(export(tmp_path, "deck"), tmp_path)[3][1]
    assert "<li>1991</li><li>2014</li><li>2022</li>" not in front
    assert back == "<ol><li>1991</li><li>2014</li><li>2022</li></ol>"


def test_the_package_can_be_written_to_an_open_file() -> None:
    buffer = io.BytesIO()
    write_apkg(DECK, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]


def test_an_empty_deck_gives_a_package_without_notes(tmp_path: Path) -> None:
    path = export(tmp_path, "empty", DeckSpec("empty", "Empty"))
    assert notes_in(path, tmp_path) == []
