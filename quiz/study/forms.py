"""Forms for rating a card and for the learner's study settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

from quiz.domain.scheduling import RETENTION_CHOICES, Rating
from quiz.inputs import time_zone_choices


class UndoForm(FlaskForm):
    review = HiddenField(validators=[DataRequired()])
    deck = HiddenField()


class RateForm(FlaskForm):
    seen = HiddenField(validators=[DataRequired()])
    shown_at = HiddenField()
    deck = HiddenField()
    ahead = HiddenField()  # "1": reviewing ahead (study.REVIEW_AHEAD)
    rating = HiddenField(validators=[AnyOf([str(int(r)) for r in Rating])])


#: How each desired retention is offered: what a learner gives and gets for it.
RETENTION_LABELS = {
    0.80: "80%: the fewest reviews",
    0.85: "85%: fewer reviews",
    0.90: "90%: the usual balance",
    0.93: "93%: more reviews",
    0.95: "95%: many more reviews, before an exam",
    0.97: "97%: the most reviews",
}


def _retention(value) -> float:
    """A sent value as a number; anything else as one no choice has ("Not a valid
    choice", rather than WTForms's "could not coerce")."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return -1.0


class SettingsForm(FlaskForm):
    display_name = StringField(
        "Your name",
        # Its length is checked by the service, after spaces are tidied.
        validators=[Length(max=1000, message="Keep your name under 80 characters.")],
        description="Your teachers see it in their classes. Left empty, the start of your "
        "email address is shown instead.",
    )
    timezone = SelectField("Time zone", choices=time_zone_choices(), validators=[DataRequired()])
    daily_new_limit = IntegerField(
        "New cards a day",
        validators=[
            InputRequired("Give a number of new cards a day."),
            NumberRange(0, 500, "Choose from 0 to 500 new cards a day."),
        ],
        description="How many cards you have never seen may be added to your reviews each day.",
    )
    desired_retention = SelectField(
        "How much to remember",
        coerce=_retention,
        choices=[(value, RETENTION_LABELS[value]) for value in RETENTION_CHOICES],
        validate_choice=True,
        description="How sure you want to be to still know a card when it comes back. More "
        "brings each card back sooner, so you have more reviews a day: at 95% and 97%, many "
        "more. It applies to each card from its next review.",
    )
