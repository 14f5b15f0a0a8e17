"""Read and write Moodle GIFT question files: multiple choice, true/false and matching.

What is read (as Moodle reads it): questions separated by blank lines; ``//`` comment
lines; ``::Title::`` names (which become item keys); ``$CATEGORY:`` lines (the last one
names the set); the escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n``; ``[html]``,
``[markdown]``, ``[plain]`` and ``[moodle]`` format markers (dropped, the text kept
as written); and these answer blocks:

* ``{=right ~wrong ~wrong}`` → a single-answer question;
* ``{~%50%right ~%50%right ~%-100%wrong}`` → a multiple-answer question (a positive
  weight marks a right answer);
* ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` → a true/false question;
* ``{=a -> 1 =b -> 2}`` → one single-answer question per pair, since the service has no
  matching kind: the prompt names the left side, the choices are all right sides;
* an answer block inside the text ("The {=cat ~dog} sat") leaves ``_____`` in its place.

Per-answer feedback (``#…``) of the right answers and the general feedback (``####…``)
become the item's explanation. A ``// Source: …`` comment line right above a question
gives its source, as ``write_gift`` writes it (Moodle reads it as a comment); a
question without one leaves the source of the question it updates as it was.
Short-answer, numerical, essay and description questions have no counterpart here and
are reported as errors, as is anything malformed: a file imports whole or not at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from quiz.bank.deck_yaml import BankError
from quiz.bank.formats import (
    ImportResult,
    KeyAllocator,
    finish,
    hashed_key,
    key_from_title,
    normal_text,
    true_false_choices,
)
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

BLANK = "_____"
#: Joins the question and the left side of a matching pair into one prompt.
MATCH_SEPARATOR = " — "

# Escaped characters are masked by NUL plus a letter while the structure is parsed: the
# mask has the escape's length (offsets still map to lines) and holds no GIFT syntax.
# Uploads cannot contain NUL (see upload.py), and parse_gift refuses text that does.
_MASK = "\x00"
_ESCAPED = {"\\": "a", "~": "b", "=": "c", "#": "d", "{": "e", "}": "f", ":": "g", "n": "h"}
_UNMASKED = {letter: ("\n" if char == "n" else char) for char, letter in _ESCAPED.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_MASKED = re.compile(_MASK + "([a-h])")

_FORMAT_MARKER = re.compile(r"\s*\[(?:html|markdown|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_CATEGORY = re.compile(r"\s*\$CATEGORY:", re.IGNORECASE)
_SOURCE = re.compile(r"//\s*Source:(.*)", re.IGNORECASE)
_TRUE = ("T", "TRUE")
_FALSE = ("F", "FALSE")


def _mask(text: str) -> str:
    return _ESCAPE.sub(lambda match: _MASK + _ESCAPED[match.group(1)], text)


def _unmask(text: str) -> str:
    return _MASKED.sub(lambda match: _UNMASKED[match.group(1)], text)


def _clean(masked: str) -> str:
    """Masked GIFT text → the plain text it stands for."""
    marker = _FORMAT_MARKER.match(masked)
    return _unmask(masked[marker.end() :] if marker else masked).strip()


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class _Block:
    """The lines of one question (comment lines blanked), masked, and where they start;
    the source of a ``// Source:`` comment right above it."""

    start: int
    text: str
    source: str = ""

    @cached_property
    def _line_breaks(self) -> list[int]:
        return [match.start() for match in re.finditer("\n", self.text)]

    def line_at(self, offset: int) -> int:
        # A binary search over the block's line breaks, found once: counting them anew
        # for each of a question's answers made a question with 100,000 answers take
        # minutes.
        return self.start + bisect_left(self._line_breaks, offset)


@dataclass(frozen=True)
class _Answer:
    marker: str  # "=" or "~"
    text: str
    feedback: str
    weight: float
    line: int
    weight_text: str = ""


