"""The operator commands: users create, decks validate/load/export."""

from __future__ import annotations

import json
from pathlib import Path

from quiz.extensions import db
from quiz.models import Deck, User

QUESTIONS = Path(__file__).resolve().parents[1] / "questions"
GOOD = """\
slug: tiny
title: Tiny
questions:
  - key: one
    kind: true_false
    prompt: Kyiv is the capital of Ukraine.
    answer: true
    explanation: The article calls Kyiv the capital.
    source: "Ukraine and Russia's troubled history, paragraph 6"
"""


def test_users_create_makes_an_account_with_the_given_role(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "T@Example.com",
            "--role",
            "teacher",
            "--password",
            "plenty of unrelated words",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.email, user.role) == ("t@example.com", "teacher")


def test_users_create_applies_the_sign_up_rules(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "t@example.com", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0


def test_users_demo_creates_two_accounts_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "demo"])
    assert "teacher@example.com" in first.output and "student@example.com" in first.output
    saved = Path(app.instance_path) / "demo-accounts.txt"
    assert "student@example.com" in saved.read_text()
    second = runner.invoke(args=["users", "demo"])
    assert "Accounts exist already" in second.output
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 2


def test_validate_reports_errors_with_file_and_line_and_loads_nothing(app, tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(
        GOOD.replace("slug: tiny", "slug: bad").replace("answer: true", "answer: maybe")
    )
    runner = app.test_cli_runner()
    for command in ("validate", "load"):
        result = runner.invoke(args=["decks", command, str(tmp_path)])
        assert result.exit_code != 0
        assert "bad.yaml:7:" in result.output
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


def test_load_is_idempotent_and_export_writes_json(app, tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    runner = app.test_cli_runner()
    assert "1 new" in runner.invoke(args=["decks", "load", str(tmp_path)]).output
    assert "nothing changed" in runner.invoke(args=["decks", "load", str(tmp_path)]).output
    exported = json.loads(runner.invoke(args=["decks", "export", "--format", "json"]).output)
    assert exported[0]["slug"] == "tiny"
    assert exported[0]["items"][0]["choices"] == [
        {"text": "True", "correct": True},
        {"text": "False", "correct": False},
    ]


def test_export_of_an_unknown_slug_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["decks", "export", "nope"])
    assert result.exit_code != 0 and "No deck with slug: nope" in result.output


def test_the_built_in_bank_validates(app):
    result = app.test_cli_runner().invoke(args=["decks", "validate", str(QUESTIONS)])
    assert result.exit_code == 0, result.output
    assert "All 6 decks are valid." in result.output
