"""review_logs: what each review changed, so that a learner can undo their last rating.

Reviews logged before this revision keep NULLs (and card_created false): they cannot be
undone, which only ever concerns the latest review of a learner.

Revision ID: 0008_review_undo
Revises: 0007_class_roster_version
Create Date: 2026-11-27 03:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_review_undo'
down_revision = '0007_class_roster_version'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: SQLite adds them in place, with no copy of the table.
    op.add_column(
        'review_logs',
        sa.Column('card_created', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column('review_logs', sa.Column('before_state', sa.SmallInteger(), nullable=True))
    op.add_column('review_logs', sa.Column('before_step', sa.Integer(), nullable=True))
    op.add_column('review_logs', sa.Column('before_stability', sa.Double(), nullable=True))
    op.add_column('review_logs', sa.Column('before_difficulty', sa.Double(), nullable=True))
    op.add_column('review_logs', sa.Column('before_due', sa.DateTime(), nullable=True))
    op.add_column('review_logs', sa.Column('before_last_review', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_column('before_last_review')
        batch_op.drop_column('before_due')
        batch_op.drop_column('before_difficulty')
        batch_op.drop_column('before_stability')
        batch_op.drop_column('before_step')
        batch_op.drop_column('before_state')
        batch_op.drop_column('card_created')
