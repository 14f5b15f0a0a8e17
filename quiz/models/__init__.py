"""The tables, split by concern; importing this module registers them all."""

from quiz.models.accounts import Role, User
from quiz.models.attempts import Attempt, Response
from quiz.models.base import Base, utcnow
from quiz.models.content import Choice, Deck, DeckStatus, Item

__all__ = [
    "Attempt",
    "Base",
    "Choice",
    "Deck",
    "DeckStatus",
    "Item",
    "Response",
    "Role",
    "User",
    "utcnow",
]
