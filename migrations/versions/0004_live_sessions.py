"""live sessions: sets coached live, with their running state when the database is the session store

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exercise', sa.String(length=40), nullable=False),
    sa.Column('keypoint_format', sa.String(length=16), nullable=False),
    sa.Column('target_reps', sa.Integer(), nullable=True),
    sa.Column('target_seconds', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('analysis_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=True),
    sa.Column('rows', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['analysis_id'], ['analyses.id'], name=op.f('fk_live_sessions_analysis_id_analyses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions'))
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_sessions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_status'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_user_id'))

    op.drop_table('live_sessions')
