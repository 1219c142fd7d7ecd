"""hub cache: districts, sync runs, institution endpoint

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:38:59.842305
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('okato', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('hub_id', name=op.f('uq_district_hub_id'))
    )
    op.create_table('sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_url', sa.String(length=400), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('failures', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_run'))
    )
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('endpoint_url', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('synced_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('settlement_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_institution_district_id_district'), 'district', ['district_id'], ['id'])




def downgrade() -> None:

    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_institution_district_id_district'), type_='foreignkey')
        batch_op.alter_column('settlement_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('synced_at')
        batch_op.drop_column('endpoint_url')
        batch_op.drop_column('district_id')

    op.drop_table('sync_run')
    op.drop_table('district')

