"""The tables, split by concern; importing this module registers them all."""

from quiz.models.accounts import LoginSession, Role, User
from quiz.models.attempts import Attempt, Response
from quiz.models.base import Base, utcnow
from quiz.models.classes import Assignment, Enrolment, SchoolClass
from quiz.models.content import Choice, Deck, DeckStatus, Item
from quiz.models.feedback import QuestionReport, ReportReason
from quiz.models.study import Card, ReviewLog, Suspension

__all__ = [
    "Assignment",
    "Attempt",
    "Card",
    "Base",
    "Choice",
    "Deck",
    "DeckStatus",
    "Enrolment",
    "Item",
    "LoginSession",
    "QuestionReport",
    "ReportReason",
    "Response",
    "ReviewLog",
    "Role",
    "SchoolClass",
    "Suspension",
    "User",
    "utcnow",
]
