"""users.cards_version and decks.items_version, raised by triggers: the gradebook keeps
each student's card counts (mastered, due) and reads these two counters, one indexed
read, instead of counting the students' cards on every request.

- users.cards_version: raised whenever one of the user's cards appears, changes or goes.
- decks.items_version: raised whenever one of the deck's items is retired or brought
  back (or a retired one changes), which changes the cards that count for the deck.

The statements are a frozen copy of quiz.models.study (which creates them with the
tables in tests). On SQLite, a later batch migration that rebuilds `cards` or `items`
drops these triggers and must create them again.

Revision ID: 0014_card_count_versions
Revises: 0013_question_reports
Create Date: 2026-11-27 21:45:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0014_card_count_versions"
down_revision = "0013_question_reports"
branch_labels = None
depends_on = None


SQLITE = (
    """CREATE TRIGGER cards_user_insert AFTER INSERT ON cards
BEGIN
    UPDATE users SET cards_version = cards_version + 1 WHERE id = NEW.user_id;
END""",
    """CREATE TRIGGER cards_user_update AFTER UPDATE ON cards
BEGIN
    UPDATE users SET cards_version = cards_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END""",
    """CREATE TRIGGER cards_user_delete AFTER DELETE ON cards
BEGIN
    UPDATE users SET cards_version = cards_version + 1 WHERE id = OLD.user_id;
END""",
    """CREATE TRIGGER items_live_insert AFTER INSERT ON items
WHEN NEW.retired
BEGIN
    UPDATE decks SET items_version = items_version + 1 WHERE id = NEW.deck_id;
END""",
    """CREATE TRIGGER items_live_update AFTER UPDATE ON items
WHEN OLD.retired OR NEW.retired
BEGIN
    UPDATE decks SET items_version = items_version + 1 WHERE id IN (OLD.deck_id, NEW.deck_id);
END""",
    """CREATE TRIGGER items_live_delete AFTER DELETE ON items
WHEN OLD.retired
BEGIN
    UPDATE decks SET items_version = items_version + 1 WHERE id = OLD.deck_id;
END""",
)

POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION cards_raise_cards_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE users SET cards_version = cards_version + 1 WHERE id = NEW.user_id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE users SET cards_version = cards_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
    ELSE
        UPDATE users SET cards_version = cards_version + 1 WHERE id = OLD.user_id;
    END IF;
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER cards_user_insert AFTER INSERT ON cards FOR EACH ROW
EXECUTE FUNCTION cards_raise_cards_version()""",
    """CREATE TRIGGER cards_user_update AFTER UPDATE ON cards FOR EACH ROW
EXECUTE FUNCTION cards_raise_cards_version()""",
    """CREATE TRIGGER cards_user_delete AFTER DELETE ON cards FOR EACH ROW
EXECUTE FUNCTION cards_raise_cards_version()""",
    """CREATE OR REPLACE FUNCTION items_raise_items_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE decks SET items_version = items_version + 1 WHERE id = NEW.deck_id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE decks SET items_version = items_version + 1 WHERE id IN (OLD.deck_id, NEW.deck_id);
    ELSE
        UPDATE decks SET items_version = items_version + 1 WHERE id = OLD.deck_id;
    END IF;
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER items_live_insert AFTER INSERT ON items FOR EACH ROW
WHEN (NEW.retired)
EXECUTE FUNCTION items_raise_items_version()""",
    """CREATE TRIGGER items_live_update AFTER UPDATE ON items FOR EACH ROW
WHEN (OLD.retired OR NEW.retired)
EXECUTE FUNCTION items_raise_items_version()""",
    """CREATE TRIGGER items_live_delete AFTER DELETE ON items FOR EACH ROW
WHEN (OLD.retired)
EXECUTE FUNCTION items_raise_items_version()""",
)

TRIGGERS = {
    "cards": ("cards_user_insert", "cards_user_update", "cards_user_delete"),
    "items": ("items_live_insert", "items_live_update", "items_live_delete"),
}


def upgrade():
    # Added in place (ALTER TABLE ... ADD COLUMN), not by a batch rebuild: rebuilding
    # users or decks on SQLite would drop the roster and results triggers.
    op.add_column(
        "users",
        sa.Column("cards_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "decks",
        sa.Column("items_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in (
        SQLITE if dialect == "sqlite" else POSTGRESQL if dialect == "postgresql" else ()
    ):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table, names in TRIGGERS.items():
        for name in names:
            if dialect == "postgresql":
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            elif dialect == "sqlite":
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS cards_raise_cards_version(), items_raise_items_version()"
        )
    # SQLite (3.35 and newer) drops a column in place, as 0007 does.
    op.drop_column("decks", "items_version")
    op.drop_column("users", "cards_version")
