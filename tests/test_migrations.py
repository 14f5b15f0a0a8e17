"""The Alembic revisions build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from quiz import create_app
from quiz.extensions import db
from quiz.models import Base
from tests.conftest import TEST_DATABASE_URL


def _app(url: str, tmp_path: Path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_gives_exactly_the_models_schema(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        db.engine.dispose()


def test_downgrade_to_base_removes_every_table(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}
        db.engine.dispose()


def test_data_survives_upgrading_from_the_first_revision(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0001_initial")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, display_name, password_hash, role, timezone,"
                    " created_at) VALUES ('old@example.com', 'Old', 'x', 'student', 'UTC',"
                    " '2026-01-01 00:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT email, daily_new_limit FROM users")).one()
        assert tuple(row) == ("old@example.com", 20)
        db.engine.dispose()


def test_flask_db_check_finds_no_difference(empty_database_url, tmp_path):
    from flask_migrate import check

    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        check()  # raises (exits) when autogenerate would produce a new revision
        db.engine.dispose()


def _insert_user(conn, user_id: int) -> None:
    conn.execute(
        text(
            "INSERT INTO users (id, email, display_name, password_hash, role, timezone,"
            " daily_new_limit, created_at) VALUES (:id, :email, 'U', 'x', 'student', 'UTC',"
            " 20, '2026-01-01 00:00:00')"
        ),
        {"id": user_id, "email": f"u{user_id}@example.com"},
    )


def _insert_class(conn, class_id: int, code: str) -> None:
    """A class of user 1's."""
    conn.execute(
        text(
            "INSERT INTO classes (id, teacher_id, name, join_code, created_at)"
            " VALUES (:id, 1, 'C', :code, '2026-01-01 00:00:00')"
        ),
        {"id": class_id, "code": code},
    )


JOIN = (
    "INSERT INTO enrolments (id, class_id, user_id, joined_at)"
    " VALUES (:id, :class_id, :user_id, '2026-01-01 00:00:00')"
)


def _insert_deck(conn, deck_id: int) -> None:
    """A published deck, with no items."""
    conn.execute(
        text(
            "INSERT INTO decks (id, slug, title, description, status, created_at,"
            " updated_at) VALUES (:id, :slug, 'T', '', 'published',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        ),
        {"id": deck_id, "slug": f"deck-{deck_id}"},
    )


def _results_versions(conn) -> list[int]:
    return list(conn.execute(text("SELECT results_version FROM decks ORDER BY id")).scalars())


def test_the_migrated_database_raises_a_decks_results_version_on_each_submission(
    empty_database_url, tmp_path
):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _insert_user(conn, 1)
            for deck_id in (1, 2):
                _insert_deck(conn, deck_id)
        attempt = (
            "INSERT INTO attempts (id, user_id, deck_id, item_ids, choice_order, started_at,"
            " submitted_at, correct_count, total) VALUES (:id, 1, 1, '[]', '{}',"
            " '2026-01-01 00:00:00', :submitted, 0, 0)"
        )
        steps = [
            # (statement, parameters, results versions of decks 1 and 2 after it)
            (attempt, {"id": 1, "submitted": None}, [0, 0]),  # started: no result yet
            (
                "UPDATE attempts SET correct_count = 1 WHERE id = 1",  # answered
                {},
                [0, 0],
            ),
            (
                "UPDATE attempts SET submitted_at = '2026-01-01 00:05:00' WHERE id = 1",
                {},
                [1, 0],
            ),
            (attempt, {"id": 2, "submitted": "2026-01-01 00:06:00"}, [2, 0]),
            ("UPDATE attempts SET deck_id = 2 WHERE id = 2", {}, [3, 1]),
            ("DELETE FROM attempts WHERE id = 2", {}, [3, 2]),
        ]
        for statement, parameters, expected in steps:
            with db.engine.begin() as conn:
                conn.execute(text(statement), parameters)
                assert _results_versions(conn) == expected, statement
        downgrade(revision="0005_login_sessions")
        with db.engine.begin() as conn:
            # The triggers are gone with the column: a submission still goes in.
            conn.execute(text(attempt), {"id": 3, "submitted": "2026-01-01 00:07:00"})
            columns = {c["name"] for c in inspect(conn).get_columns("decks")}
        assert "results_version" not in columns
        db.engine.dispose()


def _triggers(engine) -> dict[str, str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
            return {name: " ".join(sql.split()) for name, sql in rows}
        rows = conn.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
                " UNION ALL SELECT proname, prosrc FROM pg_proc"
                " WHERE prorettype = 'trigger'::regtype AND pronamespace = 'public'::regnamespace"
            )
        )
        return {name: " ".join(definition.split()) for name, definition in rows}


