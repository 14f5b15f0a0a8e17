"""Forms for starting a quiz and answering its questions."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from quiz.domain.grading import InvalidAnswer, order_from_places
from quiz.domain.items import ItemKind
from quiz.inputs import whole_number
from quiz.services.quizzes import QUIZ_LENGTHS
from quiz.services.reports import MAX_COMMENT, REASON_LABELS


class ReportForm(FlaskForm):
    reason = RadioField(
        "What is wrong?",
        choices=[(reason.value, label) for reason, label in REASON_LABELS.items()],
        validators=[DataRequired("Choose what is wrong with the question.")],
    )
    comment = TextAreaField(
        "Say more",
        validators=[Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT} characters.")],
        description="Optional, unless you chose “Something else”. What would be right, "
        "and where you read it, helps most.",
    )
    next = HiddenField()


class StartQuizForm(FlaskForm):
    length = SelectField("Questions", choices=[], validate_choice=True)
    check_answers = BooleanField(
        "Check each answer as I go",
        description="See right away whether each answer is right, and why. Your first "
        "answer to each question is final. Practice: such a quiz does not count for "
        "assignments.",
    )

    def set_lengths(self, available: int, asked: Sequence[int] = ()) -> None:
        """The lengths a quiz can have. `asked` holds, for each of the learner's
        assignments of the deck, how many questions a quiz needs to count for it: a
        length that counts for none of them is marked as practice, and the shortest that
        counts for all of them is chosen first."""
        lengths = [n for n in QUIZ_LENGTHS if n < available]
        practice_below = min(asked, default=0)
        options = [
            (str(n), f"{n} questions" + (" (practice only)" if n < practice_below else ""))
            for n in lengths
        ]
        options.append(("all", f"All {available} questions"))
        self.length.choices = options
        if self.length.data is None:
            counting = [n for n in lengths if n >= max(asked, default=0)]
            self.length.data = str(counting[0]) if counting else "all"

    @property
    def chosen_length(self) -> int | None:
        return None if self.length.data == "all" else int(self.length.data)


class AnswerForm(FlaskForm):
    """CSRF only: the answer fields depend on the question and are read by parse_answer."""


def shown_token(choice_ids: Sequence[int]) -> str:
    """What the question page sends back with an answer to say which choices, in which
    order, it showed: a keyed digest, as the ids themselves would give an ordering
    question's answer away."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    message = ",".join(map(str, choice_ids)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def parse_answer(kind: str, form: MultiDict, choice_ids: Sequence[int]) -> list[int]:
    """The choice ids a learner sent for a question, in order for ordering items.

    The page names each choice by its place in the order it shows them (1, 2, …), and
    `choice_ids` is that order: database ids would give the answer away (see
    learn/question.html). If the question's choices changed since the page was read (a
    teacher's edit), the places name other choices: the answer is refused."""
    sent = form.get("shown")
    expected = shown_token(choice_ids).encode()
    # A page read before this check existed (an upgrade in the middle of a quiz) sends
    # none: its answer is read as before, rather than refused.
    if sent is not None and not hmac.compare_digest(sent.encode("utf-8", "replace"), expected):
        raise InvalidAnswer(
            "The choices of this question changed while you were answering it: read them "
            "again and answer."
        )
    if kind == ItemKind.ORDERING:
        places: dict[int, int] = {}
        for shown, cid in enumerate(choice_ids, start=1):
            place = whole_number(form.get(f"place-{shown}"), max_digits=3)
            if place is None:
                raise InvalidAnswer("Give every entry a place in the order.")
            places[cid] = place
        return order_from_places(places)
    chosen = []
    for raw in form.getlist("choice"):
        shown = whole_number(raw, max_digits=3)
        if shown is None or not 1 <= shown <= len(choice_ids):
            raise InvalidAnswer("That answer is not one of this question's choices.")
        chosen.append(choice_ids[shown - 1])
    return chosen
