"""A list of students as a teacher pastes it, one a line, into accounts to create: the
lines as they are written, before any address is checked against the accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

#: The most students one list may create: each account's password is hashed on purpose
#: slowly, and a class is rarely larger.
MAX_STUDENTS = 100

# Fields as a spreadsheet pastes them (tabs), or as typed (commas, semicolons).
_FIELDS = re.compile(r"[\t,;]")
# "Olena Shevchenko <olena@school.example>", as a mail program copies an address.
_NAME_ADDRESS = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]*)>\s*$")
_HEADER_WORDS = {
    *("name", "names", "student", "full name", "first name", "last name", "surname"),
    *("given name", "family name", "email", "e-mail", "email address", "address"),
}


class Problem(NamedTuple):
    line: int  # its line's number, or 0 for the whole list (which sorts first)
    message: str  # names the line


@dataclass(frozen=True)
class RosterLine:
    number: int  # the line's number in the text, from 1
    name: str  # as written, spaces tidied; may be empty
    email: str  # as written, not yet checked


def parse_roster(text: str) -> tuple[list[RosterLine], list[Problem]]:
    """The students of a pasted list, each line a name and an email address in any order
    ("Olena Shevchenko, olena@school.example", a spreadsheet's columns, or an address
    alone), and the problems of the lines that are not. Blank lines are skipped, and so is
    a first line of column headings ("Name, Email")."""
    students: list[RosterLine] = []
    problems: list[Problem] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = [" ".join(f.split()) for f in _FIELDS.split(line)]
        fields = [f for f in fields if f]
        if number == _first_filled(lines) and _is_header(fields):
            continue
        named = [_NAME_ADDRESS.match(f) for f in fields]
        addresses = [m["address"].strip() if m else f for f, m in zip(fields, named, strict=True)]
        with_at = [i for i, a in enumerate(addresses) if "@" in a]
        if not with_at:
            problems.append(Problem(number, f"Line {number} has no email address: {_shown(line)}"))
            continue
        if len(with_at) > 1:
            problems.append(
                Problem(
                    number,
                    f"Line {number} has more than one email address: put one student on a line.",
                )
            )
            continue
        (at,) = with_at
        rest = [f for i, f in enumerate(fields) if i != at]
        if named[at] and named[at]["name"].strip():
            rest.insert(0, named[at]["name"].strip())
        students.append(RosterLine(number, " ".join(" ".join(rest).split()), addresses[at]))
    if len(students) > MAX_STUDENTS:
        problems.append(
            Problem(
                0,
                f"Add at most {MAX_STUDENTS} students at a time: this list has "
                f"{len(students)}. Split it in two.",
            )
        )
    return students, problems


def _first_filled(lines: list[str]) -> int:
    return next((n for n, line in enumerate(lines, start=1) if line.strip()), 0)


def _is_header(fields: list[str]) -> bool:
    return bool(fields) and all(f.casefold() in _HEADER_WORDS for f in fields)


def _shown(line: str) -> str:
    """A line quoted in a message, cut short if it is long."""
    line = " ".join(line.split())
    return f"“{line[:60]}…”" if len(line) > 60 else f"“{line}”"
