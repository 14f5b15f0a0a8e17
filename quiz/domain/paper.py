"""A question set as a paper test: the questions in the set's order, each one's choices
lettered in a shuffled order that is the same at every printing, and the answer key."""

from __future__ import annotations

import random
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
    number: int
    kind: ItemKind
    prompt: str
    choices: tuple[PaperChoice, ...]
    #: The right choices' letters; for an ordering question, every letter in the right
    #: order.
    key: tuple[str, ...]
    explanation: str = ""

    @property
    def key_texts(self) -> tuple[str, ...]:
        by_letter = {c.letter: c.text for c in self.choices}
        return tuple(by_letter[letter] for letter in self.key)


@dataclass(frozen=True)
class PaperTest:
    questions: tuple[PaperQuestion, ...]
    #: Flashcards are studied, not tested: they are left out.
    flashcards_left_out: int


def paper_test(items: Sequence[ItemSpec]) -> PaperTest:
    """The set's quiz questions (in the order given) as a paper test.

    Choices are shuffled with the question's key as the seed, so every printing of the
    set letters them alike and a key printed last week still fits. True/false keeps
    "True" before "False", as in a quiz. An ordering question is never printed in its
    right order, which would give it away; the quiz draws its order anew for each
    learner instead, so it does not have to care."""
    questions = []
    for item in items:
        if item.kind not in QUIZ_KINDS:
            continue
        order = list(range(len(item.choices)))
        if item.kind != ItemKind.TRUE_FALSE:
            rng = random.Random(f"paper:{item.key}")
            rng.shuffle(order)
            if item.kind == ItemKind.ORDERING and len(order) > 1:
                while order == sorted(order):
                    rng.shuffle(order)
        letter_of = {index: LETTERS[place] for place, index in enumerate(order)}
        if item.kind == ItemKind.ORDERING:
            key = tuple(letter_of[index] for index in range(len(item.choices)))
        else:
            key = tuple(letter_of[index] for index in order if item.choices[index].correct)
        questions.append(
            PaperQuestion(
                number=len(questions) + 1,
                kind=item.kind,
                prompt=item.prompt,
                choices=tuple(
                    PaperChoice(LETTERS[place], item.choices[index].text)
                    for place, index in enumerate(order)
                ),
                key=key,
                explanation=item.explanation,
            )
        )
    left_out = sum(1 for item in items if item.kind not in QUIZ_KINDS)
    return PaperTest(tuple(questions), left_out)
