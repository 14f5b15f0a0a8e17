"""What every upload parser returns, the rules every imported item must pass, and the registry."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from quiz.bank.deck_yaml import (
    KEY_PATTERN,
    KEY_RULE,
    MAX_CHOICES,
    MAX_ORDER,
    MIN_CHOICES,
    MIN_ORDER,
    BankError,
    ParsedDeck,
    parse_deck_text,
)
from quiz.bank.upload import decode_upload
from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec

#: Generated keys stay short enough to read in a URL or a log line.
MAX_KEY_LENGTH = 60
#: The longest key a file may give, leaving room in the items.key column (120) for the
#: "-2", "-3"… that keep keys unique.
MAX_WRITTEN_KEY_LENGTH = 100
#: Questions one file may hold: a set bigger than this is best split, and an upload of
#: the largest size allowed could otherwise hold some 40,000.
MAX_ITEMS_PER_FILE = 5_000


@dataclass(frozen=True)
class ImportResult:
    """The items of one uploaded file, or the errors that stopped it: never both.

    ``item_lines`` (the line each item starts on) lets later checks name a line; it is
    not part of equality, so tests compare results by what was imported.

    ``unsaid`` names the fields (``"explanation"``, ``"source"``) that the file's format
    has no place for, or that the file left out: there an empty value says nothing, and
    an import that updates a question keeps what the question has (a set exported as
    Aiken and imported again must not lose its explanations).
    """

    items: tuple[ItemSpec, ...]
    errors: tuple[BankError, ...]
    title: str | None = None
    item_lines: tuple[int | None, ...] = field(default=(), compare=False, repr=False)
    unsaid: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


#: A parser: the decoded text and the file's name (for messages) in, a result out.
Importer = Callable[[str, str], ImportResult]


# ---------------------------------------------------------------------------------------
# Text and keys


def normal_text(text: str) -> str:
    """Choices that differ only in case or spacing count as the same choice (as in YAML)."""
    return " ".join(text.casefold().split())


def slugify(text: str) -> str:
    """A key made of the ASCII letters and digits of ``text``; empty if it has none."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_KEY_LENGTH:
        cut = slug[: MAX_KEY_LENGTH + 1]  # one more, to see whether a word ends at the limit
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:MAX_KEY_LENGTH]
    return slug.strip("-")


def hashed_key(text: str) -> str:
    """A stable key for an untitled question: the same text always gets the same key."""
    return "q-" + hashlib.sha256(normal_text(text).encode("utf-8")).hexdigest()[:8]


def key_from_title(title: str, prompt: str) -> str:
    """A valid key is kept as written (so exported keys survive); otherwise slugified."""
    if KEY_PATTERN.fullmatch(title) and len(title) <= MAX_WRITTEN_KEY_LENGTH:
        return title
    return slugify(title) or hashed_key(prompt)


