"""booking lifecycle: holds, intents, confirmations, sms outbox, ticket counter, journal guard

The journal becomes append-only in the database itself: a trigger refuses UPDATE and DELETE
on ``journal_event`` on both engines, so no code path of the application can rewrite history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:59:11.507930
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

FIRST_TICKET_NUMBER = 100000000

_JOURNAL_GUARD_PG = """
CREATE FUNCTION journal_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal_event is append-only';
END;
$$ LANGUAGE plpgsql
"""


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_counter',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ticket_counter'))
    )
    op.create_table('booking_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=200), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_booking_confirmation_appointment_id_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_confirmation')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_booking_confirmation_appointment_id'))
    )
    with op.batch_alter_table('booking_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_confirmation_expires_at'), ['expires_at'], unique=False)

    op.create_table('hub_intent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('book', 'cancel', name='intentkind', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'done', 'refused', 'rolled_back', name='intentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('endpoint_url', sa.String(length=400), nullable=False),
    sa.Column('operator', sa.String(length=64), nullable=False),
    sa.Column('workstation', sa.String(length=128), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('recheck_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_hub_intent_appointment_id_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_intent'))
    )
    with op.batch_alter_table('hub_intent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hub_intent_recheck_until'), ['recheck_until'], unique=False)
        batch_op.create_index('ix_hub_intent_status', ['status'], unique=False)

    op.create_table('sms_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('confirmation_code', 'booked', 'annulment', 'cancellation', 'reminder', 'other', name='smskind', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sent', 'delivered', 'failed', name='smsstatus', native_enum=False, length=16), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('gateway', sa.String(length=32), nullable=False),
    sa.Column('provider_message_id', sa.String(length=128), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_sms_message_appointment_id_appointment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_message'))
    )
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_message_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_sms_message_status_next', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hub_patient_id', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('hold_expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('booked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(), nullable=True))
        batch_op.create_index('uq_appointment_active_slot', ['institution_id', 'hub_appointment_id'], unique=True, sqlite_where=sa.text("state IN ('held', 'pending_confirmation', 'booked')"), postgresql_where=sa.text("state IN ('held', 'pending_confirmation', 'booked')"))

    op.bulk_insert(
        sa.table('ticket_counter', sa.column('name', sa.String), sa.column('value', sa.Integer)),
        [{'name': 'ticket', 'value': FIRST_TICKET_NUMBER}],
    )
    _guard_journal()


def _guard_journal() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_JOURNAL_GUARD_PG)
        op.execute(
            'CREATE TRIGGER journal_event_append_only BEFORE UPDATE OR DELETE ON journal_event '
            'FOR EACH ROW EXECUTE FUNCTION journal_event_append_only()'
        )
        return
    for verb in ('UPDATE', 'DELETE'):
        op.execute(
            f'CREATE TRIGGER journal_event_no_{verb.lower()} BEFORE {verb} ON journal_event '
            "BEGIN SELECT RAISE(ABORT, 'journal_event is append-only'); END"
        )


def _unguard_journal() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER journal_event_append_only ON journal_event')
        op.execute('DROP FUNCTION journal_event_append_only()')
        return
    for verb in ('update', 'delete'):
        op.execute(f'DROP TRIGGER journal_event_no_{verb}')


def downgrade() -> None:
    _unguard_journal()
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('uq_appointment_active_slot', sqlite_where=sa.text("state IN ('held', 'pending_confirmation', 'booked')"), postgresql_where=sa.text("state IN ('held', 'pending_confirmation', 'booked')"))
        batch_op.drop_column('reminder_sent_at')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('booked_at')
        batch_op.drop_column('hold_expires_at')
        batch_op.drop_column('phone')
        batch_op.drop_column('hub_patient_id')

    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_message_status_next')
        batch_op.drop_index(batch_op.f('ix_sms_message_appointment_id'))

    op.drop_table('sms_message')
    with op.batch_alter_table('hub_intent', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_intent_status')
        batch_op.drop_index(batch_op.f('ix_hub_intent_recheck_until'))

    op.drop_table('hub_intent')
    with op.batch_alter_table('booking_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_confirmation_expires_at'))

    op.drop_table('booking_confirmation')
    op.drop_table('ticket_counter')
