"""Parse, validate, build and write the YAML deck files of ``questions/`` (see its README).

Parsing walks PyYAML's composed node tree rather than the loaded Python objects, so
every error can name the line of the node at fault, and so YAML's silent surprises
(a duplicated field wins quietly, ``No`` becomes ``False``) are caught or avoided.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from quiz.domain.builder import build_deck_items
from quiz.domain.facts import PARTIES, EventFact, Fact, FactDate, PositionFact, QuoteFact
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
KEY_RULE = "lowercase letters, digits and hyphens, starting and ending with a letter or digit"
FACT_TYPES = ("event", "position", "quote")
QUESTION_KINDS = tuple(kind.value for kind in ItemKind)
MIN_CHOICES, MAX_CHOICES = 2, 8
MIN_ORDER, MAX_ORDER = 3, 6
#: Guards against alias bombs ("billion laughs"): a deck file is nowhere near this big.
MAX_NODES = 200_000

_TOP_FIELDS = ("slug", "title", "description", "include", "facts", "questions")
_FACT_COMMON = ("key", "type", "explanation", "source")
_FACT_FIELDS = {
    "event": ("when", "what", "ask"),
    "position": ("party", "also", "unsettled", "stance", "according_to"),
    "quote": ("speaker", "role", "quote", "context"),
}
_QUESTION_COMMON = ("key", "kind", "explanation", "source")
_QUESTION_FIELDS = {
    "single": ("prompt", "choices"),
    "multiple": ("prompt", "choices"),
    "true_false": ("prompt", "answer"),
    "ordering": ("prompt", "order"),
    "flashcard": ("front", "back"),
}
_CHOICE_FIELDS = ("text", "correct")

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
#: Marks a value already reported as invalid, so readers do not report it again as missing.
_INVALID_TAG = "!invalid"
# Plain scalars YAML would read as numbers or dates are taken as the text written.
_TEXT_TAGS = frozenset(
    {_STR_TAG, _BOOL_TAG} | {f"tag:yaml.org,2002:{name}" for name in ("int", "float", "timestamp")}
)


@dataclass(frozen=True)
class BankError:
    """A problem in a deck file, at a line (1-based) where one applies."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ParsedDeck:
    """One valid deck file: its header, facts and hand-written questions.

    The ``*_line`` fields let cross-file checks point at the right line.
    """

    slug: str
    title: str
    description: str
    include: tuple[str, ...]
    facts: tuple[Fact, ...]
    questions: tuple[ItemSpec, ...]
    slug_line: int = field(default=1, compare=False)
    include_lines: tuple[int, ...] = field(default=(), compare=False)
    question_lines: tuple[int, ...] = field(default=(), compare=False)


# ---------------------------------------------------------------------------------------
# A YAML tree that remembers lines


@dataclass(frozen=True)
class _Scalar:
    line: int
    tag: str
    text: str


@dataclass(frozen=True)
class _Seq:
    line: int
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Map:
    line: int
    #: field name → (line of the name, value)
    fields: dict[str, tuple[int, _Node]]


_Node = _Scalar | _Seq | _Map


class _TooComplex(Exception):
    pass


class _TreeBuilder:
    """Turns PyYAML nodes into ``_Node``s, reporting what YAML itself would let pass."""

    def __init__(self, report: _Reporter) -> None:
        self._report = report
        self._count = 0
        self._path: set[int] = set()

    def build(self, node: yaml.Node) -> _Node | None:
        self._count += 1
        if self._count > MAX_NODES:
            raise _TooComplex
        line = node.start_mark.line + 1
        if id(node) in self._path:
            self._report(line, "an alias refers to itself; deck files cannot be recursive")
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _TEXT_TAGS and node.tag != _NULL_TAG:
                self._report(line, f"unsupported YAML tag {node.tag!r}: write plain text")
                return None
            return _Scalar(line, node.tag, node.value)
        self._path.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                items = (self.build(child) for child in node.value)
                return _Seq(line, tuple(item for item in items if item is not None))
            return self._mapping(node, line)
        finally:
            self._path.discard(id(node))

    def _mapping(self, node: yaml.Node, line: int) -> _Map:
        fields: dict[str, tuple[int, _Node]] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _NULL_TAG:
                self._report(key_line, "a field name must be plain text")
                continue
            name = key_node.value
            if name in fields:
                self._report(
                    key_line,
                    f"field {name!r} appears twice in one mapping "
                    f"(first on line {fields[name][0]})",
                )
                continue
            value = self.build(value_node)
            if value is None:
                value = _Scalar(value_node.start_mark.line + 1, _INVALID_TAG, "")
            fields[name] = (key_line, value)
        return _Map(line, fields)


