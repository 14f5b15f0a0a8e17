"""A teacher gives a student of their class who forgot their password a temporary one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import LoginSession, Role, SchoolClass, User
from quiz.services import NotFound, ServiceError, accounts
from quiz.services import classes as cs
from quiz.services.accounts import (
    TEMPORARY_ALPHABET,
    TEMPORARY_PASSWORD_DAYS,
    authenticate,
    change_password,
    reset_password,
    start_session,
    temporary_password,
    temporary_password_expired,
    temporary_password_expires,
)
from tests.factories import PASSWORD, make_user


def _class_with(student):
    teacher = make_user(role=Role.TEACHER)
    klass = cs.create_class(teacher, "Year 9")
    cs.join_class(student, klass.join_code)
    return klass


def _live_sessions(user) -> int:
    return db.session.execute(
        db.select(db.func.count(LoginSession.id)).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
        )
    ).scalar_one()


def test_a_temporary_password_is_three_groups_of_four_unambiguous_characters(app):
    passwords = {temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    group = f"[{TEMPORARY_ALPHABET}]{{4}}"
    for password in passwords:
        assert re.fullmatch(f"{group}-{group}-{group}", password)
    assert not set("0o1li") & set(TEMPORARY_ALPHABET)


def test_a_reset_replaces_the_password_ends_every_log_in_and_asks_for_a_new_one(app):
    student = make_user()
    start_session(student)
    start_session(student)
    klass = _class_with(student)
    reset, password = cs.reset_student_password(klass, student.id)
    assert reset.id == student.id
    assert authenticate(student.email, PASSWORD) is None
    assert authenticate(student.email, password) == student
    assert student.must_change_password
    assert _live_sessions(student) == 0


def test_choosing_ones_own_password_clears_the_request_to_change_it(app):
    student = make_user()
    _, password = cs.reset_student_password(_class_with(student), student.id)
    start_session(student)
    change_password(student, password, "a brand new lantern at dusk")
    assert not student.must_change_password
    assert authenticate(student.email, "a brand new lantern at dusk") == student


def test_the_temporary_password_cannot_be_kept_as_ones_own(app):
    student = make_user()
    _, password = cs.reset_student_password(_class_with(student), student.id)
    with pytest.raises(ServiceError, match="not the temporary one") as info:
        change_password(student, password, password)
    assert info.value.field == "password"
    assert student.must_change_password


def test_a_wrong_temporary_password_is_named_as_such(app):
    student = make_user()
    cs.reset_student_password(_class_with(student), student.id)
    with pytest.raises(ServiceError, match="temporary password you logged in with"):
        change_password(student, PASSWORD, "a brand new lantern at dusk")


def test_a_new_password_equal_to_the_current_one_is_refused(app):
    student = make_user()
    with pytest.raises(ServiceError, match="same as the current one"):
        change_password(student, PASSWORD, PASSWORD)


def test_only_a_student_in_the_class_can_be_reset(app):
    student = make_user()
    klass = _class_with(student)
    stranger = make_user()
    with pytest.raises(NotFound):
        cs.reset_student_password(klass, stranger.id)
    with pytest.raises(NotFound):
        cs.reset_student_password(klass, 999_999)
    assert authenticate(stranger.email, PASSWORD) == stranger


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_a_colleague_who_joined_the_class_cannot_be_reset_from_it(app, role):
    colleague = make_user(role=role)
    klass = _class_with(colleague)
    start_session(colleague)
    with pytest.raises(ServiceError, match="is not a student's"):
        cs.reset_student_password(klass, colleague.id)
    assert authenticate(colleague.email, PASSWORD) == colleague
    assert not colleague.must_change_password
    assert _live_sessions(colleague) == 1


def test_an_archived_class_resets_no_password(app):
    student = make_user()
    klass = _class_with(student)
    cs.set_archived(klass, True)
    with pytest.raises(ServiceError, match="archived"):
        cs.reset_student_password(klass, student.id)
    assert authenticate(student.email, PASSWORD) == student
    assert not student.must_change_password


def test_an_operator_reset_is_temporary_only_when_asked(app):
    user = make_user(role=Role.TEACHER)
    reset_password(user.email, "operator chosen words here", temporary=True)
    assert user.must_change_password
    reset_password(user.email, "another operator choice now")
    assert not user.must_change_password


def test_a_password_change_that_races_a_reset_is_refused_and_the_reset_stands(app, monkeypatch):
    # A classmate logged in with a stolen password starts changing it; the teacher's reset
    # commits while the new password is being hashed. The change must not undo the reset.
    student = make_user()
    klass = _class_with(student)
    start_session(student)
    assert student.password_hash  # loaded, as at the start of the request
    real_hash = accounts.hash_password
    given = {}

    def hash_while_the_teacher_resets(password):
        with app.app_context():  # another request, with its own session and connection
            given["password"] = cs.reset_student_password(
                db.session.get(SchoolClass, klass.id), student.id
            )[1]
            db.session.remove()
        return real_hash(password)

    monkeypatch.setattr(accounts, "hash_password", hash_while_the_teacher_resets)
    with pytest.raises(ServiceError, match="changed or reset a moment ago"):
        change_password(student, PASSWORD, "a brand new lantern at dusk")
    assert authenticate(student.email, "a brand new lantern at dusk") is None
    assert authenticate(student.email, given["password"]) is not None
    assert db.session.get(User, student.id).must_change_password


def test_a_temporary_password_expires_after_some_days(app):
    student = make_user()
    cs.reset_student_password(_class_with(student), student.id)
    given = student.temporary_password_at
    assert temporary_password_expires(student) == given + timedelta(days=TEMPORARY_PASSWORD_DAYS)
    assert not temporary_password_expired(student, given + timedelta(days=TEMPORARY_PASSWORD_DAYS))
    assert temporary_password_expired(
        student, given + timedelta(days=TEMPORARY_PASSWORD_DAYS, seconds=1)
    )
    assert not temporary_password_expired(make_user(), given + timedelta(days=365))


def test_only_an_account_with_a_temporary_password_may_skip_the_current_one(app):
    student = make_user()
    with pytest.raises(ServiceError, match="Enter your current password") as info:
        change_password(student, None, "a brand new lantern at dusk")
    assert info.value.field == "current"
    _, password = cs.reset_student_password(_class_with(student), student.id)
    start_session(student)
    change_password(student, None, "a brand new lantern at dusk")
    assert authenticate(student.email, "a brand new lantern at dusk") == student
    assert not student.must_change_password
