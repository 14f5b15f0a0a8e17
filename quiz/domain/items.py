"""Plain data for question items: what the bank parsers produce and the services store."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache


class ItemKind(StrEnum):
    SINGLE = "single"  # multiple choice, exactly one right answer
    MULTIPLE = "multiple"  # multiple choice, one or more right answers, all must be picked
    TRUE_FALSE = "true_false"  # two choices, "True" and "False"
    ORDERING = "ordering"  # put the choices in order; choices are stored in the right order
    FLASHCARD = "flashcard"  # front (prompt) and back; studied, never graded in a quiz


#: Kinds a quiz can grade. Flashcards are studied, not quizzed.
QUIZ_KINDS = frozenset({ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUE_FALSE, ItemKind.ORDERING})


@dataclass(frozen=True)
class ChoiceSpec:
    text: str
    correct: bool = False


@dataclass(frozen=True)
class ItemSpec:
    """One question as it should be stored.

    For ORDERING items ``choices`` are listed in the right order (``correct`` is True
    for each). For FLASHCARD items ``prompt`` is the front, ``back`` the back and
    ``choices`` is empty.
    """

    key: str
    kind: ItemKind
    prompt: str
    choices: tuple[ChoiceSpec, ...] = ()
    explanation: str = ""
    source: str = ""
    back: str = ""

    @property
    def answer_order(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.choices) if self.kind is ItemKind.ORDERING else ()


@dataclass(frozen=True)
class DeckSpec:
    slug: str
    title: str
    description: str = ""
    items: tuple[ItemSpec, ...] = field(default_factory=tuple)


def fixed_shuffle(key: str, texts: Sequence[str]) -> tuple[str, ...]:
    """The texts in an order that depends only on the item's key (the same on every visit
    and every export), and never the order given, when there are two or more: the
    entries of an ordering item must not give the answer away, nor a list of choices
    its stored order (where the right answer is often first)."""
    return _fixed_shuffle(key, tuple(texts))


# Remembered: seeding a generator from a string costs more than the rest of a card's
# front, and the same cards come back again and again.
@lru_cache(maxsize=4096)
def _fixed_shuffle(key: str, texts: tuple[str, ...]) -> tuple[str, ...]:
    shuffled = list(texts)
    random.Random(key).shuffle(shuffled)
    if len(shuffled) > 1 and shuffled == list(texts):
        shuffled = shuffled[1:] + shuffled[:1]
    return tuple(shuffled)
