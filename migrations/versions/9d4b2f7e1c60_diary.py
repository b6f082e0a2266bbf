"""watched diary

Revision ID: 9d4b2f7e1c60
Revises: 7a3e91c2d5f8
Create Date: 2026-11-26 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4b2f7e1c60'
down_revision = '7a3e91c2d5f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('diary_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('movie_id', sa.Integer(), nullable=False),
    sa.Column('watched_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['movie_id'], ['movies.id'], name=op.f('fk_diary_entries_movie_id_movies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_diary_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_entries'))
    )
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.create_index('ix_diary_entries_movie_id', ['movie_id'], unique=False)
        batch_op.create_index('ix_diary_entries_user_watched', ['user_id', 'watched_on', 'id'], unique=False)
    # A member's reviews, newest first, for the profile.
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_user_created', ['user_id', 'created_at'], unique=False)
    with op.batch_alter_table('watchlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_watchlist_entries_user_added', ['user_id', 'added_at'], unique=False)


def downgrade():
    with op.batch_alter_table('watchlist_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_watchlist_entries_user_added')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_user_created')
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_diary_entries_user_watched')
        batch_op.drop_index('ix_diary_entries_movie_id')
    op.drop_table('diary_entries')
