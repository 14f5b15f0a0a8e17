"""Text as a person pastes or types it into a box."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def typed_lines(text: str) -> list[str]:
    """The lines of a pasted text as the person sees them, to be named by number: split
    at line breaks only (not at the form feeds and separators that str.splitlines()
    also takes), a byte-order mark (a spreadsheet's export may start with one) dropped."""
    return _LINE_BREAKS.split(text.replace("\ufeff", ""))
