"""The operator commands: users create/hand-over/delete, decks validate/load/export."""

from __future__ import annotations

import json
from pathlib import Path

from quiz.extensions import db
from quiz.models import Deck, SchoolClass, User
from quiz.services import authoring
from quiz.services import classes as cs
from quiz.services.accounts import create_user
from tests.factories import PASSWORD, make_user

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


def test_users_hand_over_gives_a_teachers_sets_and_classes_to_a_colleague(app):
    leaving, colleague = make_user(role="teacher"), make_user(role="teacher")
    deck = authoring.create_set(leaving, "Quiz")
    klass = cs.create_class(leaving, "Year 9")
    runner = app.test_cli_runner()
    kept = runner.invoke(args=["users", "hand-over", leaving.email, colleague.email], input="n\n")
    assert kept.exit_code != 0 and "Aborted" in kept.output
    db.session.expire_all()
    assert db.session.get(Deck, deck.id).owner_id == leaving.id
    typed = [leaving.email.upper(), colleague.email.title()]  # addresses match in any case
    result = runner.invoke(args=["users", "hand-over", *typed, "--yes"])
    assert result.exit_code == 0, result.output
    # The stored addresses, not as typed.
    assert f"1 question set and 1 class of {leaving.email} are now {colleague.email}'s" in (
        result.output
    )
    db.session.expire_all()
    assert db.session.get(Deck, deck.id).owner_id == colleague.id
    assert db.session.get(SchoolClass, klass.id).teacher_id == colleague.id


def test_users_hand_over_refuses_a_student_or_an_unknown_account_and_moves_nothing(app):
    leaving, student = make_user(role="teacher"), make_user()
    deck = authoring.create_set(leaving, "Quiz")
    runner = app.test_cli_runner()
    to_student = runner.invoke(args=["users", "hand-over", leaving.email, student.email, "--yes"])
    assert to_student.exit_code != 0 and "a student's account" in to_student.output
    unknown = runner.invoke(
        args=["users", "hand-over", leaving.email, "nobody@example.com", "--yes"]
    )
    assert unknown.exit_code != 0 and "no account for nobody@example.com" in unknown.output
    db.session.expire_all()
    assert db.session.get(Deck, deck.id).owner_id == leaving.id


def test_users_delete_asks_first_then_deletes_the_account(app):
    email = make_user().email
    runner = app.test_cli_runner()
    kept = runner.invoke(args=["users", "delete", email], input="n\n")
    assert kept.exit_code != 0 and "Aborted" in kept.output
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 1
    gone = runner.invoke(args=["users", "delete", email], input="y\n")
    assert gone.exit_code == 0, gone.output
    assert f"Deleted {email}" in gone.output
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0


def test_users_delete_keeps_a_teacher_with_classes_and_says_how_to_hand_them_over(app):
    teacher = make_user(role="teacher")
    cs.create_class(teacher, "Year 9")
    result = app.test_cli_runner().invoke(args=["users", "delete", teacher.email, "--yes"])
    assert result.exit_code != 0
    assert "It teaches 1 class." in result.output and "users hand-over" in result.output
    assert db.session.get(User, teacher.id) is not None


def test_users_delete_of_an_administrator_says_to_step_it_down_first(app):
    admin = make_user(role="admin")
    result = app.test_cli_runner().invoke(args=["users", "delete", admin.email, "--yes"])
    assert result.exit_code != 0
    assert "It is an administrator's account" in result.output
    assert "users set-role EMAIL teacher" in result.output
    assert db.session.get(User, admin.id) is not None


def _role(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).role


