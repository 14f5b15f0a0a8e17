"""Forms for signing up and logging in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quiz.inputs import time_zone_choices
from quiz.services.accounts import MAX_PASSWORD, MIN_PASSWORD


class SignupForm(FlaskForm):
    display_name = StringField("Your name", validators=[Length(max=80)])
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            ),
        ],
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The two passwords differ."),
        ],
    )
    timezone = SelectField(
        "Time zone",
        choices=time_zone_choices(),
        default="UTC",
        description="Due dates and each day's cards follow it. You can change it in Settings.",
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password to delete the account.")],
        description="Asked again, so that nobody at a computer you left logged in can do it.",
    )


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class EmailForm(FlaskForm):
    email = EmailField("New email address", validators=[DataRequired("Enter the new address.")])
    current = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password.")],
        description="To make sure it is you.",
    )


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your password.")])
    password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD} characters: a short sentence works well.",
        validators=[
            DataRequired("Choose a new password."),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired("Type it again."),
            EqualTo("password", "The two passwords differ."),
        ],
    )
