"""staff and cabinet accounts, visit ratings, feedback

One cabinet account per СНИЛС and per patient: unique constraints, so that two workstations on a
shared PostgreSQL issuing at once cannot both succeed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:57:02.580976
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('patronymic', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('new', 'in_progress', 'answered', 'closed', name='feedbackstatus', native_enum=False, length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('handled_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_request'))
    )
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_request_status_created', ['status', 'created_at'], unique=False)

    op.create_table('staff_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('operator', 'clerk', 'admin', name='staffrole', native_enum=False, length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=True),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
    sa.UniqueConstraint('login', name=op.f('uq_staff_account_login'))
    )
    op.create_table('cabinet_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=11), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('one_time_expires_at', sa.DateTime(), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('is_blocked', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('sms_second_factor', sa.Boolean(), nullable=False),
    sa.Column('sms_reminders', sa.Boolean(), nullable=False),
    sa.Column('sign_in_code_hash', sa.String(length=200), nullable=True),
    sa.Column('sign_in_code_expires_at', sa.DateTime(), nullable=True),
    sa.Column('sign_in_code_attempts', sa.Integer(), nullable=False),
    sa.Column('consent_form_signed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=True),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_cabinet_account_patient_id_patient'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cabinet_account')),
    sa.UniqueConstraint('login', name=op.f('uq_cabinet_account_login')),
    sa.UniqueConstraint('patient_id', name=op.f('uq_cabinet_account_patient_id'))
    )
    op.create_table('visit_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_key', sa.String(length=64), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('review', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_visit_rating_stars_1_to_5')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_visit_rating_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_rating'))
    )
    with op.batch_alter_table('visit_rating', schema=None) as batch_op:
        batch_op.create_index('ix_visit_rating_patient', ['patient_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('visit_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_rating_patient')

    op.drop_table('visit_rating')
    op.drop_table('cabinet_account')
    op.drop_table('staff_account')
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_request_status_created')

    op.drop_table('feedback_request')
