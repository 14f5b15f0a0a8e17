"""Creating accounts and logging in."""

from __future__ import annotations

import pytest

from quiz.services import ServiceError
from quiz.services.accounts import authenticate, create_user
from tests.factories import PASSWORD


def test_create_user_stores_a_hash_and_a_lowercased_email(app):
    user = create_user("Ada@Example.COM", PASSWORD)
    assert user.email == "ada@example.com"
    assert PASSWORD not in user.password_hash
    assert authenticate("ADA@example.com", PASSWORD) == user


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("a@example.com", "short", "password"),
        ("a@example.com", "x" * 129, "password"),
    ],
)
def test_create_user_refuses_bad_input_naming_the_field(app, email, password, field):
    with pytest.raises(ServiceError) as info:
        create_user(email, password)
    assert info.value.field == field


def test_a_second_account_with_the_same_email_is_refused(app):
    create_user("a@example.com", PASSWORD)
    with pytest.raises(ServiceError, match="already exists"):
        create_user("A@example.com", PASSWORD)


def test_unknown_role_is_refused(app):
    with pytest.raises(ServiceError, match="Unknown role"):
        create_user("a@example.com", PASSWORD, role="wizard")


def test_wrong_password_and_unknown_email_give_the_same_answer(app):
    create_user("a@example.com", PASSWORD)
    assert authenticate("a@example.com", "wrong password!!") is None
    assert authenticate("nobody@example.com", PASSWORD) is None


def test_a_name_loses_the_characters_that_show_nothing_or_control_a_terminal():
    from quiz.services.accounts import checked_display_name

    assert checked_display_name("Mal\x1b[2K\x1b]0;title\x07lory") == "Mal[2K]0;titlelory"
    assert checked_display_name("Olena\nShevchenko\t") == "Olena Shevchenko"
    assert checked_display_name("\u200bOl\u200dena\ue000 \U000f0000") == "Olena"
    assert checked_display_name("\x00\x1b\u202e") == ""
