"""Forms for teachers' sets and items, and for uploading a file to import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from quiz.bank.pasted import SEPARATORS
from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.inputs import whole_number

KIND_LABELS = {
    ItemKind.SINGLE: "Multiple choice, one right answer",
    ItemKind.MULTIPLE: "Multiple choice, several right answers",
    ItemKind.TRUE_FALSE: "True or false",
    ItemKind.ORDERING: "Put in order",
    ItemKind.FLASHCARD: "Flashcard (front and back)",
}
MAX_CHOICES = 8


class SetForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the set a title."), Length(max=200)]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])


class ChoiceEntry(Form):
    # A row sent with only its "right" box (never by a browser) has no text: "" not None.
    text = StringField("Text", validators=[Length(max=1000)], filters=[lambda value: value or ""])
    correct = BooleanField("Right answer")
    # The stored choice the row showed when the editor opened (empty for a row added):
    # its text may be edited and stay the same choice. Any other number is ignored.
    choice = HiddenField(filters=[lambda value: value or ""])


class ItemForm(FlaskForm):
    kind = SelectField(
        "Kind of question", choices=[(k.value, label) for k, label in KIND_LABELS.items()]
    )
    prompt = TextAreaField(
        "Question (or front of the card)",
        validators=[DataRequired("Write the question."), Length(max=4000)],
        description="You may use *emphasis*, **bold**, `code`, lists and [links](https://…).",
    )
    choices = FieldList(FormField(ChoiceEntry), min_entries=0, max_entries=MAX_CHOICES)
    answer = RadioField(
        "The statement is", choices=[("true", "True"), ("false", "False")], default="true"
    )
    back = TextAreaField("Back of the card", validators=[Length(max=4000)])
    explanation = TextAreaField(
        "Explanation", validators=[Length(max=4000)], description="Shown with the answer."
    )
    source = StringField("Source", validators=[Length(max=500)])

    def mark_right_row(self, place: str | None) -> None:
        """A one-right-answer question's rows share one radio, "right", whose value is the
        place of the row chosen: it marks that row right and the others wrong, whatever
        the kind becomes. Nothing when the radios were not on the page."""
        if place is None:
            return
        chosen = whole_number(place, max_digits=2)
        for number, entry in enumerate(self.choices):
            entry.form.correct.data = number == chosen

    def typed_choices(self) -> int:
        """How many rows hold text: what a kind without choices keeps out of sight."""
        return sum(1 for e in self.choices if (e.form.text.data or "").strip())

    def right_rows(self) -> list[int]:
        """The places of the rows marked right. A one-right-answer question shows one
        chosen only when there is one: from several (a question that had several right
        answers), the teacher chooses, rather than the page guessing."""
        return [n for n, e in enumerate(self.choices) if e.form.correct.data]

    def ensure_choice_rows(self, n: int = 4) -> None:
        while len(self.choices) < n:
            self.choices.append_entry()

    def row_ids(self) -> tuple[int | None, ...]:
        """For each choice of to_spec's, the stored choice its row showed (or None)."""
        if ItemKind(self.kind.data) not in (ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.ORDERING):
            return ()
        return tuple(
            whole_number(e.form.choice.data, max_digits=12)
            for e in self.choices
            if e.form.text.data.strip()
        )

    def to_spec(self, key: str) -> ItemSpec:
        kind = ItemKind(self.kind.data)
        choices: tuple[ChoiceSpec, ...] = ()
        if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
            choices = tuple(
                ChoiceSpec(e.form.text.data.strip(), bool(e.form.correct.data))
                for e in self.choices
                if e.form.text.data.strip()
            )
        elif kind is ItemKind.ORDERING:
            choices = tuple(
                ChoiceSpec(e.form.text.data.strip(), True)
                for e in self.choices
                if e.form.text.data.strip()
            )
        elif kind is ItemKind.TRUE_FALSE:
            right = self.answer.data == "true"
            choices = (ChoiceSpec("True", right), ChoiceSpec("False", not right))
        return ItemSpec(
            key=key,
            kind=kind,
            prompt=self.prompt.data.strip(),
            choices=choices,
            explanation=(self.explanation.data or "").strip(),
            source=(self.source.data or "").strip(),
            back=(self.back.data or "").strip() if kind is ItemKind.FLASHCARD else "",
        )


IMPORT_FORMATS = [
    ("auto", "Tell from the file name"),
    ("gift", "Moodle GIFT (.gift, .txt)"),
    ("aiken", "Aiken (.txt)"),
    ("csv", "CSV or TSV with a header (.csv, .tsv)"),
    ("yaml", "Quiz·cards YAML (.yaml)"),
]


class ImportForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to import.")])
    format = SelectField("Format", choices=IMPORT_FORMATS, default="auto")
    target = SelectField("Import into", choices=[], validate_choice=True)
    title = StringField(
        "Title of the new set",
        validators=[Optional(), Length(max=200)],
        description="For a new set only. Leave empty to take it from the file.",
    )


class PasteForm(FlaskForm):
    """Flashcards pasted as text (quiz.bank.pasted), beside the file import."""

    cards = TextAreaField(
        "Flashcards, one a line",
        validators=[
            DataRequired("Paste at least one card: a term, the separator, then its definition."),
            # A request may hold 2 MB, and a letter outside ASCII takes 6 bytes of a form
            # (%D0%9A): this many characters always fit.
            Length(max=300_000, message="That is too much text at once: paste it in parts."),
        ],
        render_kw={"rows": 8, "spellcheck": "false"},
    )
    separator = SelectField(
        "Between a term and its definition",
        choices=[(name, s.label) for name, s in SEPARATORS.items()],
        default="tab",
    )
    target = SelectField("Add them to", choices=[], validate_choice=True)
    title = StringField(
        "Title of the new set",
        validators=[Optional(), Length(max=200)],
        description="For a new set only. Leave empty for “Pasted flashcards”.",
    )


def guess_format(filename: str, text_start: str = "") -> str | None:
    name = filename.lower()
    if name.endswith((".gift", ".gift.txt")):
        return "gift"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".txt"):
        # Aiken files have "ANSWER:" lines; GIFT files have braces.
        return "aiken" if "ANSWER:" in text_start and "{" not in text_start else "gift"
    return None
