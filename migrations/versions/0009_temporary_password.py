"""users.temporary_password_at: when a teacher (or an operator) gave the account a
temporary password; until its owner chooses their own, every page asks them to, and the
temporary password stops working after a few days.

Every existing account gets NULL: nobody is asked to change a password they chose.

Revision ID: 0009_temporary_password
Revises: 0008_review_undo
Create Date: 2026-11-27 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_temporary_password'
down_revision = '0008_review_undo'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: SQLite adds it in place, with no copy of the table (and so
    # none of the triggers on users is dropped and made again).
    op.add_column('users', sa.Column('temporary_password_at', sa.DateTime(), nullable=True))


def downgrade():
    # Not a batch migration: on SQLite that would rebuild `users` and drop its roster
    # trigger (0007). SQLite has had ALTER TABLE ... DROP COLUMN since 3.35.
    op.drop_column('users', 'temporary_password_at')
