"""Read and write question sets as CSV or TSV with a header row: flashcards, or any kind.

Two layouts, told apart by the header row (names are case-insensitive; the delimiter,
a comma, semicolon or tab, is found from the header):

* **Flashcards**, as Quizlet and Anki users keep them: ``term,definition`` (or
  ``front,back``). Each row is a flashcard, the term its front.
* **Questions**: ``key,kind,prompt,choice_1,…,choice_N,correct,explanation,source``
  (any order; ``key``, ``explanation`` and ``source`` may be left out). ``kind`` is
  ``single``, ``multiple``, ``true_false``, ``ordering`` or ``flashcard``. ``correct``
  holds the numbers of the right choices, separated by ``|`` (``2`` or ``1|3``). For
  ``true_false`` the choices are ``True`` and ``False`` (or left empty) and ``correct``
  is ``1`` for True or ``2`` for False; for ``ordering`` the choices are written in the
  right order and ``correct`` is empty; for ``flashcard`` ``choice_1`` is the back. An
  empty ``key`` is made from a hash of the prompt.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, so ``write_csv`` puts an apostrophe before such text (as spreadsheets do
themselves) and the parser takes one such apostrophe off again.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from quiz.bank.deck_yaml import KEY_PATTERN, KEY_RULE, BankError
from quiz.bank.formats import ImportResult, KeyAllocator, finish, hashed_key, true_false_choices
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

DELIMITERS = (",", ";", "\t")
FLASHCARD_HEADERS = (("term", "definition"), ("front", "back"))
REQUIRED_COLUMNS = ("kind", "prompt", "choice_1", "correct")
OPTIONAL_COLUMNS = ("key", "explanation", "source")
ACCEPTED_HEADERS = (
    "'term,definition' or 'front,back' for flashcards, or "
    "'key,kind,prompt,choice_1,…,choice_N,correct,explanation,source' for questions"
)
KINDS = tuple(kind.value for kind in ItemKind)

_CHOICE_COLUMN = re.compile(r"choice_([1-9][0-9]*)")
_FORMULA = re.compile(r"'*[=+\-@]")
_GUARDED = re.compile(r"'+[=+\-@]")
_DELIMITER_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def _column_name(raw: str) -> str:
    return "_".join(raw.replace("\ufeff", "").strip().lower().split())


def _unguard(field: str) -> str:
    field = field.strip()
    return field[1:] if _GUARDED.match(field) else field


def _guard(text: str) -> str:
    return "'" + text if _FORMULA.match(text) else text


def _question_header_problems(names: Sequence[str]) -> list[str]:
    """Why ``names`` is not a questions header; empty if it is one."""
    problems: list[str] = []
    duplicated = sorted(name for name, n in Counter(names).items() if n > 1)
    if duplicated:
        problems.append("column(s) appearing twice: " + ", ".join(duplicated))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    unknown = [name for name in names if name not in known and not _CHOICE_COLUMN.fullmatch(name)]
    if unknown:
        problems.append("unknown column(s): " + ", ".join(repr(name) for name in unknown))
    numbers = sorted(int(match.group(1)) for n in names if (match := _CHOICE_COLUMN.fullmatch(n)))
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        problems.append("choice columns must be numbered choice_1, choice_2, … without gaps")
    return problems


@dataclass(frozen=True)
class _Header:
    delimiter: str
    names: tuple[str, ...]
    flashcards: bool

    @property
    def choice_columns(self) -> list[str]:
        return sorted(
            (name for name in self.names if _CHOICE_COLUMN.fullmatch(name)),
            key=lambda name: int(name.split("_")[1]),
        )


def _find_header(text: str) -> _Header | str:
    """The header and its delimiter, or why the first row is not a header we know."""
    candidates: list[tuple[str, list[str]]] = []
    for delimiter in DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit
            return f"the first row cannot be read as a header row: {exc}"
        names = [_column_name(raw) for raw in first]
        while names and not names[-1]:
            names.pop()  # spreadsheets add empty columns at the end of a row
        if tuple(names) in FLASHCARD_HEADERS:
            return _Header(delimiter, tuple(names), flashcards=True)
        if not _question_header_problems(names):
            return _Header(delimiter, tuple(names), flashcards=False)
        candidates.append((delimiter, names))
    _delimiter, names = max(candidates, key=lambda candidate: len(candidate[1]))
    shown = ",".join(names)
    if len(shown) > 200:
        shown = shown[:200] + "…"
    if any(name in names for name in REQUIRED_COLUMNS):
        problems = "; ".join(_question_header_problems(names))
        return f"the header row {shown!r} is not a questions header: {problems}"
    return f"the header row {shown!r} is not one this importer knows: use {ACCEPTED_HEADERS}"


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class _Draft:
    line: int
    key: str | None
    item: ItemSpec


class _CsvParser:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[BankError] = []

    def report(self, line: int | None, message: str) -> None:
        self.errors.append(BankError(self.filename, line, message))

    def parse(self, text: str) -> ImportResult:
        text = text.removeprefix("\ufeff")
        if not text.strip():
            self.report(1, f"the file is empty: the first row must be a header, {ACCEPTED_HEADERS}")
            return ImportResult(items=(), errors=tuple(self.errors))
        header = _find_header(text)
        if isinstance(header, str):
            self.report(1, header)
            return ImportResult(items=(), errors=tuple(self.errors))
        drafts: list[_Draft] = []
        for row in self.rows(text, header):
            draft = self.flashcard(row) if header.flashcards else self.question(row, header)
            if draft is not None:
                drafts.append(draft)
        if not drafts and not self.errors:
            self.report(1, "the file has a header row but no rows of questions under it")
        keys = KeyAllocator(draft.key for draft in drafts if draft.key)
        items = [
            draft.item
            if draft.key
            else replace(draft.item, key=keys.unique(hashed_key(draft.item.prompt)))
            for draft in drafts
        ]
        # A column left out of the header says nothing: updating keeps what a question has.
        unsaid = frozenset(name for name in ("explanation", "source") if name not in header.names)
        lines = [draft.line for draft in drafts]
        return finish(self.filename, items, lines, self.errors, unsaid=unsaid)

    def rows(self, text: str, header: _Header) -> Iterator[_Row]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=header.delimiter, strict=True)
        width = len(header.names)
        start = 1
        try:
            next(reader)  # the header, already read
            start = reader.line_num + 1
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not any(field.strip() for field in fields):
                    continue
                extra = [field for field in fields[width:] if field.strip()]
                if extra:
                    self.report(
                        line,
                        f"the row has {len(fields)} fields but the header has {width}: put a "
                        f"field that contains {_DELIMITER_NAMES[header.delimiter]} in double "
                        "quotes",
                    )
                    continue
                padded = list(fields[:width]) + [""] * (width - len(fields))
                yield _Row(line, dict(zip(header.names, padded, strict=True)))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                self.report(
                    start,
                    'a quoted field that starts on this row is never closed: check for a missing " '
                    '(a quote inside a quoted field is written "")',
                )
            else:
                self.report(
                    start,
                    f"the row is not valid CSV ({exc}): put a field that contains "
                    f"{_DELIMITER_NAMES[header.delimiter]}, a quote or a line break in double "
                    'quotes, and double the quotes inside it ("")',
                )

    def required(self, row: _Row, column: str, what: str) -> str:
        value = _unguard(row.values[column])
        if not value:
            self.report(row.line, f"column {column!r} is empty: give {what}")
        return value

    def flashcard(self, row: _Row) -> _Draft | None:
        front_column, back_column = list(row.values)
        errors_before = len(self.errors)
        front = self.required(row, front_column, "the front of the card")
        back = self.required(row, back_column, "the back of the card")
        if len(self.errors) != errors_before:
            return None
        return _Draft(row.line, None, ItemSpec("", ItemKind.FLASHCARD, front, back=back))

    def question(self, row: _Row, header: _Header) -> _Draft | None:
        errors_before = len(self.errors)
        key = self.key(row)
        kind = self.kind(row)
        prompt = self.required(row, "prompt", "the question (the front, for a flashcard)")
        choices = self.choices(row, header)
        explanation = _unguard(row.values.get("explanation", ""))
        source = _unguard(row.values.get("source", ""))
        if kind is None or choices is None:
            return None
        back = ""
        specs: tuple[ChoiceSpec, ...] | None
        if kind is ItemKind.FLASHCARD:
            specs, back = self.flashcard_back(row, choices)
        elif kind is ItemKind.ORDERING:
            specs = tuple(ChoiceSpec(text, True) for text in choices)
            self.no_correct(row, "an ordering question: write its choices in the right order")
        elif kind is ItemKind.TRUE_FALSE:
            specs = self.true_false(row, choices)
        else:
            specs = self.marked(row, kind, choices)
        if specs is None or len(self.errors) != errors_before:
            return None
        item = ItemSpec(key or "", kind, prompt, specs, explanation, source, back)
        return _Draft(row.line, key, item)

    def key(self, row: _Row) -> str | None:
        key = row.values.get("key", "").strip()
        if key and not KEY_PATTERN.fullmatch(key):
            self.report(row.line, f"column 'key': {key!r} must be {KEY_RULE} (or left empty)")
        return key or None

    def kind(self, row: _Row) -> ItemKind | None:
        text = row.values["kind"].strip().lower()
        if text in KINDS:
            return ItemKind(text)
        close = difflib.get_close_matches(text, KINDS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        shown = f"not {text!r}" if text else "not empty"
        self.report(row.line, f"column 'kind' must be one of {', '.join(KINDS)}, {shown}{hint}")
        return None

    def choices(self, row: _Row, header: _Header) -> list[str] | None:
        columns = header.choice_columns
        values = [_unguard(row.values[column]) for column in columns]
        while values and not values[-1]:
            values.pop()
        for column, value in zip(columns, values, strict=False):
            if not value:
                self.report(
                    row.line,
                    f"column {column!r} is empty but a later choice is filled: fill the "
                    "choices from choice_1 on",
                )
                return None
        return values

    def correct_numbers(self, row: _Row, count: int) -> list[int] | None:
        raw = row.values["correct"].strip()
        parts = [part.strip() for part in raw.split("|")]
        if not raw or not all(part.isdigit() for part in parts):
            shown = "empty" if not raw else repr(raw)
            self.report(
                row.line,
                "column 'correct' must give the numbers of the right choices, separated by | "
                f"(such as 2 or 1|3), not {shown}",
            )
            return None
        numbers = [int(part) for part in parts]
        for number in numbers:
            if not 1 <= number <= count:
                self.report(
                    row.line,
                    f"column 'correct': {number} is not a choice number; the row has "
                    f"choices 1 to {count}",
                )
                return None
        repeated = sorted({number for number in numbers if numbers.count(number) > 1})
        if repeated:
            self.report(row.line, f"column 'correct' lists {repeated[0]} twice")
            return None
        return numbers

    def marked(
        self, row: _Row, kind: ItemKind, choices: list[str]
    ) -> tuple[ChoiceSpec, ...] | None:
        numbers = self.correct_numbers(row, len(choices))
        if numbers is None:
            return None
        if kind is ItemKind.SINGLE and len(numbers) != 1:
            self.report(
                row.line,
                f"column 'correct' lists {len(numbers)} choices, but a single-answer question "
                "has one right choice (use kind 'multiple' for several)",
            )
            return None
        return tuple(
            ChoiceSpec(text, number in numbers) for number, text in enumerate(choices, start=1)
        )

    def true_false(self, row: _Row, choices: list[str]) -> tuple[ChoiceSpec, ...] | None:
        if choices and [choice.lower() for choice in choices] != ["true", "false"]:
            self.report(
                row.line,
                "the choices of a true_false question are True and False (in choice_1 and "
                "choice_2), or left empty",
            )
            return None
        answer = row.values["correct"].strip().lower()
        if answer in ("1", "true"):
            return true_false_choices(True)
        if answer in ("2", "false"):
            return true_false_choices(False)
        shown = repr(answer) if answer else "empty"
        self.report(
            row.line,
            f"column 'correct' of a true_false question must be 1 (True) or 2 (False), not {shown}",
        )
        return None

    def flashcard_back(self, row: _Row, choices: list[str]) -> tuple[tuple[ChoiceSpec, ...], str]:
        if not choices:
            self.report(row.line, "column 'choice_1' is empty: give the back of the flashcard")
        elif len(choices) > 1:
            self.report(
                row.line,
                "a flashcard's back goes in choice_1 alone: leave choice_2 and later empty",
            )
        self.no_correct(row, "a flashcard")
        return (), choices[0] if choices else ""

    def no_correct(self, row: _Row, what: str) -> None:
        if row.values["correct"].strip():
            self.report(row.line, f"column 'correct' must be empty for {what}")


def parse_csv(text: str, filename: str) -> ImportResult:
    """Parse a CSV or TSV file: every item, or every error (each with its line and column)."""
    return _CsvParser(filename).parse(text)


def _correct_column(item: ItemSpec) -> str:
    if item.kind in (ItemKind.ORDERING, ItemKind.FLASHCARD):
        return ""
    return "|".join(str(n) for n, choice in enumerate(item.choices, start=1) if choice.correct)


def write_csv(deck: DeckSpec, delimiter: str = ",") -> str:
    """Write every item of a deck in the questions layout; ``parse_csv`` reads it back.

    Nothing is skipped: every kind has a row. Flashcards put their back in ``choice_1``;
    there are as many choice columns as the item with the most choices needs. Rows end
    in CRLF, as RFC 4180 and spreadsheet programs have it.
    """
    width = max([1] + [len(item.choices) for item in deck.items])
    out = io.StringIO()
    # CRLF as RFC 4180 has it; it also makes the writer quote a field holding a lone CR.
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    choice_columns = [f"choice_{number}" for number in range(1, width + 1)]
    writer.writerow(["key", "kind", "prompt", *choice_columns, "correct", "explanation", "source"])
    for item in deck.items:
        texts = [item.back] if item.kind is ItemKind.FLASHCARD else [c.text for c in item.choices]
        texts += [""] * (width - len(texts))
        writer.writerow(
            [
                item.key,
                item.kind.value,
                _guard(item.prompt),
                *(_guard(text) for text in texts),
                _correct_column(item),
                _guard(item.explanation),
                _guard(item.source),
            ]
        )
    return out.getvalue()
