"""Catalog texts per language: translations on movies, people and genres, a generated text per language, sort titles per language; jobs.locale

local_sort_titles starts empty: `flask seed reindex` (and every load) fills it;
until it is complete, lists sorted by title use the main title.

Revision ID: 609781ef14d5
Revises: 7b3e9d1c5a20
Create Date: 2026-12-04 18:50:26.938932

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '609781ef14d5'
down_revision = '7b3e9d1c5a20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('local_sort_titles',
    sa.Column('movie_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['movie_id'], ['movies.id'], name=op.f('fk_local_sort_titles_movie_id_movies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('movie_id', 'language', name=op.f('pk_local_sort_titles'))
    )
    with op.batch_alter_table('local_sort_titles', schema=None) as batch_op:
        batch_op.create_index('ix_local_sort_titles_language_key', ['language', 'key', 'movie_id'], unique=False)

    with op.batch_alter_table('generated_texts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_generated_texts_crew_job'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_generated_texts_genre_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_generated_texts_movie_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_generated_texts_person_id'), type_='unique')
        batch_op.create_unique_constraint('uq_generated_texts_crew_job_language', ['crew_job', 'language'])
        batch_op.create_unique_constraint('uq_generated_texts_genre_language', ['genre_id', 'language'])
        batch_op.create_unique_constraint('uq_generated_texts_movie_language', ['movie_id', 'language'])
        batch_op.create_unique_constraint('uq_generated_texts_person_language', ['person_id', 'language'])

    with op.batch_alter_table('genres', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('movies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))



def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('movies', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('genres', schema=None) as batch_op:
        batch_op.drop_column('translations')

    # One text per subject again: keep each subject's first (the main language's, written first).
    op.execute(
        "DELETE FROM generated_texts WHERE id NOT IN (SELECT MIN(id) FROM generated_texts"
        " GROUP BY movie_id, person_id, genre_id, crew_job)"
    )
    with op.batch_alter_table('generated_texts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_generated_texts_person_language', type_='unique')
        batch_op.drop_constraint('uq_generated_texts_movie_language', type_='unique')
        batch_op.drop_constraint('uq_generated_texts_genre_language', type_='unique')
        batch_op.drop_constraint('uq_generated_texts_crew_job_language', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_generated_texts_person_id'), ['person_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_generated_texts_movie_id'), ['movie_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_generated_texts_genre_id'), ['genre_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_generated_texts_crew_job'), ['crew_job'])

    with op.batch_alter_table('local_sort_titles', schema=None) as batch_op:
        batch_op.drop_index('ix_local_sort_titles_language_key')

    op.drop_table('local_sort_titles')
