"""A teacher adds students to a class with new accounts from a pasted list."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from quiz.extensions import db
from quiz.models import Enrolment, Role, User
from quiz.services import ServiceError
from quiz.services import classes as cs
from quiz.services.accounts import authenticate, create_user
from quiz.services.roster import RosterRefused, create_students
from tests.factories import PASSWORD, make_user


def _class(zone: str = "Europe/Kyiv"):
    teacher = make_user(role="teacher")
    teacher.timezone = zone
    db.session.commit()
    return teacher, cs.create_class(teacher, "Year 9")


def _accounts() -> int:
    return db.session.execute(db.select(db.func.count(User.id))).scalar_one()


def test_each_student_of_the_list_gets_a_student_account_in_the_class_with_a_temporary_password(
    app,
):
    teacher, klass = _class()
    made = create_students(
        klass, teacher, "Olena Shevchenko, Olena@School.example\ntaras@school.example\n"
    )
    assert [(s.name, s.email) for s in made] == [
        ("Olena Shevchenko", "olena@school.example"),  # the address as it is stored
        ("taras", "taras@school.example"),  # no name given: shown as the app shows them
    ]
    assert {s.name for s in cs.class_students(klass)} == {"Olena Shevchenko", "taras"}
    for student in made:
        user = db.session.execute(db.select(User).where(User.email == student.email)).scalar_one()
        assert user.role == Role.STUDENT and user.must_change_password
        assert user.timezone == "Europe/Kyiv"  # the teacher's: a school shares one
        assert check_password_hash(user.password_hash, student.password)
        assert authenticate(student.email, student.password).id == user.id
    assert len({s.password for s in made}) == 2


def _refused(klass, teacher, text: str) -> list[str]:
    before = _accounts()
    with pytest.raises(RosterRefused) as refused:
        create_students(klass, teacher, text)
    assert _accounts() == before  # all or nothing
    return refused.value.problems


def test_a_list_with_any_problem_creates_no_account_and_names_every_problem_by_line(app):
    teacher, klass = _class()
    create_user("taken@school.example", PASSWORD, "student")
    member = make_user()
    cs.join_class(member, klass.join_code)
    problems = _refused(
        klass,
        teacher,
        "\n".join(
            [
                "Fine, fine@school.example",
                "Not an address, olena@",
                "Taken, TAKEN@school.example",
                f"Member, {member.email}",
                "No address at all",
                "Again, fine@school.example",
                f"{'Long' * 30}, long@school.example",
            ]
        ),
    )
    assert problems == [
        "Line 2: “olena@” is not a valid email address.",
        "Line 3: taken@school.example has an account already. Take the line out, and give "
        "them the class code to join with.",
        f"Line 4: {member.email} is in this class already.",
        "Line 5 has no email address: “No address at all”",
        "Line 6: fine@school.example is on line 1 already.",
        "Line 7: keep the name to 80 characters.",
    ]
    assert cs.class_students(klass) == [member]


def test_an_empty_list_or_an_archived_class_is_refused(app):
    teacher, klass = _class()
    assert _refused(klass, teacher, " \n\n") == [
        "Write one student a line: their name and email address."
    ]
    cs.set_archived(klass, True)
    with pytest.raises(ServiceError, match="Year 9 is archived. Restore it to add students."):
        create_students(klass, teacher, "olena@school.example")
    assert _accounts() == 1  # the teacher's


def test_an_address_that_got_an_account_meanwhile_creates_nothing(app, monkeypatch):
    teacher, klass = _class()
    from quiz.services import roster

    def sign_up_meanwhile(klass, checked):
        # The check found nothing; the same address signs up before the accounts are made.
        create_user("olena@school.example", PASSWORD, "student")
        return []

    monkeypatch.setattr(roster, "_taken", sign_up_meanwhile)
    with pytest.raises(RosterRefused) as refused:
        create_students(klass, teacher, "taras@school.example\nolena@school.example")
    assert _accounts() == 2  # the teacher's and the one made meanwhile: not taras's
    assert refused.value.problems == [
        "One of these addresses got an account a moment ago, so no account was created. "
        "Send the list again to see which."
    ]
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 0
