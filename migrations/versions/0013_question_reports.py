"""question_reports: a learner's report of a problem with a question (a wrong key, an
unclear question, a typo), which the deck's author reads on the set's page and marks
resolved.

A new table: nothing existing changes.

Revision ID: 0013_question_reports
Revises: 0012_regrading
Create Date: 2026-11-27 10:06:51

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_question_reports'
down_revision = '0012_regrading'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_question_reports_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_question_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_reports'))
    )
    with op.batch_alter_table('question_reports', schema=None) as batch_op:
        # The set page reads a deck's open reports by item.
        batch_op.create_index('ix_question_reports_item_id_resolved_at', ['item_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_reports_user_id'), ['user_id'], unique=False)
        # One open report per learner and question (a partial index: both databases).
        batch_op.create_index(
            'uq_question_reports_open', ['item_id', 'user_id'], unique=True,
            sqlite_where=sa.text('resolved_at IS NULL'),
            postgresql_where=sa.text('resolved_at IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('question_reports', schema=None) as batch_op:
        batch_op.drop_index('uq_question_reports_open')
        batch_op.drop_index(batch_op.f('ix_question_reports_user_id'))
        batch_op.drop_index('ix_question_reports_item_id_resolved_at')
    op.drop_table('question_reports')
