"""Forms for classes: creating one, assigning a deck, joining with a code."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from quiz.domain.gradebook import GradingMethod
from quiz.domain.roster import MAX_STUDENTS
from quiz.services.quizzes import QUIZ_LENGTHS


class ClassForm(FlaskForm):
    name = StringField(
        "Class name", validators=[DataRequired("Give the class a name."), Length(max=120)]
    )


def _sensible_due_date(form, field) -> None:
    # A year such as 1 or 9999 passes the date field but breaks time-zone arithmetic.
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError("Choose a due date between the years 2000 and 2100.")


#: How each grading method is named to teachers, in the form and on the class page.
GRADING_LABELS = {
    GradingMethod.HIGHEST.value: "Highest attempt",
    GradingMethod.LATEST.value: "Latest attempt",
    GradingMethod.FIRST.value: "First attempt",
    GradingMethod.AVERAGE.value: "Average of attempts",
}


class AssignForm(FlaskForm):
    deck = SelectField("Deck", coerce=int, choices=[], validate_choice=True)
    due_at = DateTimeLocalField(
        "Due (optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), _sensible_due_date],
        description="In your time zone.",
    )
    grading_method = SelectField(
        "Grade by",
        choices=list(GRADING_LABELS.items()),
        default=GradingMethod.HIGHEST.value,
    )
    min_questions = SelectField(
        "Quizzes that count",
        choices=[
            ("all", "The whole deck"),
            *(
                (str(n), f"{n}+ questions or the whole deck")
                for n in sorted(QUIZ_LENGTHS, reverse=True)
            ),
            ("0", "Any length"),
        ],
        default="all",
        description="Students choose how many questions a quiz has. Shorter quizzes, and "
        "quizzes that check each answer as it is given, are practice: they do not count "
        "for the gradebook, though they show students the right answers.",
    )

    @property
    def chosen_min_questions(self) -> int | None:
        """What assign_deck takes: None for every question of the deck."""
        return None if self.min_questions.data == "all" else int(self.min_questions.data)


class JoinForm(FlaskForm):
    code = StringField(
        "Class code",
        validators=[DataRequired("Type the code your teacher gave you."), Length(max=32)],
    )


class AddStudentsForm(FlaskForm):
    students = TextAreaField(
        "Students, one a line",
        validators=[
            DataRequired("Write one student a line: their name and email address."),
            # About 200 characters a line: a longer text is not a list of names.
            Length(max=MAX_STUDENTS * 200, message="That list is too long: split it in two."),
        ],
        description="A name and an email address on each line, in any order, separated by "
        "a comma or a tab: you can paste two columns of a spreadsheet. At most "
        f"{MAX_STUDENTS} at a time.",
        render_kw={"rows": 10, "spellcheck": "false", "autocapitalize": "off"},
    )
