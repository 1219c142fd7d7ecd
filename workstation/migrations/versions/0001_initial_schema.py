"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 19:58:56.839752
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def _search_text(length: int) -> sa.types.TypeEngine[str]:
    # Code-point ordering for the prefix-range searches (see models.base.search_text).
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('patronymic', sa.String(length=100), nullable=False),
    sa.Column('last_name_norm', _search_text(100), nullable=False),
    sa.Column('first_name_norm', _search_text(100), nullable=False),
    sa.Column('search_name', _search_text(310), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('snils', sa.String(length=11), nullable=True),
    sa.Column('oms_number', sa.String(length=40), nullable=True),
    sa.Column('oms_kind', sa.String(length=16), nullable=True),
    sa.Column('passport', sa.String(length=10), nullable=True),
    sa.Column('dms_insurer', sa.String(length=200), nullable=True),
    sa.Column('dms_number', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('consent_given_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('oms_number', name=op.f('uq_patient_oms_number')),
    sa.UniqueConstraint('snils', name=op.f('uq_patient_snils'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index('ix_patient_birth_last_name', ['birth_date', 'last_name_norm'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_dms_number'), ['dms_number'], unique=False)
        batch_op.create_index('ix_patient_last_name_first_name', ['last_name_norm', 'first_name_norm'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_passport'), ['passport'], unique=False)

    op.create_table('settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_norm', _search_text(120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('municipal_district', sa.String(length=120), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('okato', sa.String(length=11), nullable=True),
    sa.Column('oktmo', sa.String(length=11), nullable=True),
    sa.Column('fias_guid', sa.String(length=36), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('in_portal_selector', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement')),
    sa.UniqueConstraint('code', name=op.f('uq_settlement_code'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_name_norm'), ['name_norm'], unique=False)

    op.create_table('institution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sa.String(length=400), nullable=False),
    sa.Column('short_name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=400), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('registry_phones', sa.String(length=200), nullable=False),
    sa.Column('working_hours', sa.String(length=200), nullable=False),
    sa.Column('site', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('oid', sa.String(length=100), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['institution.id'], name=op.f('fk_institution_parent_id_institution')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlement.id'], name=op.f('fk_institution_settlement_id_settlement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution')),
    sa.UniqueConstraint('hub_id', name=op.f('uq_institution_hub_id'))
    )
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institution_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_institution_settlement_short_name', ['settlement_id', 'short_name'], unique=False)

    op.create_table('journal_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('operator', sa.String(length=64), nullable=False),
    sa.Column('workstation_address', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=200), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_journal_event_patient_id_patient'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_event'))
    )
    with op.batch_alter_table('journal_event', schema=None) as batch_op:
        batch_op.create_index('ix_journal_event_at', ['at'], unique=False)
        batch_op.create_index('ix_journal_event_patient_at', ['patient_id', 'at'], unique=False)

    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=400), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_department_institution_id_institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('institution_id', 'name', name=op.f('uq_department_institution_id_name'))
    )
    op.create_table('patient_lpu_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('hub_patient_id', sa.String(length=64), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_patient_lpu_link_institution_id_institution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_lpu_link_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_lpu_link')),
    sa.UniqueConstraint('patient_id', 'institution_id', name=op.f('uq_patient_lpu_link_patient_id_institution_id'))
    )
    op.create_table('specialty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.String(length=64), nullable=False),
    sa.Column('federal_code', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_specialty_institution_id_institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_specialty')),
    sa.UniqueConstraint('institution_id', 'hub_id', name=op.f('uq_specialty_institution_id_hub_id'))
    )
    with op.batch_alter_table('specialty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_specialty_federal_code'), ['federal_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_specialty_name'), ['name'], unique=False)

    op.create_table('doctor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('full_name_norm', _search_text(200), nullable=False),
    sa.Column('specialty_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('area_number', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_doctor_department_id_department')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_doctor_institution_id_institution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['specialty_id'], ['specialty.id'], name=op.f('fk_doctor_specialty_id_specialty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doctor')),
    sa.UniqueConstraint('institution_id', 'hub_id', name=op.f('uq_doctor_institution_id_hub_id'))
    )
    with op.batch_alter_table('doctor', schema=None) as batch_op:
        batch_op.create_index('ix_doctor_department_specialty', ['department_id', 'specialty_id'], unique=False)

        batch_op.create_index('ix_doctor_institution_department', ['institution_id', 'department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_doctor_full_name_norm'), ['full_name_norm'], unique=False)
        batch_op.create_index(batch_op.f('ix_doctor_specialty_id'), ['specialty_id'], unique=False)

    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.String(length=128), nullable=False),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=400), nullable=False),
    sa.Column('state', sa.Enum('free', 'taken', 'held', 'booked', name='slotstate', native_enum=False, length=16), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['doctor_id'], ['doctor.id'], name=op.f('fk_slot_doctor_id_doctor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot')),
    sa.UniqueConstraint('doctor_id', 'hub_id', name=op.f('uq_slot_doctor_id_hub_id'))
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index('ix_slot_doctor_start', ['doctor_id', 'start'], unique=False)
        batch_op.create_index('ix_slot_start_state', ['start', 'state'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_number', sa.String(length=32), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=False),
    sa.Column('hub_appointment_id', sa.String(length=128), nullable=False),
    sa.Column('visit_start', sa.DateTime(), nullable=False),
    sa.Column('visit_end', sa.DateTime(), nullable=True),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('state', sa.Enum('held', 'pending_confirmation', 'booked', 'cancelled', 'annulled', 'visited', 'no_show', name='appointmentstate', native_enum=False, length=24), nullable=False),
    sa.Column('source', sa.Enum('contact_center', 'registry', 'cabinet', 'portal', name='appointmentsource', native_enum=False, length=24), nullable=False),
    sa.Column('operator', sa.String(length=64), nullable=False),
    sa.Column('workstation', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['doctor_id'], ['doctor.id'], name=op.f('fk_appointment_doctor_id_doctor')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_appointment_institution_id_institution')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_appointment_patient_id_patient')),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_appointment_slot_id_slot'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('ticket_number', name=op.f('uq_appointment_ticket_number'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_doctor_start', ['doctor_id', 'visit_start'], unique=False)
        batch_op.create_index('ix_appointment_patient_start', ['patient_id', 'visit_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_state'), ['state'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_state'))
        batch_op.drop_index('ix_appointment_patient_start')
        batch_op.drop_index('ix_appointment_doctor_start')

    op.drop_table('appointment')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_start_state')
        batch_op.drop_index('ix_slot_doctor_start')

    op.drop_table('slot')
    with op.batch_alter_table('doctor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doctor_specialty_id'))
        batch_op.drop_index(batch_op.f('ix_doctor_full_name_norm'))
        batch_op.drop_index('ix_doctor_institution_department')
        batch_op.drop_index('ix_doctor_department_specialty')

    op.drop_table('doctor')
    with op.batch_alter_table('specialty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_specialty_name'))
        batch_op.drop_index(batch_op.f('ix_specialty_federal_code'))

    op.drop_table('specialty')
    op.drop_table('patient_lpu_link')
    op.drop_table('department')
    with op.batch_alter_table('journal_event', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_event_patient_at')
        batch_op.drop_index('ix_journal_event_at')

    op.drop_table('journal_event')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_index('ix_institution_settlement_short_name')
        batch_op.drop_index(batch_op.f('ix_institution_parent_id'))

    op.drop_table('institution')
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_name_norm'))

    op.drop_table('settlement')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_passport'))
        batch_op.drop_index('ix_patient_last_name_first_name')
        batch_op.drop_index(batch_op.f('ix_patient_dms_number'))
        batch_op.drop_index('ix_patient_birth_last_name')

    op.drop_table('patient')
    