def test_users_set_role_makes_a_student_a_teacher_and_an_administrator_a_teacher(app):
    student, admin = make_user(), make_user(role="admin")
    runner = app.test_cli_runner()
    promoted = runner.invoke(args=["users", "set-role", student.email.upper(), "teacher"])
    assert promoted.exit_code == 0, promoted.output
    assert f"{student.email} was a student and is now a teacher." in promoted.output
    assert _role(student) == "teacher"
    stepped_down = runner.invoke(args=["users", "set-role", admin.email, "teacher"])
    assert f"{admin.email} was an admin and is now a teacher." in stepped_down.output
    assert _role(admin) == "teacher"
    assert "No account is an administrator's now" in stepped_down.output
    admins = runner.invoke(args=["users", "list", "--role", "admin"])
    assert admins.output == "There are no admin accounts.\n"
    # Once stepped down, the account can be deleted like any other.
    deleted = runner.invoke(args=["users", "delete", admin.email, "--yes"])
    assert deleted.exit_code == 0, deleted.output


def test_users_set_role_to_the_same_role_says_so_and_changes_nothing(app):
    teacher = make_user(role="teacher")
    result = app.test_cli_runner().invoke(args=["users", "set-role", teacher.email, "teacher"])
    assert result.exit_code == 0
    assert f"{teacher.email} is a teacher already: nothing changed." in result.output


def test_users_set_role_keeps_a_teacher_with_sets_or_classes_and_says_to_hand_them_over(app):
    teacher, colleague = make_user(role="teacher"), make_user(role="teacher")
    authoring.create_set(teacher, "Quiz")
    authoring.create_set(teacher, "Another quiz")
    cs.create_class(teacher, "Year 9")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "set-role", teacher.email, "student"])
    assert refused.exit_code != 0
    assert (
        f"{teacher.email} stays a teacher: it owns 2 question sets and teaches 1 class, which "
        "a student's account cannot keep. Hand them over first"
    ) in refused.output
    assert _role(teacher) == "teacher"
    handed = runner.invoke(args=["users", "hand-over", teacher.email, colleague.email, "--yes"])
    assert handed.exit_code == 0, handed.output
    demoted = runner.invoke(args=["users", "set-role", teacher.email, "student"])
    assert demoted.exit_code == 0, demoted.output
    assert _role(teacher) == "student"


def test_users_set_role_refuses_an_unknown_role_or_account(app):
    student = make_user()
    runner = app.test_cli_runner()
    unknown_role = runner.invoke(args=["users", "set-role", student.email, "headteacher"])
    assert unknown_role.exit_code != 0 and "'headteacher' is not one of" in unknown_role.output
    unknown = runner.invoke(args=["users", "set-role", "nobody@example.com", "teacher"])
    assert unknown.exit_code != 0 and "no account for nobody@example.com" in unknown.output
    assert _role(student) == "student"


def test_users_list_shows_administrators_then_teachers_then_students_with_their_work(app):
    student = create_user("zoe@example.com", PASSWORD, "student", "Zoe")
    teacher = make_user(role="teacher", email="bo@example.com")
    make_user(role="admin", email="yan@example.com")
    authoring.create_set(teacher, "Quiz")
    cs.create_class(teacher, "Year 9")
    cs.create_class(teacher, "Year 10")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [
        ["admin", "yan@example.com"],
        ["teacher", "bo@example.com"],
        ["student", "zoe@example.com"],
    ]
    assert lines[1].endswith("1 set, 2 classes") and lines[2].endswith("Zoe")
    assert student.created_at.strftime("%Y-%m-%d") in lines[2]
    assert lines[3] == "3 accounts."
    teachers = runner.invoke(args=["users", "list", "--role", "teacher"]).output
    assert teachers.splitlines()[-1] == "1 account." and "zoe@" not in teachers


def test_users_list_never_prints_a_control_character_of_a_stored_name(app):
    user = make_user()
    # Stored before names lost their control characters (or written by hand).
    db.session.execute(
        db.update(User).where(User.id == user.id).values(display_name="Eve\x1b]0;owned\x07")
    )
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["users", "list"]).output
    assert "\x1b" not in output and "\x07" not in output
    assert "Eve\\x1b]0;owned\\x07" in output


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
