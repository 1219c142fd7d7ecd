"""addresses and districts: streets, houses, участки and their rules

The address registry (streets with house coordinates) and the участки of institutions with the
rules that give them houses, for «Поиск участка» and «Ближайшие к адресу». The street search
column uses the C collation on PostgreSQL, like every normalised search column (prefix ranges).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 11:20:41.318204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _search_text(length: int) -> sa.types.TypeEngine[str]:
    # The models' ``search_text``: binary order on both engines for prefix-range searches.
    return sa.String(length).with_variant(sa.String(length, collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('street',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_norm', _search_text(200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlement.id'], name=op.f('fk_street_settlement_id_settlement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street')),
    sa.UniqueConstraint('settlement_id', 'name_norm', 'kind', name=op.f('uq_street_settlement_id_name_norm_kind'))
    )
    op.create_table('house',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('letter', sa.String(length=4), nullable=False),
    sa.Column('korpus', sa.String(length=8), nullable=False),
    sa.Column('stroenie', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['street_id'], ['street.id'], name=op.f('fk_house_street_id_street'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_house')),
    sa.UniqueConstraint('street_id', 'label', name=op.f('uq_house_street_id_label'))
    )
    with op.batch_alter_table('house', schema=None) as batch_op:
        batch_op.create_index('ix_house_street_number', ['street_id', 'number'], unique=False)

    op.create_table('medical_district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('doctor_name', sa.String(length=200), nullable=False),
    sa.Column('doctor_post', sa.String(length=200), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['doctor_id'], ['doctor.id'], name=op.f('fk_medical_district_doctor_id_doctor'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_medical_district_institution_id_institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medical_district')),
    sa.UniqueConstraint('institution_id', 'kind', 'number', name=op.f('uq_medical_district_institution_id_kind_number'))
    )
    op.create_table('district_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('from_number', sa.Integer(), nullable=True),
    sa.Column('to_number', sa.Integer(), nullable=True),
    sa.Column('house_label', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['medical_district.id'], name=op.f('fk_district_rule_district_id_medical_district'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['street_id'], ['street.id'], name=op.f('fk_district_rule_street_id_street'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_rule'))
    )
    with op.batch_alter_table('district_rule', schema=None) as batch_op:
        batch_op.create_index('ix_district_rule_district', ['district_id'], unique=False)
        batch_op.create_index('ix_district_rule_street', ['street_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('district_rule', schema=None) as batch_op:
        batch_op.drop_index('ix_district_rule_street')
        batch_op.drop_index('ix_district_rule_district')

    op.drop_table('district_rule')
    op.drop_table('medical_district')
    with op.batch_alter_table('house', schema=None) as batch_op:
        batch_op.drop_index('ix_house_street_number')

    op.drop_table('house')
    op.drop_table('street')
