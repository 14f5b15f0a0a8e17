"""Flashcards pasted as text, one a line: a term, a separator, then its definition, as
Quizlet and spreadsheets copy them (a tab), or as typed (a comma, a semicolon, a dash).

Each line is split at its first separator, so a definition may hold more of them ("1991,
after the referendum, by 90%"). A card's key is made from its term, so pasting the same
list again updates the cards instead of adding them twice. A paste says nothing of a
card's explanation or source: importing over cards that have them keeps them.
"""

from __future__ import annotations

from typing import NamedTuple

from quiz.bank.deck_yaml import BankError
from quiz.bank.formats import MAX_ITEMS_PER_FILE, ImportResult, KeyAllocator, finish, hashed_key
from quiz.domain.items import ItemKind, ItemSpec
from quiz.domain.text import typed_lines


class Separator(NamedTuple):
    text: str
    label: str  # as the form offers it
    missing: str  # as a line without it is told


#: The separators a teacher chooses from, by name.
SEPARATORS = {
    "tab": Separator("\t", "A tab", "no tab"),
    "comma": Separator(",", "A comma", "no comma"),
    "semicolon": Separator(";", "A semicolon", "no semicolon"),
    "dash": Separator(" - ", "A dash with a space each side", "no “ - ” (a dash with spaces)"),
}
SOURCE = "the pasted text"
_HEADINGS = {("term", "definition"), ("front", "back"), ("question", "answer")}


def parse_pasted_cards(text: str, separator: str) -> ImportResult:
    """The flashcards of a pasted text, or every line's problem (never both)."""
    if separator not in SEPARATORS:
        names = ", ".join(SEPARATORS)
        problem = f"unknown separator {separator!r}: choose one of {names}"
        return ImportResult(items=(), errors=(BankError(SOURCE, None, problem),))
    mark = SEPARATORS[separator]
    keys = KeyAllocator()
    items: list[ItemSpec] = []
    lines: list[int] = []
    errors: list[BankError] = []
    first = True
    terms: dict[str, int] = {}  # a term, as compared, -> the line it is on
    for number, line in enumerate(typed_lines(text), start=1):
        if not line.strip():
            continue
        term, found, definition = line.partition(mark.text)
        term, definition = " ".join(term.split()), " ".join(definition.split())
        if first and found and (term.casefold(), definition.casefold()) in _HEADINGS:
            first = False
            continue  # a header row, as a spreadsheet's columns have
        first = False
        if not found:
            errors.append(
                BankError(SOURCE, number, f"{mark.missing} between the term and its definition")
            )
        elif not term:
            errors.append(BankError(SOURCE, number, "the term is empty"))
        elif not definition:
            errors.append(BankError(SOURCE, number, "the definition is empty"))
        elif term.casefold() in terms:
            # Two cards with one term would take their keys by their order, and a paste
            # in another order would swap their backs (and the learners' histories).
            errors.append(
                BankError(
                    SOURCE,
                    number,
                    f"the term “{term}” is on line {terms[term.casefold()]} already: give "
                    "each card a term of its own",
                )
            )
        else:
            terms[term.casefold()] = number
            items.append(ItemSpec(_key(term, keys), ItemKind.FLASHCARD, term, back=definition))
            lines.append(number)
    if errors:
        return ImportResult(items=(), errors=tuple(errors))
    if not items:
        problem = "paste one card a line: a term, the separator, then its definition"
        return ImportResult(items=(), errors=(BankError(SOURCE, None, problem),))
    if len(items) > MAX_ITEMS_PER_FILE:
        problem = (
            f"the text holds {len(items):,} cards, and one paste may hold at most "
            f"{MAX_ITEMS_PER_FILE:,}: paste them in parts"
        )
        return ImportResult(items=(), errors=(BankError(SOURCE, None, problem),))
    return finish(SOURCE, items, lines, unsaid=frozenset({"explanation", "source"}))


def _key(term: str, keys: KeyAllocator) -> str:
    """A pasted card's key, from its term: "card-…", never the key of a question of
    another kind made from the same words (an untitled GIFT, Aiken or CSV question's
    "q-…"), so that a paste into a set never turns one of its questions into a card."""
    return keys.unique("card-" + hashed_key(term).removeprefix("q-"))
