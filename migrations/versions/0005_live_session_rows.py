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
    # Read the blobs first: on SQLite the batch operation recreates live_sessions, and dropping the old table
    # would cascade to rows already moved.
    connection = op.get_bind()
    blobs = connection.execute(sa.text("SELECT id, rows FROM live_sessions WHERE rows IS NOT NULL")).fetchall()
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('rows')
    op.create_table('live_session_rows',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('first_frame', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_session_rows_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'first_frame', name=op.f('pk_live_session_rows'))
    )
    for session_id, data in blobs:
        connection.execute(sa.text("INSERT INTO live_session_rows (session_id, first_frame, data) "
                                   "VALUES (:id, 0, :data)"), {"id": session_id, "data": bytes(data)})


def downgrade():
    connection = op.get_bind()
    chunks = connection.execute(sa.text(
        "SELECT session_id, data FROM live_session_rows ORDER BY session_id, first_frame")).fetchall()
    op.drop_table('live_session_rows')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows', sa.LargeBinary(), nullable=True))
    joined = {}
    for session_id, data in chunks:
        joined[session_id] = joined.get(session_id, b"") + bytes(data)
    for session_id, data in joined.items():
        connection.execute(sa.text("UPDATE live_sessions SET rows = :data WHERE id = :id"),
                           {"data": data, "id": session_id})
