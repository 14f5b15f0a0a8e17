"""users.desired_retention: how likely a learner wants to be to remember a flashcard when
it comes back (FSRS's desired retention), which they choose in their settings.

Every existing account gets 0.9, the value every card was scheduled with until now.

Revision ID: 0015_desired_retention
Revises: 0014_card_count_versions
Create Date: 2026-11-28 00:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_desired_retention'
down_revision = '0014_card_count_versions'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (as 0009): SQLite adds it in place, keeping the triggers on users.
    op.add_column(
        'users',
        sa.Column('desired_retention', sa.Double(), server_default=sa.text('0.9'), nullable=False),
    )


def downgrade():
    # Not a batch migration, which on SQLite would rebuild `users` and drop its triggers.
    op.drop_column('users', 'desired_retention')
