"""A question set as a paper test: the questions in the set's order, each one's choices
lettered in a shuffled order that is the same at every printing, and the answer key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from quiz.domain.items import QUIZ_KINDS, ItemKind, ItemSpec

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class PaperChoice:
    letter: str
    text: str


@dataclass(frozen=True)
class PaperQuestion:
    kind: ItemKind
    prompt: str
    choices: tuple[PaperChoice, ...]
    #: The right choices' letters; for an ordering question, every letter in the right
    #: order.
    key: tuple[str, ...]

    @property
    def key_texts(self) -> tuple[str, ...]:
        by_letter = {c.letter: c.text for c in self.choices}
        return tuple(by_letter[letter] for letter in self.key)

    @property
    def places(self) -> tuple[tuple[str, int], ...]:
        """For an ordering question: each letter, as printed, with the number the
        student should write in its box (1 for the first)."""
        place = {letter: n for n, letter in enumerate(self.key, start=1)}
        return tuple((c.letter, place[c.letter]) for c in self.choices)


@dataclass(frozen=True)
class PaperTest:
    questions: tuple[PaperQuestion, ...]
    #: Flashcards are studied, not tested: they are left out.
    flashcards_left_out: int


def printed_order(key: str, kind: ItemKind, n: int) -> list[int]:
    """The order in which a question's n choices (as stored) are printed.

    It depends on the question's key only, through SHA-256 rather than `random` (whose
    shuffles Python does not promise to keep across versions), so every printing letters
    the choices alike and a key printed last year still fits. True/false keeps "True"
    before "False", as in a quiz. An ordering question is never printed in its right
    order, which would give it away: it is turned by one place instead."""
    if kind == ItemKind.TRUE_FALSE:
        return list(range(n))
    order = sorted(range(n), key=lambda i: hashlib.sha256(f"{key}\0{i}".encode()).digest())
    if kind == ItemKind.ORDERING and n > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


def paper_test(items: Sequence[ItemSpec]) -> PaperTest:
    """The set's quiz questions (in the order given) as a paper test."""
    questions = []
    for item in items:
        if item.kind not in QUIZ_KINDS:
            continue
        order = printed_order(item.key, item.kind, len(item.choices))
        letter_of = {index: LETTERS[place] for place, index in enumerate(order)}
        if item.kind == ItemKind.ORDERING:
            key = tuple(letter_of[index] for index in range(len(item.choices)))
        else:
            key = tuple(letter_of[index] for index in order if item.choices[index].correct)
        questions.append(
            PaperQuestion(
                kind=item.kind,
                prompt=item.prompt,
                choices=tuple(
                    PaperChoice(LETTERS[place], item.choices[index].text)
                    for place, index in enumerate(order)
                ),
                key=key,
            )
        )
    left_out = sum(1 for item in items if item.kind not in QUIZ_KINDS)
    return PaperTest(tuple(questions), left_out)
