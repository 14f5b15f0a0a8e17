"""classes.roster_version, raised by triggers whenever a student joins or leaves a class,
or an enrolled student's name or email changes: the cached gradebooks and item analyses
compare it (one indexed read) instead of aggregating every name of the class on each
request.

The statements are a frozen copy of quiz.models.classes (which creates them with the
tables in tests). On SQLite, a later batch migration that rebuilds `enrolments` or
`users` drops these triggers and must create them again.

Revision ID: 0007_class_roster_version
Revises: 0006_deck_results_version
Create Date: 2026-11-26 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_class_roster_version'
down_revision = '0006_deck_results_version'
branch_labels = None
depends_on = None


SQLITE = (
    """CREATE TRIGGER enrolments_roster_insert AFTER INSERT ON enrolments
BEGIN
    UPDATE classes SET roster_version = roster_version + 1 WHERE id = NEW.class_id;
END""",
    """CREATE TRIGGER enrolments_roster_update AFTER UPDATE ON enrolments
BEGIN
    UPDATE classes SET roster_version = roster_version + 1 WHERE id IN (OLD.class_id, NEW.class_id);
END""",
    """CREATE TRIGGER enrolments_roster_delete AFTER DELETE ON enrolments
BEGIN
    UPDATE classes SET roster_version = roster_version + 1 WHERE id = OLD.class_id;
END""",
    """CREATE TRIGGER users_roster_update
AFTER UPDATE OF display_name, email ON users
WHEN OLD.display_name IS NOT NEW.display_name OR OLD.email IS NOT NEW.email
BEGIN
    UPDATE classes SET roster_version = roster_version + 1
    WHERE id IN (SELECT class_id FROM enrolments WHERE user_id = NEW.id);
END""",
)

POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION enrolments_raise_roster_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE classes SET roster_version = roster_version + 1 WHERE id = NEW.class_id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE classes SET roster_version = roster_version + 1 WHERE id IN (OLD.class_id, NEW.class_id);
    ELSE
        UPDATE classes SET roster_version = roster_version + 1 WHERE id = OLD.class_id;
    END IF;
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER enrolments_roster_insert AFTER INSERT ON enrolments FOR EACH ROW
EXECUTE FUNCTION enrolments_raise_roster_version()""",
    """CREATE TRIGGER enrolments_roster_update AFTER UPDATE ON enrolments FOR EACH ROW
EXECUTE FUNCTION enrolments_raise_roster_version()""",
    """CREATE TRIGGER enrolments_roster_delete AFTER DELETE ON enrolments FOR EACH ROW
EXECUTE FUNCTION enrolments_raise_roster_version()""",
    """CREATE OR REPLACE FUNCTION users_raise_roster_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE classes SET roster_version = roster_version + 1
    WHERE id IN (SELECT class_id FROM enrolments WHERE user_id = NEW.id);
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER users_roster_update
AFTER UPDATE OF display_name, email ON users FOR EACH ROW
WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.email IS DISTINCT FROM NEW.email)
EXECUTE FUNCTION users_raise_roster_version()""",
)


def upgrade():
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('roster_version', sa.Integer(), server_default=sa.text('0'), nullable=False)
        )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == 'sqlite' else POSTGRESQL if dialect == 'postgresql' else ():
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    names = (
        'enrolments_roster_insert',
        'enrolments_roster_update',
        'enrolments_roster_delete',
    )
    if dialect == 'postgresql':
        for name in names:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON enrolments')
        op.execute('DROP TRIGGER IF EXISTS users_roster_update ON users')
        op.execute(
            'DROP FUNCTION IF EXISTS enrolments_raise_roster_version(), users_raise_roster_version()'
        )
    elif dialect == 'sqlite':
        for name in (*names, 'users_roster_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    # Not a batch: rebuilding classes on SQLite would fail its foreign keys once
    # enrolments point at it; SQLite (3.35 and newer) drops a column in place.
    op.drop_column('classes', 'roster_version')
