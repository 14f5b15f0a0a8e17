"""Forms for rating a card and for the learner's study settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

from quiz.domain.scheduling import Rating
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
