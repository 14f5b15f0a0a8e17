"""decks.results_version, raised by triggers on attempts whenever a submitted attempt
at the deck appears, changes or goes: the cached gradebooks and item analyses compare it
(one indexed read) instead of counting the deck's attempts on every request.

The statements are a frozen copy of quiz.models.attempts (which creates them with the
tables in tests). On SQLite, a later batch migration that rebuilds `attempts` drops
these triggers and must create them again.

Revision ID: 0006_deck_results_version
Revises: 0005_login_sessions
Create Date: 2026-11-26 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_deck_results_version'
down_revision = '0005_login_sessions'
branch_labels = None
depends_on = None


SQLITE = (
    """CREATE TRIGGER attempts_results_insert AFTER INSERT ON attempts
WHEN NEW.submitted_at IS NOT NULL
BEGIN
    UPDATE decks SET results_version = results_version + 1 WHERE id = NEW.deck_id;
END""",
    """CREATE TRIGGER attempts_results_update AFTER UPDATE ON attempts
WHEN OLD.submitted_at IS NOT NULL OR NEW.submitted_at IS NOT NULL
BEGIN
    UPDATE decks SET results_version = results_version + 1
    WHERE id IN (OLD.deck_id, NEW.deck_id);
END""",
    """CREATE TRIGGER attempts_results_delete AFTER DELETE ON attempts
WHEN OLD.submitted_at IS NOT NULL
BEGIN
    UPDATE decks SET results_version = results_version + 1 WHERE id = OLD.deck_id;
END""",
)

POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION attempts_raise_results_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE decks SET results_version = results_version + 1 WHERE id = NEW.deck_id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE decks SET results_version = results_version + 1
        WHERE id IN (OLD.deck_id, NEW.deck_id);
    ELSE
        UPDATE decks SET results_version = results_version + 1 WHERE id = OLD.deck_id;
    END IF;
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER attempts_results_insert AFTER INSERT ON attempts FOR EACH ROW
WHEN (NEW.submitted_at IS NOT NULL) EXECUTE FUNCTION attempts_raise_results_version()""",
    """CREATE TRIGGER attempts_results_update AFTER UPDATE ON attempts FOR EACH ROW
WHEN (OLD.submitted_at IS NOT NULL OR NEW.submitted_at IS NOT NULL)
EXECUTE FUNCTION attempts_raise_results_version()""",
    """CREATE TRIGGER attempts_results_delete AFTER DELETE ON attempts FOR EACH ROW
WHEN (OLD.submitted_at IS NOT NULL) EXECUTE FUNCTION attempts_raise_results_version()""",
)

TRIGGERS = ('attempts_results_insert', 'attempts_results_update', 'attempts_results_delete')


def upgrade():
    with op.batch_alter_table('decks', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('results_version', sa.Integer(), server_default=sa.text('0'), nullable=False)
        )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == 'sqlite' else POSTGRESQL if dialect == 'postgresql' else ():
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON attempts')
        op.execute('DROP FUNCTION IF EXISTS attempts_raise_results_version()')
    elif dialect == 'sqlite':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    # Not a batch: rebuilding decks on SQLite would fail its foreign keys once attempts
    # point at it; SQLite (3.35 and newer) drops a column in place.
    op.drop_column('decks', 'results_version')
