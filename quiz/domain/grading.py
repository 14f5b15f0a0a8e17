"""Grading one response and scoring a quiz attempt."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from quiz.domain.items import ItemKind


@dataclass(frozen=True)
class ChoiceKey:
    """What grading needs to know about a choice; never sent to the browser."""

    id: int
    correct: bool
    position: int


class InvalidAnswer(ValueError):
    """The submitted answer does not fit the question (tampered with, or incomplete)."""


def check_answer(kind: str, choices: Sequence[ChoiceKey], chosen: Sequence[int]) -> None:
    """Raise InvalidAnswer unless ``chosen`` is a well-formed answer to the question."""
    ids = {c.id for c in choices}
    if not chosen:
        raise InvalidAnswer("Choose an answer before you go on.")
    if any(c not in ids for c in chosen):
        raise InvalidAnswer("That answer is not one of this question's choices.")
    if len(set(chosen)) != len(chosen) and kind != ItemKind.ORDERING:
        raise InvalidAnswer("The same choice was sent twice.")
    if kind in (ItemKind.SINGLE, ItemKind.TRUE_FALSE) and len(chosen) != 1:
        raise InvalidAnswer("Choose exactly one answer.")
    if kind == ItemKind.ORDERING and sorted(chosen) != sorted(ids):
        raise InvalidAnswer("Give every entry its own place in the order (each place once).")


def grade(kind: str, choices: Sequence[ChoiceKey], chosen: Sequence[int]) -> bool:
    """Is a well-formed answer right? Multiple-answer items are all or nothing."""
    check_answer(kind, choices, chosen)
    if kind == ItemKind.ORDERING:
        return list(chosen) == [c.id for c in sorted(choices, key=lambda c: c.position)]
    return set(chosen) == {c.id for c in choices if c.correct}


def score_fraction(correct: int, total: int) -> float:
    return correct / total if total else 0.0


def settle(value: float) -> float:
    """A score or share computed in floating point, rid of the error in its last bits.

    Scores are ratios of small whole numbers, so nine decimals hold them exactly enough,
    and a score that is exactly on a boundary compares as such: 23/40 × 100 is
    57.49999999999999 in floating point, and the average of 0, 0 and 3/5 comes out of the
    database as 0.19999999999999998.
    """
    return round(value, 9)


def percent(fraction: float) -> int:
    """A score as a whole percentage, rounded half up (0.125 → 13, 23/40 → 58)."""
    return math.floor(settle(fraction * 100) + 0.5)


def percent_tenths(fraction: float) -> float:
    """A score as a percentage with one decimal, rounded half up (1/16 → 6.3), as the
    gradebook's CSV gives it: the same rule as `percent`, one place further."""
    return math.floor(settle(fraction * 1000) + 0.5) / 10


def plan_attempt(
    item_choices: Sequence[tuple[int, str, Sequence[int]]],
    length: int | None,
    rng: random.Random,
) -> tuple[list[int], dict[str, list[int]]]:
    """Pick and shuffle the questions and each question's choices for a new attempt.

    ``item_choices`` lists (item id, kind, choice ids in stored order). Returns the item
    order and, per item id (a string: JSON keys), its choice order. True/false keeps
    "True" before "False"; every other kind is shuffled. ``length`` None means all.
    """
    pool = list(item_choices)
    rng.shuffle(pool)
    if length is not None:
        pool = pool[:length]
    order: dict[str, list[int]] = {}
    for item_id, kind, choice_ids in pool:
        shuffled = list(choice_ids)
        if kind != ItemKind.TRUE_FALSE:
            rng.shuffle(shuffled)
        order[str(item_id)] = shuffled
    return [item_id for item_id, _, _ in pool], order


def order_from_places(places: dict[int, int]) -> list[int]:
    """Turn {choice id: place 1..n} from an ordering form into choice ids in order."""
    n = len(places)
    if sorted(places.values()) != list(range(1, n + 1)):
        raise InvalidAnswer("Give every entry its own place in the order (each place once).")
    return [cid for cid, _ in sorted(places.items(), key=lambda kv: kv[1])]
