"""Tests for decoding uploaded files and for the format registry that parses them."""

from __future__ import annotations

import codecs
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank import formats
from quiz.bank.deck_yaml import BankError, dump_deck_yaml
from quiz.bank.formats import (
    IMPORTERS,
    MAX_ITEMS_PER_FILE,
    MAX_WRITTEN_KEY_LENGTH,
    ImportResult,
    KeyAllocator,
    finish,
    item_problems,
    parse_upload,
    parse_yaml_upload,
    slugify,
)
from quiz.bank.upload import MAX_UPLOAD_BYTES, decode_upload
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec
from tests.bank.test_csv_format import KEYS, item_specs, texts


def refused(data: bytes, filename: str = "questions.txt") -> BankError:
    result = decode_upload(data, filename)
    assert isinstance(result, list), f"expected a refusal, got text {result!r}"
    assert len(result) == 1
    assert result[0].file == filename
    return result[0]


# ---------------------------------------------------------------------------------------
# Decoding


def test_utf8_text_is_returned_as_it_is() -> None:
    assert decode_upload("Київ?\n{=a ~b}\n".encode(), "q.gift") == "Київ?\n{=a ~b}\n"


def test_a_utf8_byte_order_mark_is_dropped() -> None:
    assert decode_upload(codecs.BOM_UTF8 + b"term,definition\n", "f.csv") == "term,definition\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_decoded(encoding: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + "term\tdefinition\r\nРада\tParliament\r\n".encode(encoding)
    assert decode_upload(data, "export.txt") == "term\tdefinition\nРада\tParliament\n"


@pytest.mark.parametrize(("raw", "text"), [(b"a\r\nb\r\n", "a\nb\n"), (b"a\rb\r", "a\nb\n")])
def test_windows_and_old_mac_line_ends_become_newlines(raw: bytes, text: str) -> None:
    assert decode_upload(raw, "q.txt") == text


def test_an_empty_file_is_refused() -> None:
    assert refused(b"").message == "the file is empty"


def test_a_file_of_blank_lines_is_refused_as_empty() -> None:
    assert "the file is empty" in refused(codecs.BOM_UTF8 + b"\n \r\n\t\n").message


@pytest.mark.parametrize(
    ("data", "filename", "what"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00", "history.apkg", "an Anki package (.apkg)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "questions.docx", "a Word document (.docx)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "questions.xlsx", "save it as 'CSV UTF-8'"),
        (b"PK\x03\x04\x14\x00\x00\x00", "questions.gift", "a zip archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "questions.pdf", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "screenshot.png", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.jpg", "a JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "old.doc", "an old-style Office document"),
        (b"{\\rtf1\\ansi\\deff0 Question", "questions.rtf", "an RTF document"),
    ],
)
def test_a_binary_file_is_refused_with_what_it_is_and_what_to_do(
    data: bytes, filename: str, what: str
) -> None:
    error = refused(data, filename)
    assert what in error.message
    assert "not a text file of questions" in error.message
    assert "plain-text file (UTF-8)" in error.message
    assert error.line is None


def test_a_file_with_nul_bytes_is_refused_as_binary() -> None:
    error = refused(b"Question one {=a ~b}\n" + b"\x00\x01\x02binary junk" * 2)
    assert "contains NUL bytes, so it is not a text file" in error.message


def test_utf16_without_a_byte_order_mark_is_recognised() -> None:
    error = refused("term,definition\nRada,Parliament\n".encode("utf-16-le"))
    assert error.message == (
        "the file looks like UTF-16 text without a byte-order mark; save the file as UTF-8"
    )


def test_utf32_is_refused_with_save_as_utf8() -> None:
    assert "save the file as UTF-8" in refused("Q?".encode("utf-32")).message


def test_text_in_another_encoding_names_the_line_and_says_save_as_utf8() -> None:
    error = refused("Question one\nCapital of Ukraine: Kyïv\n".encode("cp1252"))
    assert error.line == 2
    assert "not UTF-8 text (byte 0xef cannot be read)" in error.message
    assert "save the file as UTF-8" in error.message


def test_a_control_character_names_its_line() -> None:
    error = refused(b"one\ntwo\nthree \x1b[31m\n")
    assert error.line == 3
    assert "control character U+001B" in error.message


def test_tabs_form_feeds_and_vertical_tabs_are_text() -> None:
    assert decode_upload(b"a\tb\x0bc\x0cd\n", "q.txt") == "a\tb\x0bc\x0cd\n"


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    error = refused(b"a" * (MAX_UPLOAD_BYTES + 1))
    assert "the limit is 5 MB" in error.message


# ---------------------------------------------------------------------------------------
# The registry and parse_upload


def test_the_registry_names_each_format_once() -> None:
    assert sorted(IMPORTERS) == ["aiken", "csv", "gift", "yaml"]
    assert IMPORTERS["yaml"] is parse_yaml_upload


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("gift", b"::capital:: Capital? {=Kyiv ~Lviv}\n"),
        ("aiken", b"Capital?\nA. Kyiv\nB. Lviv\nANSWER: A\n"),
        (
            "csv",
            b"key,kind,prompt,choice_1,choice_2,correct\ncapital,single,Capital?,Kyiv,Lviv,1\n",
        ),
    ],
)
def test_each_format_is_decoded_and_parsed(fmt: str, data: bytes) -> None:
    result = parse_upload(codecs.BOM_UTF8 + data.replace(b"\n", b"\r\n"), f"set.{fmt}", fmt)
    assert result.errors == ()
    (item,) = result.items
    assert (item.prompt, item.choices) == (
        "Capital?",
        (ChoiceSpec("Kyiv", True), ChoiceSpec("Lviv")),
    )