def test_the_migrations_create_the_same_triggers_as_the_models(
    empty_database_url, database_url, tmp_path
):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        migrated = _triggers(db.engine)
        db.engine.dispose()
    from_models = create_engine(database_url)  # the tests' schema, made by create_all
    try:
        assert migrated == _triggers(from_models)
        assert len(migrated) >= 3
    finally:
        from_models.dispose()


def test_the_migrated_database_raises_a_classes_roster_version_on_each_roster_change(
    empty_database_url, tmp_path
):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            for user_id in (1, 2, 3):
                _insert_user(conn, user_id)
            for class_id, code in ((1, "AAAAAAAA"), (2, "BBBBBBBB")):
                _insert_class(conn, class_id, code)
        join = JOIN
        steps = [
            # (statement, parameters, roster versions of classes 1 and 2 after it)
            (join, {"id": 1, "class_id": 1, "user_id": 2}, [1, 0]),
            (join, {"id": 2, "class_id": 2, "user_id": 3}, [1, 1]),
            ("UPDATE users SET display_name = 'Ann' WHERE id = 2", {}, [2, 1]),
            ("UPDATE users SET email = 'ann@example.com' WHERE id = 2", {}, [3, 1]),
            ("UPDATE users SET display_name = 'Ann' WHERE id = 2", {}, [3, 1]),  # the same
            ("UPDATE users SET timezone = 'Europe/Kyiv' WHERE id = 2", {}, [3, 1]),
            ("UPDATE users SET display_name = 'Teacher' WHERE id = 1", {}, [3, 1]),
            ("DELETE FROM enrolments WHERE id = 1", {}, [4, 1]),
            ("DELETE FROM classes WHERE id = 2", {}, [4]),  # its enrolments go with it
        ]
        for statement, parameters, expected in steps:
            with db.engine.begin() as conn:
                conn.execute(text(statement), parameters)
                versions = conn.execute(
                    text("SELECT roster_version FROM classes ORDER BY id")
                ).scalars()
                assert list(versions) == expected, statement
        downgrade(revision="0006_deck_results_version")
        with db.engine.begin() as conn:
            # The triggers are gone with the column: enrolments and renames still work.
            conn.execute(text(join), {"id": 3, "class_id": 1, "user_id": 3})
            conn.execute(text("UPDATE users SET display_name = 'Bea' WHERE id = 3"))
            columns = {c["name"] for c in inspect(conn).get_columns("classes")}
        assert "roster_version" not in columns
        db.engine.dispose()


@pytest.mark.parametrize(
    ("column", "before", "value"),
    [
        ("temporary_password_at", "0008_review_undo", None),  # nobody asked to change theirs
        ("desired_retention", "0014_card_count_versions", 0.9),  # as every card was scheduled
    ],
)
def test_a_column_added_to_users_fills_existing_accounts_and_its_downgrade_keeps_the_triggers(
    empty_database_url, tmp_path, column, before, value
):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as conn:
            _insert_user(conn, 1)
            _insert_user(conn, 2)
            _insert_class(conn, 1, "AAAAAAAA")
            conn.execute(text(JOIN), {"id": 1, "class_id": 1, "user_id": 2})
        upgrade()
        with db.engine.begin() as conn:
            filled = conn.execute(text(f"SELECT {column} FROM users WHERE id = 2"))
            assert filled.scalar_one() == value
        downgrade(revision=before)
        with db.engine.begin() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("users")}
            conn.execute(text("UPDATE users SET display_name = 'Ann' WHERE id = 2"))
            version = conn.execute(text("SELECT roster_version FROM classes")).scalar_one()
        assert column not in columns
        # One for the joining, one for the rename: the roster trigger on users survived
        # (a batch migration would have rebuilt the table on SQLite, and dropped it).
        assert version == 2
        db.engine.dispose()


