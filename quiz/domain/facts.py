"""Typed facts (events, positions, quotes) that the deck builder turns into items."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum
from functools import total_ordering
from typing import TypeAlias

#: The parties a position can belong to, in the order they are offered as choices.
PARTIES: tuple[str, ...] = ("Russia", "Ukraine", "The United States", "European leaders")

_PLURAL_PARTIES = frozenset({"European leaders"})
_DATE_PATTERN = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")


def party_slug(party: str) -> str:
    """``"The United States"`` → ``"the-united-states"``: for item keys."""
    return re.sub(r"[^a-z0-9]+", "-", party.lower()).strip("-")


def party_in_sentence(party: str) -> str:
    """The party's name as it reads mid-sentence ("the United States")."""
    return "the" + party[3:] if party.startswith("The ") else party


def party_is_plural(party: str) -> bool:
    """Whether the party takes a plural verb ("European leaders want")."""
    return party in _PLURAL_PARTIES


def join_names(names: list[str] | tuple[str, ...]) -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class DatePrecision(IntEnum):
    YEAR = 1
    MONTH = 2
    DAY = 3


@total_ordering
@dataclass(frozen=True)
class FactDate:
    """A calendar date known to the year, the month or the day.

    Dates sort by the first day they could mean, so "2014" sorts before "2014-03".
    Two dates of different precision may overlap ("2014" contains "March 2014");
    :meth:`overlaps` says so, and the builder never puts overlapping dates side by side
    where one could be mistaken for the other.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a date with a day needs a month")
        # Let datetime do the calendar arithmetic (month range, leap years).
        dt.date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, text: str) -> FactDate:
        """Parse ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``; ValueError says what is wrong."""
        match = _DATE_PATTERN.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(match["year"])
        month = int(match["month"]) if match["month"] else None
        day = int(match["day"]) if match["day"] else None
        if year < 1:
            raise ValueError(f"{text!r} is not a valid date: there is no year 0")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a valid date: month {month} does not exist")
        if month is not None and day is not None:
            last_day = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last_day:
                raise ValueError(
                    f"{text!r} is not a valid date: {calendar.month_name[month]} {year} "
                    f"has {last_day} days"
                )
        return cls(year, month, day)

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return self.first_day

    def overlaps(self, other: FactDate) -> bool:
        """Whether the two dates could mean the same day ("2014" and "2014-03" do)."""
        return self.first_day <= other.last_day and other.first_day <= self.last_day

    def isoformat(self) -> str:
        """The form used in deck files: ``"2014"``, ``"2014-03"``, ``"2014-03-18"``."""
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def format(self) -> str:
        """The form shown to learners: ``"1991"``, ``"March 2025"``, ``"16 July 2018"``."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def preposition(self) -> str:
        """``"in"`` for a year or a month, ``"on"`` for a day."""
        return "on" if self.day is not None else "in"

    def _sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FactDate):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class EventFact:
    """Something that happened at a date."""

    key: str
    when: FactDate
    what: str
    ask: str
    explanation: str
    source: str
    line: int = 0


@dataclass(frozen=True)
class PositionFact:
    """A demand or stance held by ``party`` (and by the parties in ``also``).

    ``unsettled`` are parties whose view of it the source does not settle (it says
    nothing, or "to a degree"): questions count them neither as holding it nor as not
    holding it, so they are never offered as a right or a wrong answer about it.

    ``according_to`` names who says the party wants it ("experts"), when the party did
    not say so itself: the questions then ask what the party wants according to them,
    and never present it as one of the party's own demands.
    """

    key: str
    party: str
    also: tuple[str, ...]
    stance: str
    explanation: str
    source: str
    line: int = 0
    unsettled: tuple[str, ...] = ()
    according_to: str = ""

    @property
    def holders(self) -> tuple[str, ...]:
        return (self.party, *self.also)


@dataclass(frozen=True)
class QuoteFact:
    """Who said what, in what role; ``context`` may be empty."""

    key: str
    speaker: str
    role: str
    quote: str
    context: str
    explanation: str
    source: str
    line: int = 0


Fact: TypeAlias = EventFact | PositionFact | QuoteFact
