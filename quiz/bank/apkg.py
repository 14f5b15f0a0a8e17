"""Export a deck as an Anki package (.apkg) whose notes update in place when imported again."""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import sqlite3
import tempfile
import time
import zipfile
from typing import IO

import genanki

from quiz.domain.items import DeckSpec, ItemKind, ItemSpec, fixed_shuffle
from quiz.markup import render_inline, render_markdown

#: Changing the name changes the note type's id: Anki would then see every note as new.
MODEL_NAME = "Quiz service question (front and back)"
_CSS = """\
.card { font-family: sans-serif; font-size: 20px; color: black; background: white; }
.explanation { margin-top: 1em; }
.source { margin-top: 1em; font-size: 14px; color: #555; }
"""


def stable_id(name: str) -> int:
    """An Anki id from a name, in the range genanki recommends, the same on every export."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


MODEL = genanki.Model(
    stable_id(MODEL_NAME),
    MODEL_NAME,
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}',
        }
    ],
    css=_CSS,
)


def _html(text: str) -> str:
    """Plain text (a source, the deck's description), as the app shows it."""
    return html.escape(text).replace("\n", "<br>")


def _md(text: str) -> str:
    """Teacher text the app renders as Markdown (a prompt, a card's back, an
    explanation): the same safe HTML in Anki."""
    return str(render_markdown(text))


def _md_inline(text: str) -> str:
    """A choice or an entry: Markdown without a paragraph around it."""
    return str(render_inline(text))


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def front_html(item: ItemSpec) -> str:
    """The question side: the prompt, and what to choose from."""
    parts = [_md(item.prompt)]
    if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        if item.kind is ItemKind.MULTIPLE:
            parts.append("<p><i>Choose every right answer.</i></p>")
        parts.append(
            '<ol type="A">'
            + "".join(f"<li>{_md_inline(choice.text)}</li>" for choice in item.choices)
            + "</ol>"
        )
    elif item.kind is ItemKind.TRUE_FALSE:
        parts.append("<p><i>True or false?</i></p>")
    elif item.kind is ItemKind.ORDERING:
        parts.append("<p><i>Put these in order:</i></p>")
        scrambled = fixed_shuffle(item.key, [choice.text for choice in item.choices])
        entries = "".join(f"<li>{_md_inline(text)}</li>" for text in scrambled)
        parts.append(f"<ul>{entries}</ul>")
    return "".join(parts)


def back_html(item: ItemSpec) -> str:
    """The answer side: the right answer(s), then the explanation and the source."""
    if item.kind is ItemKind.FLASHCARD:
        parts = [_md(item.back)]
    elif item.kind is ItemKind.ORDERING:
        parts = ["<ol>" + "".join(f"<li>{_md_inline(c.text)}</li>" for c in item.choices) + "</ol>"]
    elif item.kind is ItemKind.TRUE_FALSE:
        right = next(choice.text for choice in item.choices if choice.correct)
        parts = [f"<p><b>{_html(right)}</b></p>"]
    else:
        parts = [
            f"<p><b>{_letter(index)}. {_md_inline(choice.text)}</b></p>"
            for index, choice in enumerate(item.choices)
            if choice.correct
        ]
    if item.explanation:
        parts.append(f'<div class="explanation">{_md(item.explanation)}</div>')
    if item.source:
        parts.append(f'<div class="source">Source: {_html(item.source)}</div>')
    return "".join(parts)


def anki_deck(deck: DeckSpec) -> genanki.Deck:
    """The deck as genanki objects: ids and guids depend only on the deck slug and item keys."""
    result = genanki.Deck(
        stable_id(f"quiz deck {deck.slug}"), deck.title, description=_html(deck.description)
    )
    for item in deck.items:
        result.add_note(
            genanki.Note(
                model=MODEL,
                fields=[front_html(item), back_html(item)],
                # Anki matches an imported note to the one it has by guid: same key, same note.
                guid=genanki.guid_for(deck.slug, item.key),
                tags=[deck.slug, item.kind.value],
            )
        )
    return result


def write_apkg(
    deck: DeckSpec,
    path_or_file: str | os.PathLike[str] | IO[bytes],
    *,
    timestamp: float | None = None,
) -> None:
    """Write ``deck`` as an .apkg file (a path, or a binary file opened for writing).

    ``timestamp`` defaults to now, and should: Anki replaces a note it already has only
    when the imported one was modified later, so a fixed time would stop updates.
    """
    now = time.time() if timestamp is None else timestamp
    package = genanki.Package(anki_deck(deck))
    # genanki's own write_to_file leaves its temporary database behind in /tmp, so the
    # collection is built here in a directory that is removed afterwards.
    with tempfile.TemporaryDirectory() as directory:
        database = os.path.join(directory, "collection.anki2")
        connection = sqlite3.connect(database)
        try:
            package.write_to_db(connection.cursor(), now, itertools.count(int(now * 1000)))
            connection.commit()
        finally:
            connection.close()
        with zipfile.ZipFile(path_or_file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
            archive.writestr("media", "{}")
