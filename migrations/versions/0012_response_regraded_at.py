"""responses.regraded_at: when a teacher's correction of a question's answer key marked
the answer again (and changed its mark), so that the learner's result page can say so.

Every existing answer gets NULL: its mark is the one it was given.

Revision ID: 0012_response_regraded_at
Revises: 0011_attempt_practice
Create Date: 2026-11-27 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_response_regraded_at'
down_revision = '0011_attempt_practice'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column with no default: added in place on both databases, without
    # rewriting a table that may hold millions of answers.
    op.add_column('responses', sa.Column('regraded_at', sa.DateTime(), nullable=True))


def downgrade():
    # SQLite has had ALTER TABLE ... DROP COLUMN since 3.35; a batch migration would
    # copy the whole table.
    op.drop_column('responses', 'regraded_at')
