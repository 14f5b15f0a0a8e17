"""Reading the numbers and names people send: in forms, query strings and URLs.

`str.isdigit` also accepts digits such as "²" or "٣" that `int()` refuses, and `int()`
accepts numbers far too large for a database column or a date. Both would end a request
in a 500; these helpers turn them into "not a valid number" instead.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from werkzeug.routing import IntegerConverter

#: The largest id a database column holds (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


def whole_number(raw: str | None, max_digits: int = 9) -> int | None:
    """The whole number written in `raw` with ASCII digits only, or None."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= max_digits:
        return int(raw)
    return None


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """The time zones a person may choose ("Europe/Kyiv", shown as written but with
    spaces for underscores), and UTC."""
    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


def is_time_zone(name: str) -> bool:
    """Whether `name` is a time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class IdConverter(IntegerConverter):
    """`<int:...>` in a route, limited to what an id column holds: a larger number in an
    address matches no route (a 404) instead of overflowing the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


def form_error_lines(form) -> list[tuple[str | None, str]]:
    """Each error of a form sent back, as (the id of the element it leads to, the line to
    show), for the summary at the top of the page (base.html): "Label: message". A list
    of rows (the question editor's choices) gives a line per row with an error, leading
    to that row's field; a group of radio buttons leads to its first button; an error of
    the whole form leads nowhere."""
    lines: list[tuple[str | None, str]] = []
    for name, errors in form.errors.items():
        field = form._fields.get(name) if name else None
        if field is None:
            lines += [(None, str(error)) for error in errors]
        else:
            _field_error_lines(field, errors, field.label.text, lines)
    return lines


def _field_error_lines(field, errors, label: str, lines: list) -> None:
    if isinstance(errors, dict):  # a FormField: the errors of its own fields
        for name, sub_errors in errors.items():
            _field_error_lines(field[name], sub_errors, label, lines)
    elif field.type == "FieldList":
        # One entry of errors per row (empty for a good row), then the list's own.
        for number, entry_errors in enumerate(errors, start=1):
            if isinstance(entry_errors, str):
                lines.append((field.id, f"{label}: {entry_errors}"))
            elif entry_errors and number <= len(field.entries):
                entry = field.entries[number - 1]
                _field_error_lines(entry, entry_errors, f"{label}, row {number}", lines)
    else:
        target = f"{field.id}-0" if field.type == "RadioField" else field.id
        lines += [(target, f"{label}: {error}") for error in errors]
