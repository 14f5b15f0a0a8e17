"""assignments.min_questions: how many questions a quiz must have to count for an
assignment (shorter quizzes are practice): 0 for any length, NULL for every question of
the deck, n for at least n (or the whole deck, if it had fewer).

Every existing assignment gets 0, any length, which is how they were graded before.

Revision ID: 0010_assignment_min_questions
Revises: 0009_temporary_password
Create Date: 2026-11-27 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_assignment_min_questions'
down_revision = '0009_temporary_password'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'assignments',
        sa.Column('min_questions', sa.Integer(), server_default='0', nullable=True),
    )


def downgrade():
    # SQLite has had ALTER TABLE ... DROP COLUMN since 3.35: no rebuild of the table.
    op.drop_column('assignments', 'min_questions')
