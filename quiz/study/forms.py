"""Forms for rating a card and for the learner's study settings."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange

from quiz.domain.scheduling import Rating


class RateForm(FlaskForm):
    seen = HiddenField(validators=[DataRequired()])
    shown_at = HiddenField()
    deck = HiddenField()
    rating = HiddenField(validators=[AnyOf([str(int(r)) for r in Rating])])


def _zones() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class SettingsForm(FlaskForm):
    timezone = SelectField("Time zone", choices=_zones(), validators=[DataRequired()])
    daily_new_limit = IntegerField(
        "New cards a day",
        validators=[
            InputRequired("Give a number of new cards a day."),
            NumberRange(0, 500, "Choose from 0 to 500 new cards a day."),
        ],
        description="How many cards you have never seen may be added to your reviews each day.",
    )
