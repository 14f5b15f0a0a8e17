"""cards.suspended: a learner sets a card aside ("don't show me this card") and brings it
back later; a suspended card is never due and keeps its memory state. 0: not suspended;
1: suspended; 2: a card never studied, held aside by its row alone (see
quiz.models.study.Suspension).

Every existing card is not suspended.

Revision ID: 0016_card_suspended
Revises: 0015_desired_retention
Create Date: 2026-11-28 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_card_suspended'
down_revision = '0015_desired_retention'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: SQLite adds it in place, keeping the triggers on cards (0014).
    op.add_column(
        'cards',
        sa.Column('suspended', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    )


def downgrade():
    # Not a batch migration, which on SQLite would rebuild `cards` and drop its triggers.
    op.drop_column('cards', 'suspended')