class KeyAllocator:
    """Hands out keys unique within one file, adding -2, -3… to a key already taken."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = set(reserved)
        # The last number handed out for each key: a file that repeats one question
        # 40,000 times would otherwise try -2, -3… from the start each time.
        self._last: dict[str, int] = {}

    def unique(self, key: str) -> str:
        candidate, number = key, self._last.get(key, 1)
        while candidate in self._taken:
            number += 1
            candidate = f"{key}-{number}"
        self._last[key] = number
        self._taken.add(candidate)
        return candidate


# ---------------------------------------------------------------------------------------
# The item rules (the same as the YAML deck format's)


def item_problems(item: ItemSpec) -> list[str]:
    """What is wrong with one item, as messages; empty if it may be stored."""
    problems: list[str] = []
    if not KEY_PATTERN.fullmatch(item.key):
        problems.append(f"key {item.key!r} must be {KEY_RULE}")
    elif len(item.key) > MAX_WRITTEN_KEY_LENGTH:
        problems.append(
            f"its key is {len(item.key)} characters long, and a key may have at most "
            f"{MAX_WRITTEN_KEY_LENGTH}"
        )
    if not item.prompt.strip():
        problems.append("the question text is empty")
    texts = [choice.text for choice in item.choices]
    if any(not text.strip() for text in texts):
        problems.append("a choice is empty")
    seen: set[str] = set()
    for text in texts:
        if normal_text(text) in seen:
            problems.append(f"choice {text!r} appears twice")
        seen.add(normal_text(text))
    right = sum(choice.correct for choice in item.choices)
    if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        if not MIN_CHOICES <= len(texts) <= MAX_CHOICES:
            problems.append(f"needs {MIN_CHOICES} to {MAX_CHOICES} choices, has {len(texts)}")
        if item.kind is ItemKind.SINGLE and right != 1:
            problems.append(f"a single-answer question needs exactly one right choice, has {right}")
        if item.kind is ItemKind.MULTIPLE and right == 0:
            problems.append("a multiple-answer question needs at least one right choice")
    elif item.kind is ItemKind.TRUE_FALSE:
        if texts != ["True", "False"] or right != 1:
            problems.append("a true/false question needs the choices True and False, one right")
    elif item.kind is ItemKind.ORDERING:
        if not MIN_ORDER <= len(texts) <= MAX_ORDER:
            problems.append(f"an ordering question needs {MIN_ORDER} to {MAX_ORDER} entries")
        if right != len(texts):
            problems.append("every entry of an ordering question is part of the answer")
    elif item.kind is ItemKind.FLASHCARD:
        if texts:
            problems.append("a flashcard has a front and a back, not choices")
        if not item.back.strip():
            problems.append("the back of the flashcard is empty")
    return problems


def finish(
    filename: str,
    items: Sequence[ItemSpec],
    lines: Sequence[int | None],
    errors: Iterable[BankError] = (),
    title: str | None = None,
    unsaid: frozenset[str] = frozenset(),
) -> ImportResult:
    """Check every item against the shared rules and apply all-or-nothing.

    ``lines`` gives the line each item starts on (None where unknown), so a rule broken
    by an item is reported there.
    """
    if len(items) > MAX_ITEMS_PER_FILE:
        message = (
            f"the file holds {len(items):,} questions, and one file may hold at most "
            f"{MAX_ITEMS_PER_FILE:,}: split it into several files"
        )
        return ImportResult(items=(), errors=(BankError(filename, None, message),), title=title)
    found = list(errors)
    key_lines: dict[str, int | None] = {}
    for item, line in zip(items, lines, strict=True):
        what = f"question {item.key!r}"
        found.extend(BankError(filename, line, f"{what}: {p}") for p in item_problems(item))
        if item.key in key_lines:
            first = key_lines[item.key]
            where = f" (first on line {first})" if first is not None else ""
            found.append(BankError(filename, line, f"key {item.key!r} is used twice{where}"))
        else:
            key_lines[item.key] = line
    if found:
        # Stable sort: errors on one line keep the order they were found in.
        ordered = sorted(found, key=lambda error: error.line or 0)
        return ImportResult(items=(), errors=tuple(ordered), title=title)
    return ImportResult(
        items=tuple(items),
        errors=(),
        title=title,
        item_lines=tuple(lines),
        unsaid=unsaid,
    )


def true_false_choices(answer: bool) -> tuple[ChoiceSpec, ChoiceSpec]:
    """True first, as the YAML format builds them, so equal items compare equal."""
    return (ChoiceSpec("True", answer), ChoiceSpec("False", not answer))


# ---------------------------------------------------------------------------------------
# YAML uploads and the registry


def parse_yaml_upload(text: str, filename: str) -> ImportResult:
    """A teacher's YAML deck: its hand-written questions and title.

    Facts and includes are refused: they build items from the shared built-in bank,
    which an uploaded set neither sees nor may change.
    """
    parsed = parse_deck_text(text, filename)
    if not isinstance(parsed, ParsedDeck):
        return ImportResult(items=(), errors=tuple(parsed))
    errors: list[BankError] = []
    if parsed.facts:
        errors.append(
            BankError(
                filename,
                parsed.facts[0].line,
                "facts are not allowed in an uploaded deck: write them as 'questions' instead",
            )
        )
    if parsed.include:
        errors.append(
            BankError(
                filename,
                parsed.include_lines[0],
                "'include' is not allowed in an uploaded deck: upload each deck on its own",
            )
        )
    return finish(filename, parsed.questions, parsed.question_lines, errors, parsed.title)


@functools.cache
def _importers() -> Mapping[str, Importer]:
    # Imported here rather than at the top: the parsers import ImportResult and the item
    # rules from this module, so a top-level import would be circular.
    from quiz.bank.aiken import parse_aiken
    from quiz.bank.csv_format import parse_csv
    from quiz.bank.gift import parse_gift

    return MappingProxyType(
        {"gift": parse_gift, "aiken": parse_aiken, "csv": parse_csv, "yaml": parse_yaml_upload}
    )


#: Format name → parser. Built on first use (see ``__getattr__``) to break the import cycle.
IMPORTERS: Mapping[str, Importer]


def __getattr__(name: str) -> object:
    if name == "IMPORTERS":
        return _importers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_upload(data: bytes, filename: str, fmt: str) -> ImportResult:
    """Decode an uploaded file, parse it as ``fmt`` and check every item; never raises."""
    importers = _importers()
    importer = importers.get(fmt)
    if importer is None:
        return ImportResult(
            items=(),
            errors=(
                BankError(
                    filename, None, f"unknown format {fmt!r}: choose one of {', '.join(importers)}"
                ),
            ),
        )
    text = decode_upload(data, filename)
    if isinstance(text, list):
        return ImportResult(items=(), errors=tuple(text))
    result = importer(text, filename)
    if result.errors:
        return result
    # Checked again here so that no parser, present or future, can let a bad item through.
    lines = result.item_lines or (None,) * len(result.items)
    return finish(filename, result.items, lines, title=result.title, unsaid=result.unsaid)
