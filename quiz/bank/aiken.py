"""Read and write Aiken files: single-answer questions as plain lines, ``ANSWER: B`` last.

The format, as Moodle and most quiz tools write it::

    What is the capital of Ukraine?
    A. Lviv
    B) Kyiv
    ANSWER: B

The question may run over several lines; choices are ``A.`` or ``A)`` and a space; the
``ANSWER:`` line ends the question. Blank lines between questions are optional. Aiken
has no keys, explanations or sources: keys are made from a hash of the question text, and
an import that updates a question keeps its explanation and source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quiz.bank.deck_yaml import BankError
from quiz.bank.formats import ImportResult, KeyAllocator, finish, hashed_key, normal_text
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

# "A." alone is an empty choice, reported as such rather than read as question text.
_CHOICE = re.compile(r"([A-Za-z])[.)](?:[ \t]+(.*))?")
_ANSWER = re.compile(r"ANSWER\s*:(.*)", re.IGNORECASE)


@dataclass
class _Question:
    line: int
    #: How many errors the file had when the question began: more at its end means it has some.
    errors_before: int
    text: list[str] = field(default_factory=list)
    #: letter → (line, text)
    choices: dict[str, tuple[int, str]] = field(default_factory=dict)


class _AikenParser:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[BankError] = []
        self.items: list[tuple[ItemSpec, int]] = []
        self.keys = KeyAllocator()

    def report(self, line: int, message: str) -> None:
        self.errors.append(BankError(self.filename, line, message))

    def missing_answer(self, question: _Question) -> None:
        self.report(
            question.line,
            "the question has no ANSWER line: after the choices, write 'ANSWER: ' and the "
            "letter of the right choice",
        )

    def parse(self, text: str) -> ImportResult:
        question: _Question | None = None
        for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
            line = raw.strip()
            if not line:
                continue
            answer = _ANSWER.fullmatch(line)
            choice = _CHOICE.fullmatch(line)
            if answer:
                if question is None:
                    self.report(number, "an ANSWER line without a question before it")
                else:
                    self.finish_question(question, answer.group(1).strip(), number)
                question = None
            elif choice:
                if question is None:
                    self.report(
                        number,
                        f"a choice line ({line[:2]} …) before any question: write the question "
                        "on the line above its choices",
                    )
                    continue
                self.add_choice(question, choice.group(1).upper(), choice.group(2) or "", number)
            else:
                if question is not None and question.choices:
                    # Text after the choices begins the next question: this one never ended.
                    self.missing_answer(question)
                    question = None
                if question is None:
                    question = _Question(number, len(self.errors))
                question.text.append(line)
        if question is not None:
            self.missing_answer(question)
        if not self.items and not self.errors:
            self.report(1, "the file holds no questions")
        items = [item for item, _line in self.items]
        lines = [line for _item, line in self.items]
        # Aiken has no place for them: updating a question keeps the ones it has.
        unsaid = frozenset({"explanation", "source"})
        return finish(self.filename, items, lines, self.errors, unsaid=unsaid)

    def add_choice(self, question: _Question, letter: str, text: str, number: int) -> None:
        if letter in question.choices:
            first = question.choices[letter][0]
            self.report(number, f"choice letter {letter} is used twice (first on line {first})")
            return
        if not text.strip():
            self.report(number, f"choice {letter} is empty: write its text after '{letter}. '")
        seen = {normal_text(other): line for line, other in question.choices.values()}
        if text.strip() and normal_text(text) in seen:
            self.report(
                number,
                f"the choice {text.strip()!r} appears twice "
                f"(first on line {seen[normal_text(text)]})",
            )
        question.choices[letter] = (number, text.strip())

    def finish_question(self, question: _Question, letter: str, number: int) -> None:
        prompt = "\n".join(question.text)
        letters = sorted(question.choices)
        if len(question.choices) < 2:
            self.report(
                question.line,
                f"the question has {len(question.choices)} choice(s); it needs at least two "
                "lines such as 'A. …' and 'B. …'",
            )
            return
        if not re.fullmatch(r"[A-Za-z]", letter):
            self.report(
                number,
                f"expected one letter after ANSWER:, such as 'ANSWER: {letters[0]}', "
                f"not {letter!r}",
            )
            return
        if letter.upper() not in question.choices:
            self.report(
                number,
                f"ANSWER: {letter} names no choice: the choices are {', '.join(letters)}",
            )
            return
        if len(self.errors) != question.errors_before:
            return
        right = letter.upper()
        choices = tuple(
            ChoiceSpec(text, choice_letter == right)
            for choice_letter, (_line, text) in question.choices.items()
        )
        key = self.keys.unique(hashed_key(prompt))
        self.items.append((ItemSpec(key, ItemKind.SINGLE, prompt, choices), question.line))


def parse_aiken(text: str, filename: str) -> ImportResult:
    """Parse an Aiken file: every item, or every error (each with its 1-based line)."""
    return _AikenParser(filename).parse(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_aiken(deck: DeckSpec) -> str:
    """Write a deck's single-answer items as Aiken, one blank line between questions.

    Only single-answer items are written: Aiken has exactly one right answer per
    question and no other kind, and writing true/false items as two-choice questions
    would turn them into single-answer items on re-import. Keys, explanations and
    sources have no place in Aiken and are lost; line breaks inside a prompt or a
    choice become spaces, since each choice, and the ANSWER, must be one line. (Aiken
    has no escapes: a prompt that itself begins like "A. " or "ANSWER:" cannot be read
    back as a prompt.)
    """
    blocks: list[str] = []
    for item in deck.items:
        if item.kind is not ItemKind.SINGLE:
            continue
        letters = [chr(ord("A") + index) for index in range(len(item.choices))]
        lines = [_one_line(item.prompt)]
        lines += [
            f"{letter}. {_one_line(choice.text)}"
            for letter, choice in zip(letters, item.choices, strict=True)
        ]
        right = next(
            letter for letter, choice in zip(letters, item.choices, strict=True) if choice.correct
        )
        lines.append(f"ANSWER: {right}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