def test_an_unknown_format_is_an_error_not_an_exception() -> None:
    result = parse_upload(b"x", "set.xml", "xml")
    assert result.items == ()
    assert result.errors[0].message == "unknown format 'xml': choose one of gift, aiken, csv, yaml"


def test_a_refused_upload_is_returned_as_errors() -> None:
    result = parse_upload(b"PK\x03\x04rest", "history.apkg", "gift")
    assert result.items == ()
    assert "an Anki package" in result.errors[0].message


def test_parse_upload_checks_what_a_parser_returns_against_the_item_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = ItemSpec("q", ItemKind.SINGLE, "Q?", (ChoiceSpec("a", True), ChoiceSpec("b", True)))

    def careless_parser(text: str, filename: str) -> ImportResult:
        return ImportResult(items=(bad,), errors=(), item_lines=(7,))

    monkeypatch.setattr(formats, "_importers", lambda: {"careless": careless_parser})
    result = parse_upload(b"anything", "set.txt", "careless")
    assert result.items == ()
    assert result.errors == (
        BankError(
            "set.txt",
            7,
            "question 'q': a single-answer question needs exactly one right choice, has 2",
        ),
    )


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (ItemSpec("Bad Key", ItemKind.FLASHCARD, "f", back="b"), "key 'Bad Key' must be"),
        (
            ItemSpec("k" * 101, ItemKind.FLASHCARD, "f", back="b"),
            "its key is 101 characters long, and a key may have at most 100",
        ),
        (ItemSpec("k", ItemKind.FLASHCARD, " ", back="b"), "the question text is empty"),
        (ItemSpec("k", ItemKind.FLASHCARD, "f"), "the back of the flashcard is empty"),
        (
            ItemSpec("k", ItemKind.MULTIPLE, "q", (ChoiceSpec("a"), ChoiceSpec("b"))),
            "needs at least one right choice",
        ),
        (
            ItemSpec("k", ItemKind.SINGLE, "q", (ChoiceSpec("a", True), ChoiceSpec("A "))),
            "choice 'A ' appears twice",
        ),
        (
            ItemSpec("k", ItemKind.TRUE_FALSE, "q", (ChoiceSpec("Yes", True), ChoiceSpec("No"))),
            "needs the choices True and False",
        ),
        (
            ItemSpec("k", ItemKind.ORDERING, "q", (ChoiceSpec("a", True), ChoiceSpec("b", True))),
            "needs 3 to 6 entries",
        ),
    ],
)
def test_the_item_rules_name_what_is_wrong(item: ItemSpec, problem: str) -> None:
    assert any(problem in message for message in item_problems(item)), item_problems(item)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Crimea, 2014 (annexation)!", "crimea-2014-annexation"),
        ("Ça va? Kyïv", "ca-va-kyiv"),
        ("Київ", ""),
        ("a" * 59 + " bb", "a" * 59),
        ("a" * 60 + " bb", "a" * 60),
        ("a" * 70, "a" * 60),
    ],
)
def test_slugify_keeps_ascii_words_and_cuts_long_titles_at_a_word(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_key_fits_its_column_with_the_numbers_that_keep_keys_unique() -> None:
    from quiz.models import Item

    assert MAX_WRITTEN_KEY_LENGTH + len("-99999") <= Item.__table__.c.key.type.length


@pytest.mark.parametrize("fmt", ["gift", "csv"])
def test_a_long_key_in_a_file_is_kept_short_or_refused_never_stored_whole(fmt: str) -> None:
    key = "a" * 150
    data = {
        "gift": f"::{key}::What?{{=yes ~no}}",
        "csv": f"key,kind,prompt,choice_1,choice_2,correct\n{key},single,What?,yes,no,1\n",
    }[fmt]
    result = parse_upload(data.encode(), f"x.{fmt}", fmt)
    # GIFT titles are names, made into a key; a CSV key column is a key, and too long.
    assert all(len(item.key) <= MAX_WRITTEN_KEY_LENGTH for item in result.items)
    assert bool(result.items) == (fmt == "gift")
    if fmt == "csv":
        assert "its key is 150 characters long" in result.errors[0].message


def test_a_file_with_too_many_questions_is_refused_with_a_count() -> None:
    data = b"term,definition\n" + b"front,back\n" * (MAX_ITEMS_PER_FILE + 1)
    result = parse_upload(data, "big.csv", "csv")
    assert result.items == ()
    assert [e.message for e in result.errors] == [
        "the file holds 5,001 questions, and one file may hold at most 5,000: split it into "
        "several files"
    ]
    assert len(parse_upload(data[: -len(b"front,back\n")], "ok.csv", "csv").items) == 5_000


def test_key_allocator_numbers_repeats_in_turn_and_skips_taken_keys() -> None:
    keys = KeyAllocator(reserved=["q", "q-3"])
    assert [keys.unique("q") for _ in range(4)] == ["q-2", "q-4", "q-5", "q-6"]
    assert keys.unique("r") == "r" and keys.unique("q-2") == "q-2-2"


@pytest.mark.parametrize("first_row", [b"a" * 140_000, b";" * 200_000])
def test_a_csv_first_row_too_long_to_read_is_an_error_not_an_exception(first_row: bytes) -> None:
    result = parse_upload(first_row + b"\nx,y\n", "long.csv", "csv")
    assert result.items == ()
    assert result.errors[0].line == 1
    assert result.errors[0].message.startswith("the first row cannot be read as a header row")


def test_finish_keeps_no_items_when_any_error_was_found() -> None:
    item = ItemSpec("k", ItemKind.FLASHCARD, "f", back="b")
    earlier = BankError("f", 3, "something else was wrong")
    result = finish("f", [item], [1], [earlier])
    assert result.items == ()
    assert result.errors == (earlier,)


# ---------------------------------------------------------------------------------------
# YAML uploads

YAML_DECK = textwrap.dedent(
    """\
    slug: teacher-set
    title: My history set
    questions:
      - key: capital
        kind: single
        prompt: Capital of Ukraine?
        choices:
          - text: Kyiv
            correct: true
          - text: Lviv
        explanation: Since 1934.
        source: Textbook, p. 12
    """
)


def test_a_yaml_upload_gives_its_questions_and_title() -> None:
    result = parse_upload(YAML_DECK.encode(), "set.yaml", "yaml")
    assert result.errors == ()
    assert result.title == "My history set"
    assert [item.key for item in result.items] == ["capital"]
    assert result.item_lines == (4,)


def test_facts_in_a_yaml_upload_are_refused_on_their_line() -> None:
    text = YAML_DECK + textwrap.dedent(
        """\
        facts:
          - key: independence
            type: event
            when: "1991"
            what: Ukraine voted for independence.
            ask: When did Ukraine vote for independence?
            explanation: It left the Soviet Union.
            source: Textbook, p. 3
        """
    )
    result = parse_upload(text.encode(), "set.yaml", "yaml")
    assert result.items == ()
    assert [(error.line, error.message) for error in result.errors] == [
        (14, "facts are not allowed in an uploaded deck: write them as 'questions' instead")
    ]


def test_an_include_in_a_yaml_upload_is_refused() -> None:
    result = parse_upload((YAML_DECK + "include: [other-deck]\n").encode(), "set.yaml", "yaml")
    assert [
        (error.line, "'include' is not allowed" in error.message) for error in result.errors
    ] == [(13, True)]


def test_yaml_errors_come_back_with_their_lines() -> None:
    result = parse_upload(
        YAML_DECK.replace("kind: single", "kind: singel").encode(), "s.yaml", "yaml"
    )
    assert result.items == ()
    assert result.errors[0].line == 5
    assert "did you mean 'single'?" in result.errors[0].message


# YAML requires an explanation and a source on every question, and YAML-escapes any
# character, so its strategy keeps both and adds control characters and odd line breaks.
YAML_ALPHABET = "abcXYZ019 .,;:!?-#&*|>%@`'\"[]{}~\\/\t\n\r\x85\u2028\x07\ufeffé—😀"


@st.composite
def yaml_decks(draw: st.DrawFn) -> DeckSpec:
    keys = draw(st.lists(KEYS, min_size=1, max_size=5, unique=True))
    items = [draw(item_specs(key, alphabet=YAML_ALPHABET)) for key in keys]
    filled = tuple(
        ItemSpec(
            **{
                **vars(item),
                "explanation": item.explanation or "why",
                "source": item.source or "where",
            }
        )
        for item in items
    )
    return DeckSpec(slug=draw(KEYS), title=draw(texts(YAML_ALPHABET)), items=filled)


@settings(max_examples=60, deadline=None, database=None)
@given(deck=yaml_decks())
def test_a_dumped_yaml_deck_uploads_back_as_the_same_items(deck: DeckSpec) -> None:
    result = parse_upload(dump_deck_yaml(deck).encode("utf-8"), "deck.yaml", "yaml")
    assert result.errors == (), [str(error) for error in result.errors]
    assert result.items == deck.items
    assert result.title == deck.title


# Fragments of every format's syntax, so random files get past the first checks.
_FRAGMENTS = st.sampled_from(
    list("ab AB.)~=#{}:\\%-\n\t,;\"'")
    + ["::", "{=", "~%50%", "->", "####", "\\n", "\n\n"]
    + ["ANSWER: B\n", "A. x\n", "term,definition\n", "kind,prompt,choice_1,correct\n"]
    + ["single", "$CATEGORY: a/b\n", "[html]", "slug: s\n", "questions:\n", "- "]
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    data=st.one_of(
        st.binary(max_size=40),
        st.lists(_FRAGMENTS, max_size=30).map(lambda parts: "".join(parts).encode("utf-8")),
    ),
    fmt=st.sampled_from(["gift", "aiken", "csv", "yaml"]),
)
def test_no_upload_makes_a_parser_raise_or_return_items_with_errors(data: bytes, fmt: str) -> None:
    result = parse_upload(data, "upload.txt", fmt)
    assert not (result.items and result.errors)
    assert all(error.line is None or error.line >= 1 for error in result.errors)