# ---------------------------------------------------------------------------------------
# Validation


class _Reporter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[BankError] = []

    def __call__(self, line: int | None, message: str) -> None:
        self.errors.append(BankError(self.filename, line, message))


def _suggest(word: str, options: Iterable[str]) -> str:
    options = list(options)
    lowered = {option.lower(): option for option in options}
    if word.lower() in lowered:
        return f"; did you mean {lowered[word.lower()]!r}?"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _one_of(options: Sequence[str]) -> str:
    return ", ".join(options)


def _kind_of(node: _Node) -> str:
    if isinstance(node, _Map):
        return "a mapping"
    if isinstance(node, _Seq):
        return "a list"
    return "empty" if node.tag == _NULL_TAG else "text"


class _DeckParser:
    def __init__(self, report: _Reporter) -> None:
        self.report = report
        self.key_lines: dict[str, int] = {}

    # -- field readers ------------------------------------------------------------------

    def check_fields(self, node: _Map, allowed: Sequence[str], what: str) -> None:
        for name, (line, _value) in node.fields.items():
            if name not in allowed:
                self.report(
                    line,
                    f"{what}: unknown field {name!r} (allowed: {_one_of(allowed)})"
                    + _suggest(name, allowed),
                )

    def text(self, node: _Map, name: str, what: str, *, required: bool = True) -> str | None:
        if name not in node.fields:
            if required:
                self.report(node.line, f"{what}: missing field {name!r}")
            return None
        return self.text_value(node.fields[name][1], f"{what}: field {name!r}")

    def choice(self, node: _Map, name: str, what: str, allowed: Sequence[str]) -> str | None:
        """A required text field whose value must be one of `allowed`."""
        value = self.text(node, name, what)
        if value is not None and value not in allowed:
            self.report(
                node.fields[name][1].line,
                f"{what}: {name} must be one of {_one_of(allowed)}, not {value!r}"
                + _suggest(value, allowed),
            )
            return None
        return value

    def text_value(self, value: _Node, what: str) -> str | None:
        if isinstance(value, _Scalar) and value.tag == _INVALID_TAG:
            return None
        if not isinstance(value, _Scalar):
            self.report(value.line, f"{what} must be text, not {_kind_of(value)}")
            return None
        text = "" if value.tag == _NULL_TAG else value.text.strip()
        if not text:
            self.report(value.line, f"{what} is empty")
            return None
        return text

    def boolean(self, node: _Map, name: str, what: str, *, required: bool) -> bool | None:
        if name not in node.fields:
            if required:
                self.report(node.line, f"{what}: missing field {name!r} (true or false)")
            return None
        value = node.fields[name][1]
        if isinstance(value, _Scalar) and value.tag == _INVALID_TAG:
            return None
        if not isinstance(value, _Scalar) or value.tag != _BOOL_TAG:
            shown = value.text if isinstance(value, _Scalar) else _kind_of(value)
            self.report(value.line, f"{what}: field {name!r} must be true or false, not {shown!r}")
            return None
        return yaml.constructor.SafeConstructor.bool_values[value.text.lower()]

    def sequence(self, node: _Map, name: str, what: str, *, required: bool) -> _Seq | None:
        if name not in node.fields:
            if required:
                self.report(node.line, f"{what}: missing field {name!r}")
            return None
        value = node.fields[name][1]
        if isinstance(value, _Scalar) and value.tag == _INVALID_TAG:
            return None
        if not isinstance(value, _Seq):
            self.report(value.line, f"{what}: field {name!r} must be a list, not {_kind_of(value)}")
            return None
        return value

    def key(self, node: _Map, field_name: str, what: str) -> str | None:
        key = self.text(node, field_name, what)
        if key is None:
            return None
        line = node.fields[field_name][1].line
        if not KEY_PATTERN.fullmatch(key):
            self.report(line, f"{what}: {field_name} {key!r} must be {KEY_RULE}")
            return None
        return key

    def unique_key(self, node: _Map, what: str) -> str | None:
        key = self.key(node, "key", what)
        if key is None:
            return None
        line = node.fields["key"][1].line
        if key in self.key_lines:
            # Still returned, to name the item in later messages; the error keeps it out.
            self.report(line, f"key {key!r} is already used on line {self.key_lines[key]}")
        else:
            self.key_lines[key] = line
        return key

    # -- the deck -------------------------------------------------------------------------

    def deck(self, root: _Node) -> ParsedDeck | None:
        if not isinstance(root, _Map):
            self.report(
                root.line,
                f"the file must be a mapping of deck fields ({_one_of(_TOP_FIELDS)}), "
                f"not {_kind_of(root)}",
            )
            return None
        what = "deck"
        self.check_fields(root, _TOP_FIELDS, what)
        slug = self.key(root, "slug", what)
        title = self.text(root, "title", what)
        description = self.text(root, "description", what, required=False) or ""
        include, include_lines = self.include(root, slug)
        facts = self.facts(root)
        questions, question_lines = self.questions(root)
        if not (facts or questions or include) and not self.report.errors:
            self.report(root.line, "the deck has no facts, no questions and includes no deck")
        if self.report.errors or slug is None or title is None:
            return None
        return ParsedDeck(
            slug=slug,
            title=title,
            description=description,
            include=include,
            facts=facts,
            questions=questions,
            slug_line=root.fields["slug"][1].line,
            include_lines=include_lines,
            question_lines=question_lines,
        )

    def include(self, root: _Map, slug: str | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
        entries = self.sequence(root, "include", "deck", required=False)
        names: list[str] = []
        lines: list[int] = []
        for entry in entries.items if entries else ():
            name = self.text_value(entry, "deck: an include entry")
            if name is None:
                continue
            if not KEY_PATTERN.fullmatch(name):
                self.report(entry.line, f"deck: include {name!r} must be a deck slug ({KEY_RULE})")
            elif name == slug:
                self.report(entry.line, f"deck: a deck cannot include itself ({name!r})")
            elif name in names:
                self.report(entry.line, f"deck: {name!r} is included twice")
            else:
                names.append(name)
                lines.append(entry.line)
        return tuple(names), tuple(lines)

    def mappings(self, root: _Map, name: str, singular: str) -> list[_Map]:
        entries = self.sequence(root, name, "deck", required=False)
        found: list[_Map] = []
        for entry in entries.items if entries else ():
            if isinstance(entry, _Map):
                found.append(entry)
            else:
                self.report(
                    entry.line,
                    f"each {singular} must be a mapping of fields, not {_kind_of(entry)}",
                )
        return found

    # -- facts ----------------------------------------------------------------------------

    def facts(self, root: _Map) -> tuple[Fact, ...]:
        facts: list[Fact] = []
        for node in self.mappings(root, "facts", "fact"):
            fact = self.fact(node)
            if fact is not None:
                facts.append(fact)
        return tuple(facts)

    def fact(self, node: _Map) -> Fact | None:
        errors_before = len(self.report.errors)
        key = self.unique_key(node, f"fact on line {node.line}")
        what = f"fact {key!r}" if key else f"fact on line {node.line}"
        fact_type = self.choice(node, "type", what, FACT_TYPES)
        explanation = self.text(node, "explanation", what)
        source = self.text(node, "source", what)
        if fact_type is None:
            return None
        self.check_fields(node, _FACT_COMMON + _FACT_FIELDS[fact_type], f"{what} ({fact_type})")
        fact: Fact | None
        if fact_type == "event":
            fact = self.event(node, what, key, explanation, source)
        elif fact_type == "position":
            fact = self.position(node, what, key, explanation, source)
        else:
            fact = self.quote(node, what, key, explanation, source)
        return fact if len(self.report.errors) == errors_before else None

    def event(
        self, node: _Map, what: str, key: str | None, explanation: str | None, source: str | None
    ) -> Fact | None:
        when_text = self.text(node, "when", what)
        when = None
        if when_text is not None:
            try:
                when = FactDate.parse(when_text)
            except ValueError as exc:
                self.report(node.fields["when"][1].line, f"{what}: field 'when': {exc}")
        happened = self.text(node, "what", what)
        ask = self.text(node, "ask", what)
        if (
            key is None
            or when is None
            or happened is None
            or ask is None
            or explanation is None
            or source is None
        ):
            return None
        return EventFact(key, when, happened, ask, explanation, source, node.line)

    def party(self, value: _Node, what: str) -> str | None:
        party = self.text_value(value, what)
        if party is not None and party not in PARTIES:
            self.report(
                value.line,
                f"{what} must be one of {_one_of(PARTIES)}, not {party!r}"
                + _suggest(party, PARTIES),
            )
            return None
        return party

    def position(
        self, node: _Map, what: str, key: str | None, explanation: str | None, source: str | None
    ) -> Fact | None:
        party = None
        if "party" in node.fields:
            party = self.party(node.fields["party"][1], f"{what}: field 'party'")
        else:
            self.report(node.line, f"{what}: missing field 'party'")
        also = self.parties(node, "also", what, taken=[party] if party else [])
        unsettled = self.parties(node, "unsettled", what, taken=[party, *also] if party else also)
        stance = self.text(node, "stance", what)
        according_to = self.according_to(node, what)
        if party is not None and len(PARTIES) - 1 - len(also) - len(unsettled) < 1:
            self.report(
                node.line,
                f"{what}: 'party', 'also' and 'unsettled' name every party, so no party "
                "is left to be a wrong answer",
            )
            return None
        if key is None or party is None or stance is None or explanation is None or source is None:
            return None
        return PositionFact(
            key,
            party,
            tuple(also),
            stance,
            explanation,
            source,
            node.line,
            tuple(unsettled),
            according_to or "",
        )

    def according_to(self, node: _Map, what: str) -> str | None:
        """Who says the party wants it (optional): the words that follow "According to"
        in a question, e.g. "experts"."""
        text = self.text(node, "according_to", what, required=False)
        if text is None:
            return None
        line = node.fields["according_to"][1].line
        if text.lower().startswith("according to"):
            self.report(line, f"{what}: give 'according_to' without the words 'according to'")
            return None
        if len(text) > 60 or text[-1] in ".,;:!?":
            self.report(
                line,
                f"{what}: 'according_to' names who says so in a few words (at most 60 "
                "characters, no closing punctuation), e.g. experts",
            )
            return None
        return text

    def parties(self, node: _Map, name: str, what: str, taken: list[str]) -> list[str]:
        """An optional list of parties (``also``, ``unsettled``), none of them named twice
        in the fact."""
        found: list[str] = []
        sequence = self.sequence(node, name, what, required=False)
        for entry in sequence.items if sequence else ():
            other = self.party(entry, f"{what}: an '{name}' entry")
            if other is None:
                continue
            if other in taken or other in found:
                self.report(entry.line, f"{what}: {other!r} is named twice in this position")
            else:
                found.append(other)
        return found

    def quote(
        self, node: _Map, what: str, key: str | None, explanation: str | None, source: str | None
    ) -> Fact | None:
        speaker = self.text(node, "speaker", what)
        role = self.text(node, "role", what)
        quote = self.text(node, "quote", what)
        context = self.text(node, "context", what, required=False) or ""
        if (
            key is None
            or speaker is None
            or role is None
            or quote is None
            or explanation is None
            or source is None
        ):
            return None
        return QuoteFact(key, speaker, role, quote, context, explanation, source, node.line)

    # -- hand-written questions ---------------------------------------------------------

    def questions(self, root: _Map) -> tuple[tuple[ItemSpec, ...], tuple[int, ...]]:
        items: list[ItemSpec] = []
        lines: list[int] = []
        for node in self.mappings(root, "questions", "question"):
            item = self.question(node)
            if item is not None:
                items.append(item)
                lines.append(node.line)
        return tuple(items), tuple(lines)

    def question(self, node: _Map) -> ItemSpec | None:
        errors_before = len(self.report.errors)
        key = self.unique_key(node, f"question on line {node.line}")
        what = f"question {key!r}" if key else f"question on line {node.line}"
        kind_text = self.choice(node, "kind", what, QUESTION_KINDS)
        # Optional for questions: teachers' uploads often have none. The built-in decks
        # are held to having both by their content tests.
        explanation = self.text(node, "explanation", what, required=False)
        source = self.text(node, "source", what, required=False)
        if kind_text is None:
            return None
        kind = ItemKind(kind_text)
        self.check_fields(node, _QUESTION_COMMON + _QUESTION_FIELDS[kind_text], f"{what} ({kind})")
        prompt: str | None
        back = ""
        choices: tuple[ChoiceSpec, ...] | None = ()
        if kind is ItemKind.FLASHCARD:
            prompt = self.text(node, "front", what)
            back = self.text(node, "back", what) or ""
        else:
            prompt = self.text(node, "prompt", what)
            if kind is ItemKind.TRUE_FALSE:
                answer = self.boolean(node, "answer", what, required=True)
                choices = (
                    None
                    if answer is None
                    else (ChoiceSpec("True", answer), ChoiceSpec("False", not answer))
                )
            elif kind is ItemKind.ORDERING:
                choices = self.order(node, what)
            else:
                choices = self.choices(node, what, kind)
        if len(self.report.errors) != errors_before:
            return None
        if key is None or prompt is None or choices is None:
            return None
        return ItemSpec(
            key=key,
            kind=kind,
            prompt=prompt,
            choices=choices,
            explanation=explanation or "",
            source=source or "",
            back=back,
        )

    def choices(self, node: _Map, what: str, kind: ItemKind) -> tuple[ChoiceSpec, ...] | None:
        entries = self.sequence(node, "choices", what, required=True)
        if entries is None:
            return None
        choices: list[ChoiceSpec] = []
        seen: dict[str, int] = {}
        for entry in entries.items:
            if not isinstance(entry, _Map):
                self.report(
                    entry.line,
                    f"{what}: each choice must be a mapping with 'text' "
                    f"(and 'correct: true' for a right one), "
                    f"not {_kind_of(entry)}",
                )
                continue
            self.check_fields(entry, _CHOICE_FIELDS, f"{what}: choice")
            text = self.text(entry, "text", f"{what}: choice")
            correct = self.boolean(entry, "correct", f"{what}: choice", required=False)
            if text is None:
                continue
            if _normal(text) in seen:
                self.report(
                    entry.fields["text"][1].line,
                    f"{what}: choice {text!r} appears twice (first on line {seen[_normal(text)]})",
                )
                continue
            seen[_normal(text)] = entry.fields["text"][1].line
            choices.append(ChoiceSpec(text, bool(correct)))
        if not MIN_CHOICES <= len(entries.items) <= MAX_CHOICES:
            self.report(
                entries.line,
                f"{what}: needs {MIN_CHOICES} to {MAX_CHOICES} choices, has {len(entries.items)}",
            )
            return None
        right = sum(choice.correct for choice in choices)
        if kind is ItemKind.SINGLE and right != 1:
            self.report(
                entries.line,
                f"{what}: a single question needs exactly one choice with 'correct: true', "
                f"has {right}",
            )
            return None
        if kind is ItemKind.MULTIPLE and right == 0:
            self.report(
                entries.line,
                f"{what}: a multiple question needs at least one choice with 'correct: true'",
            )
            return None
        return tuple(choices)

    def order(self, node: _Map, what: str) -> tuple[ChoiceSpec, ...] | None:
        entries = self.sequence(node, "order", what, required=True)
        if entries is None:
            return None
        texts: list[str] = []
        seen: dict[str, int] = {}
        for entry in entries.items:
            text = self.text_value(entry, f"{what}: an 'order' entry")
            if text is None:
                continue
            if _normal(text) in seen:
                self.report(
                    entry.line,
                    f"{what}: {text!r} appears twice in 'order' "
                    f"(first on line {seen[_normal(text)]})",
                )
                continue
            seen[_normal(text)] = entry.line
            texts.append(text)
        if not MIN_ORDER <= len(entries.items) <= MAX_ORDER:
            self.report(
                entries.line,
                f"{what}: 'order' needs {MIN_ORDER} to {MAX_ORDER} entries, "
                f"has {len(entries.items)}",
            )
            return None
        return tuple(ChoiceSpec(text, True) for text in texts)


def _normal(text: str) -> str:
    """Choices that differ only in case or spacing count as the same choice."""
    return " ".join(text.casefold().split())


# ---------------------------------------------------------------------------------------
# Public API


def parse_deck_text(text: str, filename: str) -> ParsedDeck | list[BankError]:
    """Parse and validate one deck file; every error found, each with its line."""
    report = _Reporter(filename)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        return [BankError(filename, None, "the file is nested too deeply")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = ", ".join(part for part in (exc.context, exc.problem) if part)
        return [BankError(filename, mark.line + 1 if mark else None, f"invalid YAML: {detail}")]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return [
            BankError(
                filename,
                line,
                f"character #x{exc.character:04x} is not allowed in a YAML file"
                if isinstance(exc.character, int)
                else "the file contains a character YAML does not allow",
            )
        ]
    except yaml.YAMLError as exc:
        return [BankError(filename, None, f"invalid YAML: {exc}")]
    if node is None:
        return [BankError(filename, 1, "the file is empty: a deck needs at least slug and title")]
    try:
        root = _TreeBuilder(report).build(node)
    except _TooComplex:
        return [BankError(filename, None, f"the file has more than {MAX_NODES} YAML nodes")]
    except RecursionError:
        return [BankError(filename, None, "the file is nested too deeply")]
    deck = _DeckParser(report).deck(root) if root is not None else None
    if report.errors or deck is None:
        # Stable sort: errors on one line keep the order they were found in.
        return sorted(report.errors, key=lambda error: error.line or 0)
    return deck


def parse_deck_bytes(data: bytes, filename: str) -> ParsedDeck | list[BankError]:
    """Decode UTF-8 (a byte-order mark is allowed) and parse; other encodings are an error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [
            BankError(
                filename,
                line,
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); "
                "save it as UTF-8",
            )
        ]
    return parse_deck_text(text, filename)


def read_bank(directory: str | os.PathLike[str]) -> tuple[list[DeckSpec], list[BankError]]:
    """Parse every ``*.yaml`` deck in ``directory``, check them together and build them.

    Returns the decks (hand-written questions first, then built items) and no errors,
    or no decks and every error: an invalid bank loads nothing.
    """
    root = Path(directory)
    if not root.is_dir():
        return [], [BankError(str(root), None, "not a directory")]
    paths = sorted(root.glob("*.yaml"), key=lambda path: path.name)
    if not paths:
        return [], [BankError(str(root), None, "no *.yaml deck files found")]

    errors: list[BankError] = []
    decks: list[tuple[str, ParsedDeck]] = []
    for path in paths:
        filename = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            errors.append(BankError(filename, None, f"cannot read the file: {exc.strerror}"))
            continue
        result = parse_deck_bytes(data, filename)
        if isinstance(result, ParsedDeck):
            decks.append((filename, result))
        else:
            errors.extend(result)

    errors.extend(_cross_file_errors(decks))
    if errors:
        return [], errors

    pool = tuple(fact for _filename, deck in decks for fact in deck.facts)
    facts_by_slug = {deck.slug: deck.facts for _filename, deck in decks}
    specs: list[DeckSpec] = []
    for filename, deck in decks:
        included = tuple(fact for slug in deck.include for fact in facts_by_slug[slug])
        built = build_deck_items(deck.facts, pool, mixed=bool(deck.include), included=included)
        errors.extend(_item_key_clashes(filename, deck, built, pool))
        specs.append(
            DeckSpec(
                slug=deck.slug,
                title=deck.title,
                description=deck.description,
                items=deck.questions + built,
            )
        )
    if errors:
        return [], errors
    return specs, []


def _cross_file_errors(decks: Sequence[tuple[str, ParsedDeck]]) -> list[BankError]:
    errors: list[BankError] = []
    slugs: dict[str, str] = {}
    fact_keys: dict[str, tuple[str, int]] = {}
    for filename, deck in decks:
        if deck.slug in slugs:
            errors.append(
                BankError(
                    filename,
                    deck.slug_line,
                    f"slug {deck.slug!r} is already used by {slugs[deck.slug]}",
                )
            )
        else:
            slugs[deck.slug] = filename
        for fact in deck.facts:
            if fact.key in fact_keys:
                first_file, first_line = fact_keys[fact.key]
                errors.append(
                    BankError(
                        filename,
                        fact.line,
                        f"fact key {fact.key!r} is already used by "
                        f"{first_file}:{first_line}; fact keys must be "
                        f"unique across all deck files",
                    )
                )
            else:
                fact_keys[fact.key] = (filename, fact.line)
    errors.extend(_stance_conflicts(decks))
    for filename, deck in decks:
        for name, line in zip(deck.include, deck.include_lines, strict=True):
            if name not in slugs:
                errors.append(
                    BankError(
                        filename, line, f"include {name!r} names no deck" + _suggest(name, slugs)
                    )
                )
    return errors


def _stance_conflicts(decks: Sequence[tuple[str, ParsedDeck]]) -> list[BankError]:
    """Positions with the same stance (in any file) are one stance to the builder: a party
    may not hold it in one fact and be unsettled about it in another."""
    holders: dict[str, set[str]] = {}
    for _filename, deck in decks:
        for fact in deck.facts:
            if isinstance(fact, PositionFact):
                holders.setdefault(_normal(fact.stance), set()).update(fact.holders)
    errors: list[BankError] = []
    for filename, deck in decks:
        for fact in deck.facts:
            if not isinstance(fact, PositionFact):
                continue
            for party in fact.unsettled:
                if party in holders[_normal(fact.stance)]:
                    errors.append(
                        BankError(
                            filename,
                            fact.line,
                            f"fact {fact.key!r}: {party!r} is unsettled here but holds the "
                            "same stance in another fact",
                        )
                    )
    return errors


def _item_key_clashes(
    filename: str, deck: ParsedDeck, built: Sequence[ItemSpec], pool: Sequence[Fact]
) -> list[BankError]:
    errors: list[BankError] = []
    fact_lines = {fact.key: fact.line for fact in deck.facts}
    all_fact_keys = {fact.key for fact in pool}
    seen: dict[str, str] = {}
    for item, line in zip(deck.questions, deck.question_lines, strict=True):
        seen[item.key] = f"the question on line {line}"
    for item in built:
        fact_key = item.key.rsplit("--", 1)[0]
        origin = f"fact {fact_key!r}" if fact_key in all_fact_keys else "the deck's facts"
        if item.key in seen:
            errors.append(
                BankError(
                    filename,
                    fact_lines.get(fact_key, deck.slug_line),
                    f"item key {item.key!r}, built from {origin}, clashes with {seen[item.key]}; "
                    "rename one of them",
                )
            )
        else:
            seen[item.key] = f"an item built from {origin}"
    return errors


def _question_document(item: ItemSpec) -> dict[str, object]:
    document: dict[str, object] = {"key": item.key, "kind": item.kind.value}
    if item.kind is ItemKind.FLASHCARD:
        document["front"] = item.prompt
        document["back"] = item.back
    elif item.kind is ItemKind.TRUE_FALSE:
        document["prompt"] = item.prompt
        document["answer"] = any(c.correct and c.text == "True" for c in item.choices)
    elif item.kind is ItemKind.ORDERING:
        document["prompt"] = item.prompt
        document["order"] = [choice.text for choice in item.choices]
    else:
        document["prompt"] = item.prompt
        document["choices"] = [
            {"text": choice.text, "correct": True} if choice.correct else {"text": choice.text}
            for choice in item.choices
        ]
    if item.explanation:
        document["explanation"] = item.explanation
    if item.source:
        document["source"] = item.source
    return document


class _DeckDumper(yaml.SafeDumper):
    """Writes multi-line text as ``|`` blocks, and escapes the line breaks YAML would fold."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = None
    if any(char in text for char in "\r\x85\u2028\u2029"):
        style = '"'
    elif "\n" in text:
        style = "|"  # the emitter falls back to double quotes where a block cannot say it
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_DeckDumper.add_representer(str, _represent_text)


def dump_deck_yaml(deck: DeckSpec) -> str:
    """Write a deck as a questions-only deck file; parsing it gives back the same items."""
    document: dict[str, object] = {"slug": deck.slug, "title": deck.title}
    if deck.description:
        document["description"] = deck.description
    document["questions"] = [_question_document(item) for item in deck.items]
    return yaml.dump(document, Dumper=_DeckDumper, sort_keys=False, allow_unicode=True, width=100)
