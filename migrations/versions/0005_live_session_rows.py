"""live session rows: each batch's measured rows appended in their own row instead of one blob rewritten

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_session_rows',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('first_frame', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_session_rows_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'first_frame', name=op.f('pk_live_session_rows'))
    )
    op.execute("INSERT INTO live_session_rows (session_id, first_frame, data) "
               "SELECT id, 0, rows FROM live_sessions WHERE rows IS NOT NULL")
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('rows')


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows', sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    chunks = connection.execute(sa.text(
        "SELECT session_id, data FROM live_session_rows ORDER BY session_id, first_frame")).fetchall()
    joined = {}
    for session_id, data in chunks:
        joined[session_id] = joined.get(session_id, b"") + bytes(data)
    for session_id, data in joined.items():
        connection.execute(sa.text("UPDATE live_sessions SET rows = :data WHERE id = :id"),
                           {"data": data, "id": session_id})
    op.drop_table('live_session_rows')