@dataclass(frozen=True)
class _Draft:
    """An item before its key is made unique in the file."""

    base_key: str
    line: int
    kind: ItemKind
    prompt: str
    choices: tuple[ChoiceSpec, ...]
    explanation: str
    source: str = ""


def _blocks(lines: Sequence[str]) -> Iterator[_Block | str]:
    """Questions as blocks, and ``$CATEGORY:`` paths as strings, in file order."""
    current: list[str] = []
    start = 0
    source = ""  # of a "// Source:" comment since the last blank line, for the next block
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            if current:
                current.append("")  # keeps offsets mapping to the right lines
            elif said := _SOURCE.match(stripped):
                source = " ".join(said.group(1).split())
            continue
        if not stripped or _CATEGORY.match(line):
            if current:
                yield _Block(start, "\n".join(current), source)
                current = []
            source = ""
            if stripped:
                yield _unmask(_mask(stripped.split(":", 1)[1])).strip()
            continue
        if not current:
            start = number
        current.append(_mask(line))
    if current:
        yield _Block(start, "\n".join(current), source)


def _category_title(path: str) -> str | None:
    """The set's name from a Moodle category path: its last real segment."""
    segments = [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", path)]
    named = [
        segment
        for segment in segments
        if segment and segment.lower() != "top" and not re.fullmatch(r"\$\w+\$", segment)
    ]
    return named[-1] if named else None


class _GiftParser:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[BankError] = []
        self.drafts: list[_Draft] = []
        self.category: str | None = None

    def report(self, line: int, message: str) -> None:
        self.errors.append(BankError(self.filename, line, message))

    def parse(self, text: str) -> ImportResult:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _MASK in text:
            line = text.count("\n", 0, text.index(_MASK)) + 1
            self.report(line, "the text contains a NUL character; save the file as plain text")
            return ImportResult(items=(), errors=tuple(self.errors))
        for block in _blocks(text.split("\n")):
            if isinstance(block, str):
                self.category = _category_title(block) or self.category
            else:
                self.question(block)
        if not self.drafts and not self.errors:
            self.report(1, "the file holds no questions")
        keys = KeyAllocator()
        items = [
            ItemSpec(
                key=keys.unique(draft.base_key),
                kind=draft.kind,
                prompt=draft.prompt,
                choices=draft.choices,
                explanation=draft.explanation,
                source=draft.source,
            )
            for draft in self.drafts
        ]
        lines = [draft.line for draft in self.drafts]
        # A question without a "// Source:" comment says nothing of its source (a file
        # from Moodle has none): updating a question keeps the source it has.
        return finish(
            self.filename, items, lines, self.errors, self.category, unsaid=frozenset({"source"})
        )

    # -- one question -----------------------------------------------------------------

    def question(self, block: _Block) -> None:
        text = block.text
        title: str | None = None
        body_start = 0
        opening = re.match(r"\s*::", text)
        if opening:
            closing = text.find("::", opening.end())
            if closing == -1:
                self.report(
                    block.start,
                    "the question title opened with :: is not closed: "
                    "write ::Title:: and then the question",
                )
                return
            title = _unmask(text[opening.end() : closing]).strip() or None
            body_start = closing + 2
        braces = self.answer_block(block, body_start)
        if braces is None:
            return
        open_at, close_at = braces
        before, after = text[body_start:open_at], text[close_at + 1 :]
        prompt = _clean(before + BLANK + after if after.strip() else before)
        errors_before = len(self.errors)
        if not prompt:
            self.report(
                block.start,
                "the question text is empty: write the question before the { } answer block",
            )
        base_key = key_from_title(title, prompt) if title else hashed_key(prompt)
        inner = text[open_at + 1 : close_at]
        general = ""
        general_at = inner.rfind("####")
        if general_at != -1:
            general = _clean(inner[general_at + 4 :])
            inner = inner[:general_at]
        drafts = self.answers(block, open_at + 1, inner, prompt, base_key, general)
        if len(self.errors) == errors_before:
            self.drafts.extend(drafts)

    def answer_block(self, block: _Block, body_start: int) -> tuple[int, int] | None:
        """Where the one ``{`` … ``}`` block of a question is, or None once reported."""
        text = block.text
        opens = [i for i in range(body_start, len(text)) if text[i] == "{"]
        closes = [i for i in range(body_start, len(text)) if text[i] == "}"]
        if not opens and not closes:
            self.report(
                block.start,
                "no answer block { } found: descriptions (text without answers) are not "
                "supported; add the answers in { }, or start the line with // to make it a "
                "comment",
            )
            return None
        if not opens or closes and closes[0] < opens[0]:
            self.report(
                block.line_at(closes[0]),
                "a } without a { before it; write \\} for a literal brace",
            )
            return None
        open_at = opens[0]
        opened_on = block.line_at(open_at)
        if not closes:
            self.report(
                opened_on,
                f"the answer block opened with {{ on line {opened_on} is not closed with }}; "
                "close it before the blank line that ends the question",
            )
            return None
        close_at = closes[0]
        if len(opens) > 1 and opens[1] < close_at:
            self.report(
                block.line_at(opens[1]),
                f"a {{ inside the answer block opened on line {opened_on}; "
                "write \\{ for a literal brace",
            )
            return None
        if len(opens) > 1:
            self.report(
                block.line_at(opens[1]),
                "a second answer block { } in one question: separate questions with a blank line",
            )
            return None
        if len(closes) > 1:
            self.report(
                block.line_at(closes[1]),
                "a } after the answer block; write \\} for a literal brace",
            )
            return None
        return open_at, close_at

    def answers(
        self, block: _Block, offset: int, inner: str, prompt: str, base_key: str, general: str
    ) -> list[_Draft]:
        line = block.line_at(offset - 1)
        content = inner.strip()
        if not content:
            self.report(
                line,
                "essay questions ({}) are not supported; give choices such as "
                "{=right ~wrong} to make it multiple choice",
            )
            return []
        if content.startswith("#"):
            self.report(
                line,
                "numerical questions ({#…}) are not supported; give choices with = and ~ "
                "to make it multiple choice",
            )
            return []
        if "~" in inner:
            return self.choice_question(block, offset, inner, prompt, base_key, general)
        if "=" in inner and "->" in inner:
            return self.matching(block, offset, inner, prompt, base_key, general)
        verdict, *feedbacks = inner.split("#")
        answer = _unmask(verdict).strip().upper()
        if answer in _TRUE + _FALSE:
            # Both feedbacks explain the one statement, so both are kept.
            explanation = _join(*(_clean(feedback) for feedback in feedbacks), general)
            choices = true_false_choices(answer in _TRUE)
            return [
                _Draft(
                    base_key,
                    block.start,
                    ItemKind.TRUE_FALSE,
                    prompt,
                    choices,
                    explanation,
                    block.source,
                )
            ]
        self.report(
            line,
            "short-answer questions are not supported; give wrong answers with ~ to make it "
            "multiple choice",
        )
        return []

    def answer_segments(
        self, block: _Block, offset: int, inner: str, markers: str
    ) -> list[tuple[str, str, int]]:
        """``inner`` cut at each marker: (marker, text after it, line of the marker)."""
        found = list(re.finditer(f"[{re.escape(markers)}]", inner))
        lead = inner[: found[0].start()] if found else inner
        if lead.strip():
            self.report(
                block.line_at(offset),
                f"{_clean(lead)!r} comes before the first answer; start each answer with "
                + ("= (right) or ~ (wrong)" if "~" in markers else "="),
            )
        ends = [match.start() for match in found[1:]] + [len(inner)]
        return [
            (match.group(), inner[match.end() : end], block.line_at(offset + match.start()))
            for match, end in zip(found, ends, strict=True)
        ]

    def choice_question(
        self, block: _Block, offset: int, inner: str, prompt: str, base_key: str, general: str
    ) -> list[_Draft]:
        answers: list[_Answer] = []
        for marker, segment, line in self.answer_segments(block, offset, inner, "=~"):
            text_part, _, feedback = segment.partition("#")
            weight = 100.0 if marker == "=" else 0.0
            weight_text = ""
            # As in Moodle, only ~ answers carry a weight: "=%50%…" is text.
            weighted = _WEIGHT.match(text_part.lstrip()) if marker == "~" else None
            if weighted:
                weight = float(weighted.group(1))
                weight_text = weighted.group()
                text_part = text_part.lstrip()[weighted.end() :]
            text = _clean(text_part)
            if not text:
                self.report(line, f"an answer after {marker} is empty")
                continue
            answers.append(_Answer(marker, text, _clean(feedback), weight, line, weight_text))
        if not self.distinct(answers):
            return []
        single = any(answer.marker == "=" for answer in answers)
        if single:
            for answer in answers:
                if answer.marker == "~" and 0 < answer.weight < 100:
                    self.report(
                        answer.line,
                        f"partial credit (~{answer.weight_text}) is not supported in a question "
                        "with an = answer: mark the one right answer with = and the others "
                        "with ~",
                    )
                    return []
        right = [answer for answer in answers if answer.weight > 0]
        if not right:
            self.report(
                block.line_at(offset - 1),
                "no right answer: mark the right answer with = (or give the right answers "
                "a positive weight such as ~%50%)",
            )
            return []
        if single and len(right) > 1:
            lines = " and ".join(str(answer.line) for answer in right[:2])
            self.report(
                right[1].line,
                f"{len(right)} answers are marked right (lines {lines}); a question with = "
                "has one right answer: mark it with =, or give each right answer a weight "
                "such as ~%50% to accept several",
            )
            return []
        explanation = _join(*(answer.feedback for answer in right), general)
        choices = tuple(ChoiceSpec(answer.text, answer.weight > 0) for answer in answers)
        kind = ItemKind.SINGLE if single else ItemKind.MULTIPLE
        return [_Draft(base_key, block.start, kind, prompt, choices, explanation, block.source)]

    def distinct(self, answers: Sequence[_Answer]) -> bool:
        first_lines: dict[str, int] = {}
        for answer in answers:
            normal = normal_text(answer.text)
            if normal in first_lines:
                self.report(
                    answer.line,
                    f"the choice {answer.text!r} appears twice "
                    f"(first on line {first_lines[normal]})",
                )
            else:
                first_lines[normal] = answer.line
        return len(first_lines) == len(answers)

    def matching(
        self, block: _Block, offset: int, inner: str, prompt: str, base_key: str, general: str
    ) -> list[_Draft]:
        errors_before = len(self.errors)
        pairs: list[tuple[str, str, int]] = []
        distractors: list[str] = []
        for _marker, segment, line in self.answer_segments(block, offset, inner, "="):
            if "->" not in segment:
                self.report(
                    line,
                    f"the matching pair {_clean(segment)!r} has no ->; write =item -> its match",
                )
                continue
            left, right = (_clean(part) for part in segment.split("->", 1))
            if not right:
                self.report(line, "the match after -> is empty")
            elif left:
                pairs.append((left, right, line))
            else:
                distractors.append(right)  # Moodle's "= -> extra wrong match"
        if len(self.errors) != errors_before:
            return []
        if len(pairs) < 2:
            self.report(
                block.line_at(offset - 1),
                "a matching question needs at least two pairs (=item -> its match)",
            )
            return []
        options: dict[str, str] = {}
        for text in [right for _left, right, _line in pairs] + distractors:
            options.setdefault(normal_text(text), text)
        if len(options) < 2:
            self.report(
                block.line_at(offset - 1),
                "every pair has the same match, so there is nothing to choose from: give "
                "different matches, or add a wrong one with = -> …",
            )
            return []
        return [
            _Draft(
                f"{base_key}-{number}",
                line,
                ItemKind.SINGLE,
                f"{prompt}{MATCH_SEPARATOR}{left}",
                tuple(
                    ChoiceSpec(text, normal == normal_text(right))
                    for normal, text in options.items()
                ),
                general,
                block.source,
            )
            for number, (left, right, line) in enumerate(pairs, start=1)
        ]


def parse_gift(text: str, filename: str) -> ImportResult:
    """Parse a GIFT file: every item, or every error (each with its 1-based line)."""
    return _GiftParser(filename).parse(text)


# ---------------------------------------------------------------------------------------
# Writing


def escape_gift(text: str) -> str:
    """Text as GIFT writes it: special characters escaped, line breaks as ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\\~=#{}:]", lambda match: "\\" + match.group(), text).replace("\n", "\\n")


def _gift_text(text: str) -> str:
    escaped = escape_gift(text)
    # Text that starts like a format marker would lose it on import: say "plain" first.
    return "[plain]" + escaped if _FORMAT_MARKER.match(escaped) else escaped


def _weight(percent: float) -> str:
    # Moodle accepts only its listed grades; 100/n for n ≤ 8 rounds to one of them.
    return f"{percent:.5f}".rstrip("0").rstrip(".")


def _answer_lines(item: ItemSpec) -> list[str]:
    if item.kind is ItemKind.TRUE_FALSE:
        answer = any(choice.correct and choice.text == "True" for choice in item.choices)
        return ["TRUE" if answer else "FALSE"]
    lines: list[str] = []
    right = sum(choice.correct for choice in item.choices)
    for choice in item.choices:
        text = _gift_text(choice.text)
        if item.kind is ItemKind.MULTIPLE:
            weight = _weight(100 / right) if choice.correct else "-100"
            lines.append(f"~%{weight}%{text}")
        elif choice.correct:
            lines.append(f"={text}")
        else:
            # A wrong answer that starts like "%50%" would be read as a weight.
            lines.append(f"~%0%{text}" if _WEIGHT.match(text) else f"~{text}")
    return lines


def write_gift(deck: DeckSpec) -> str:
    """Write a deck's single-answer, multiple-answer and true/false items as GIFT.

    Each item is written ``::key:: prompt {…}`` so that re-importing keeps its key, with
    the explanation as general feedback (``####…``) and line breaks as ``\\n``; a
    multiple-answer item gives each right answer an equal share of 100% and each wrong
    one -100%, as Moodle expects. ``parse_gift`` gives back the same items.

    Not carried: GIFT has no ordering or flashcard kind, so those items are left out
    and each is named in a ``//`` comment (which importers ignore) where it would have
    been; the ``source`` of an item, which GIFT has no field for, is written as a
    ``// Source: …`` comment right above it, which ``parse_gift`` reads back and Moodle
    skips.
    """
    title = " ".join(deck.title.split())
    out = [
        f"// {title} ({deck.slug}): exported as Moodle GIFT",
        f"$CATEGORY: $course$/top/{title.replace('/', '//')}",
        "",
    ]
    for item in deck.items:
        if item.kind in (ItemKind.ORDERING, ItemKind.FLASHCARD):
            kind = "ordering" if item.kind is ItemKind.ORDERING else "flashcard"
            out += [f"// Skipped {kind} item {item.key!r}: GIFT has no {kind} questions.", ""]
            continue
        if item.source:
            out.append("// Source: " + " ".join(item.source.split()))
        out.append(f"::{item.key}:: {_gift_text(item.prompt)} {{")
        out += _answer_lines(item)
        if item.explanation:
            out.append("####" + _gift_text(item.explanation))
        out += ["}", ""]
    return "\n".join(out)