def test_the_migrated_database_raises_the_card_count_versions(empty_database_url, tmp_path):
    """users.cards_version on every change of one of the user's cards; decks.items_version
    when an item is retired or brought back (which changes the cards that count)."""
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            for user_id in (1, 2):
                _insert_user(conn, user_id)
            _insert_deck(conn, 1)
        item = (
            "INSERT INTO items (id, deck_id, key, kind, prompt, back, explanation, source_ref,"
            " position, retired, updated_at, key_version) VALUES (:id, 1, :key, 'single', 'Q',"
            " '', '', '', 0, :retired, '2026-01-01 00:00:00', 0)"
        )
        card = (
            "INSERT INTO cards (id, user_id, item_id, state, due, created_at) VALUES"
            " (:id, :user_id, :item_id, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        steps = [
            # (statement, parameters, cards versions of users 1 and 2, deck 1's items version)
            (item, {"id": 1, "key": "a", "retired": False}, [0, 0], 0),
            (item, {"id": 2, "key": "b", "retired": True}, [0, 0], 1),
            (card, {"id": 1, "user_id": 1, "item_id": 1}, [1, 0], 1),
            (card, {"id": 2, "user_id": 2, "item_id": 1}, [1, 1], 1),
            ("UPDATE cards SET due = '2026-01-05 00:00:00' WHERE id = 1", {}, [2, 1], 1),
            ("UPDATE items SET prompt = 'Q?' WHERE id = 1", {}, [2, 1], 1),  # still live
            ("UPDATE items SET retired = :yes WHERE id = 1", {"yes": True}, [2, 1], 2),
            ("UPDATE items SET retired = :no WHERE id = 1", {"no": False}, [2, 1], 3),
            ("DELETE FROM cards WHERE id = 2", {}, [2, 2], 3),
            ("DELETE FROM items WHERE id = 2", {}, [2, 2], 4),  # a retired one
        ]
        for statement, parameters, cards, items in steps:
            with db.engine.begin() as conn:
                conn.execute(text(statement), parameters)
                got = list(conn.execute(text("SELECT cards_version FROM users ORDER BY id")))
                deck = conn.execute(text("SELECT items_version FROM decks")).scalar_one()
                assert ([v for (v,) in got], deck) == (cards, items), statement
        downgrade(revision="0013_question_reports")
        with db.engine.begin() as conn:
            # The triggers are gone with the columns: cards and items still change.
            conn.execute(text("UPDATE cards SET due = '2026-01-06 00:00:00' WHERE id = 1"))
            conn.execute(text("UPDATE items SET retired = :yes WHERE id = 1"), {"yes": True})
            users = {c["name"] for c in inspect(conn).get_columns("users")}
            decks = {c["name"] for c in inspect(conn).get_columns("decks")}
        assert "cards_version" not in users and "items_version" not in decks
        db.engine.dispose()


def test_no_card_is_suspended_after_the_upgrade_and_the_downgrade_keeps_the_cards_triggers(
    empty_database_url, tmp_path
):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0015_desired_retention")
        with db.engine.begin() as conn:
            _insert_user(conn, 1)
            _insert_deck(conn, 1)
            conn.execute(
                text(
                    "INSERT INTO items (id, deck_id, key, kind, prompt, back, explanation,"
                    " source_ref, position, retired, updated_at, key_version) VALUES (1, 1,"
                    " 'a', 'single', 'Q', '', '', '', 0, :no, '2026-01-01 00:00:00', 0)"
                ),
                {"no": False},
            )
            conn.execute(
                text(
                    "INSERT INTO cards (id, user_id, item_id, state, due, created_at) VALUES"
                    " (1, 1, 1, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT suspended FROM cards")).scalar_one() == 0
        downgrade(revision="0015_desired_retention")
        with db.engine.begin() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("cards")}
            before = conn.execute(text("SELECT cards_version FROM users")).scalar_one()
            conn.execute(text("UPDATE cards SET due = '2026-01-05 00:00:00' WHERE id = 1"))
            after = conn.execute(text("SELECT cards_version FROM users")).scalar_one()
        assert "suspended" not in columns
        assert after == before + 1  # the trigger on cards survived the downgrade
        db.engine.dispose()


def test_attempts_of_every_question_their_deck_has_are_marked_whole_deck(
    empty_database_url, tmp_path
):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0010_assignment_min_questions")
        with db.engine.begin() as conn:
            _insert_user(conn, 1)
            _insert_deck(conn, 1)
            items = (
                "INSERT INTO items (id, deck_id, key, kind, prompt, back, explanation,"
                " source_ref, position, retired, updated_at) VALUES (:id, 1, :key, :kind,"
                " 'Q', '', '', '', :id, :retired, '2026-01-01 00:00:00')"
            )
            for item_id, kind, retired in (
                (1, "single", False),
                (2, "ordering", False),
                (3, "flashcard", False),  # not a quiz question
                (4, "single", True),  # retired
            ):
                conn.execute(
                    text(items),
                    {"id": item_id, "key": f"k{item_id}", "kind": kind, "retired": retired},
                )
            _insert_deck(conn, 2)  # flashcards only: no items of a quiz kind
            for attempt_id, deck_id, total in ((1, 1, 2), (2, 1, 1), (3, 2, 0)):
                conn.execute(
                    text(
                        "INSERT INTO attempts (id, user_id, deck_id, item_ids, choice_order,"
                        " started_at, submitted_at, correct_count, total) VALUES (:id, 1,"
                        " :deck_id, '[]', '{}', '2026-01-01 00:00:00', '2026-01-01 00:05:00',"
                        " 0, :total)"
                    ),
                    {"id": attempt_id, "deck_id": deck_id, "total": total},
                )
        upgrade()
        with db.engine.begin() as conn:
            whole = conn.execute(
                text("SELECT whole_deck, checks_answers FROM attempts ORDER BY id")
            ).all()
        # A deck without quiz questions has no quiz of the whole deck.
        assert [tuple(map(bool, row)) for row in whole] == [
            (True, False),
            (False, False),
            (False, False),
        ]
        db.engine.dispose()
