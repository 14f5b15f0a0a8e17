"""Grading one response and scoring a quiz attempt."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

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


def regrade(
    kind: str, choices: Sequence[ChoiceKey], shown: Sequence[int], chosen: Sequence[int]
) -> bool | None:
    """An earlier answer marked again against the question's current key, or None when it
    cannot be, as the learner answered another question: a choice was added since, which
    they never saw; one they picked is gone; or, for ordering, any entry changed. A
    choice they did not pick may have been removed: what they chose still stands.
    `shown` is the choice ids their quiz showed them."""
    current = {c.id for c in choices}
    seen = set(shown)
    if kind == ItemKind.ORDERING:
        if seen != current:
            return None
    elif not current <= seen or not set(chosen) <= current:
        return None
    try:
        return grade(kind, choices, chosen)
    except InvalidAnswer:
        return None


_NOT_WORDS = re.compile(r"[^\w]+")
#: A typo fixed inside a word this long (one letter changed, or two swapped) keeps the
#: choice; shorter words are too easily another word ("Mali", "Niger").
_TYPO_WORD = 6


def _same_choice(before: str, after: str) -> bool:
    """Whether an edited text is still the answer it was, so that learners who picked it
    still did: only its case, punctuation or spacing changed, or one typo was fixed
    inside a long word (one letter changed, or two neighbours swapped; never the first
    letter, a letter added or removed, or a digit). Anything more may be another answer
    ("accepted" and "rejected", "legal" and "illegal", "1994" and "1991"), which
    learners did not pick: it is a new choice."""
    words_before = [w for w in _NOT_WORDS.split(before.casefold()) if w]
    words_after = [w for w in _NOT_WORDS.split(after.casefold()) if w]
    if len(words_before) != len(words_after):
        return False
    changed = [(a, b) for a, b in zip(words_before, words_after, strict=True) if a != b]
    if not changed:
        return True
    if len(changed) > 1:
        return False
    ((a, b),) = changed
    if len(a) != len(b) or len(a) < _TYPO_WORD or a[0] != b[0]:
        return False
    if any(ch.isdigit() for ch in a + b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and (a[diff[1]] == b[diff[0]])
    )


def continued_choices(
    old: Mapping[int, tuple[str, bool]], new: Sequence[tuple[str, bool, int | None]]
) -> list[int | None]:
    """Which stored choice each choice of an edited question continues, so that learners'
    answers keep pointing at what they picked. `old` is the stored choices (id -> (text,
    right)); `new` the edited ones, each as (text, right, id of the stored choice its row
    showed, or None). A text kept exactly keeps its choice, wherever it moved and however
    it is ticked (a key fixed by moving the tick, an order changed); otherwise a row keeps
    its choice when its text is still the same answer (a typo fixed, see _same_choice)
    and its tick did not change: an edited text ticked differently is another answer.
    Everything else is a new choice (None)."""
    by_text: dict[str, int] = {}
    for cid, (text, _) in old.items():
        by_text.setdefault(text, cid)
    result: list[int | None] = []
    taken: set[int] = set()
    for text, _, _ in new:
        cid = by_text.get(text)
        if cid is not None and cid not in taken:
            taken.add(cid)
            result.append(cid)
        else:
            result.append(None)
    for index, (text, right, row_id) in enumerate(new):
        if result[index] is not None or row_id is None or row_id in taken or row_id not in old:
            continue
        old_text, old_right = old[row_id]
        if old_right == right and _same_choice(old_text, text):
            taken.add(row_id)
            result[index] = row_id
    return result


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


@lru_cache(maxsize=4096)
def percent(fraction: float) -> int:
    """A score as a whole percentage, rounded half up (0.125 → 13, 23/40 → 58).

    Remembered: a gradebook page shows three percentages in each of its thousand cells,
    and scores are few distinct fractions (k of n questions), so nearly every call is a
    look-up instead of a rounding to nine places."""
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
