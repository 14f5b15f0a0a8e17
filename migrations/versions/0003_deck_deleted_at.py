"""Teachers' sets: a deleted set that learners used is kept, marked deleted.

Revision ID: 0003_deck_deleted_at
Revises: 0002_study
Create Date: 2026-11-26 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_deck_deleted_at'
down_revision = '0002_study'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('decks', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
