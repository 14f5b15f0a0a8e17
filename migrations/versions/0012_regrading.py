"""Marking answers again when a teacher corrects a question's answer key:
responses.regraded_at, when a correction changed the answer's mark (the learner's result
page says so); responses.shown, the choices the answer was given to when they were not
those its quiz drew (a choice added since the quiz began); and items.key_version, raised
with every such correction, which an answer being saved checks, so that one graded
against the old key a moment before is graded again instead of stored
(quiz.services.quizzes.answer_question).

Every existing answer gets NULLs (its mark is the one it was given, to the choices its
quiz drew), every item 0.

Revision ID: 0012_regrading
Revises: 0011_attempt_practice
Create Date: 2026-11-27 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_regrading'
down_revision = '0011_attempt_practice'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column, and one with a constant default: both are added in place on
    # both databases, without rewriting tables that may hold millions of rows.
    op.add_column('responses', sa.Column('regraded_at', sa.DateTime(), nullable=True))
    op.add_column('responses', sa.Column('shown', sa.JSON(), nullable=True))
    op.add_column(
        'items',
        sa.Column('key_version', sa.Integer(), server_default=sa.text('0'), nullable=False),
    )


def downgrade():
    # SQLite has had ALTER TABLE ... DROP COLUMN since 3.35; a batch migration would
    # copy the whole table.
    op.drop_column('items', 'key_version')
    op.drop_column('responses', 'shown')
    op.drop_column('responses', 'regraded_at')
