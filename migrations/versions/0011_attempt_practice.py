"""attempts.checks_answers: a practice quiz that checks each answer as it is given; and
attempts.whole_deck: the quiz had every quiz question its deck had when it started.

Every existing attempt gets checks_answers false: it was taken with the answers checked
at the end. whole_deck is set for those with at least as many questions as their deck
has now (the best guess: how many it had then is not recorded).

0009 to 0011 were revised before they first landed (no release ran the earlier forms).

Revision ID: 0011_attempt_practice
Revises: 0010_assignment_min_questions
Create Date: 2026-11-27 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_attempt_practice'
down_revision = '0010_assignment_min_questions'
branch_labels = None
depends_on = None


def upgrade():
    # A constant default: PostgreSQL (11 and later) and SQLite add the column without
    # rewriting the table, which may hold millions of attempts.
    op.add_column(
        'attempts',
        sa.Column('checks_answers', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        'attempts',
        sa.Column('whole_deck', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Only the rows that become true are written (each write of a submitted attempt
    # raises its deck's results_version, by the triggers of 0006). A deck without quiz
    # questions has no quiz of the whole deck.
    quiz_questions = (
        "(SELECT count(*) FROM items WHERE items.deck_id = attempts.deck_id"
        " AND NOT items.retired"
        " AND items.kind IN ('single', 'multiple', 'true_false', 'ordering'))"
    )
    op.execute(
        f"UPDATE attempts SET whole_deck = true"
        f" WHERE total >= {quiz_questions} AND {quiz_questions} > 0"
    )


def downgrade():
    # Not a batch migration: on SQLite that would rebuild `attempts` and drop the
    # triggers that raise decks.results_version (0006).
    op.drop_column('attempts', 'whole_deck')
    op.drop_column('attempts', 'checks_answers')
