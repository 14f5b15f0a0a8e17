"""Factories for users, decks and attempts used across the tests."""

from __future__ import annotations

import itertools

from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec
from quiz.models import Role, User
from quiz.services.accounts import create_user
from quiz.services.decks import load_builtin_decks

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(role: str = Role.STUDENT, email: str | None = None) -> User:
    email = email or f"user{next(_counter)}@example.com"
    return create_user(email, PASSWORD, role)


def user_row(email: str) -> dict[str, str]:
    """A student's users row written straight to the table, past the accounts service
    (for tests of what happens to writes that bypass a unit of work)."""
    return {"email": email, "display_name": "X", "password_hash": "x", "role": Role.STUDENT}


def single(key: str, prompt: str, right: str, *wrong: str, explanation: str = "") -> ItemSpec:
    choices = (ChoiceSpec(right, True), *(ChoiceSpec(w) for w in wrong))
    return ItemSpec(
        key=key,
        kind=ItemKind.SINGLE,
        prompt=prompt,
        choices=choices,
        explanation=explanation or f"Because {right}.",
        source="Test section, paragraph 1",
    )


def sample_deck(slug: str = "capitals", n: int = 3) -> DeckSpec:
    capitals = [
        ("France", "Paris", "Lyon", "Nice", "Lille"),
        ("Italy", "Rome", "Milan", "Turin", "Naples"),
        ("Spain", "Madrid", "Seville", "Bilbao", "Valencia"),
        ("Poland", "Warsaw", "Krakow", "Gdansk", "Lodz"),
        ("Ukraine", "Kyiv", "Lviv", "Odesa", "Kharkiv"),
    ]
    items = tuple(
        single(f"capital-{country.lower()}", f"What is the capital of {country}?", *cities)
        for country, *cities in capitals[:n]
    )
    return DeckSpec(slug=slug, title=slug.title(), description=f"The {slug} deck.", items=items)


def ordering(key: str, prompt: str, *in_order: str) -> ItemSpec:
    return ItemSpec(
        key=key,
        kind=ItemKind.ORDERING,
        prompt=prompt,
        choices=tuple(ChoiceSpec(t, True) for t in in_order),
        explanation="In time order.",
        source="Test section, paragraph 2",
    )


def load_sample_deck(slug: str = "capitals", n: int = 3, extra: tuple[ItemSpec, ...] = ()):
    spec = sample_deck(slug, n)
    spec = DeckSpec(spec.slug, spec.title, spec.description, spec.items + extra)
    load_builtin_decks([spec])
    from quiz.services.decks import get_published_deck

    return get_published_deck(slug)
