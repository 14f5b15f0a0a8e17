"""A list of students as a teacher pastes it, one a line, into accounts to create: the
lines as they are written, before any address is checked against the accounts."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import NamedTuple

from quiz.domain.text import typed_lines

#: The most students one list may create: a class is rarely larger, and each account's
#: password is hashed slowly on purpose (60 take a few seconds of one request).
MAX_STUDENTS = 60

# "Olena Shevchenko <olena@school.example>", as a mail program copies an address.
_NAME_ADDRESS = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]*)>\s*$")
_HEADER_WORDS = {
    *("name", "names", "student", "students", "student name", "full name", "first name"),
    *("last name", "surname", "given name", "family name", "email", "e-mail", "mail"),
    *("email address", "e-mail address", "address"),
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
    ("Olena Shevchenko, olena@school.example", a spreadsheet's columns, "Olena Shevchenko
    <olena@school.example>" as a mail program copies it, or an address alone), and the
    problems of the lines that are not. Blank lines are skipped, and so is a first line
    of column headings ("Name, Email")."""
    students: list[RosterLine] = []
    problems: list[Problem] = []
    lines = typed_lines(text)
    first = next((n for n, line in enumerate(lines, start=1) if line.strip()), 0)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = _fields(line)
        if number == first and all(f.casefold() in _HEADER_WORDS for f in fields):
            continue
        names: list[str] = []
        addresses: list[str] = []
        for found in fields:
            named = _NAME_ADDRESS.match(found)
            if named:
                names.append(named["name"])
                addresses.append(named["address"].strip())
                continue
            words = found.split()
            addresses += [w for w in words if "@" in w]
            names += [w for w in words if "@" not in w]
        if not addresses:
            problems.append(Problem(number, f"Line {number} has no email address: {quoted(line)}"))
        elif len(addresses) > 1:
            problems.append(
                Problem(
                    number,
                    f"Line {number} has more than one email address: put one student on a line.",
                )
            )
        else:
            name = " ".join(" ".join(names).replace('"', " ").split())
            students.append(RosterLine(number, name, addresses[0]))
    if len(students) > MAX_STUDENTS:
        problems.append(
            Problem(
                0,
                f"Add at most {MAX_STUDENTS} students at a time: this list has "
                f"{len(students)}. Split it in two.",
            )
        )
    return students, problems


def _fields(line: str) -> list[str]:
    """A line's fields: split at tabs (a spreadsheet's columns), or else at commas, or
    else at semicolons, a field in double quotes read as in a CSV file ("Shevchenko,
    Olena"); a line with none of them is one field."""
    for delimiter in ("\t", ",", ";"):
        if delimiter in line:
            row = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
            return [tidied for field in row if (tidied := " ".join(field.split()))]
    return [" ".join(line.split())]


def quoted(line: str) -> str:
    """A line quoted in a message, cut short if it is long."""
    line = " ".join(line.split())
    return f"“{line[:60]}…”" if len(line) > 60 else f"“{line}”"
