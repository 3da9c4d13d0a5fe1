"""sensors, sensor_readings, sensor_hours: city sensors' latest state, raw readings and hourly summaries

Why: the MQTT feed (issue 22) brings thousands of devices reporting every few seconds; the wall shows each
device's status and its 24-hour chart, and replay shows how they read at a past time. Raw readings are kept for
days, hourly summaries for months (store/sensors.py, `[sensors] raw_days` and `hourly_months`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sensors',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('feed', sa.String(length=64), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('grid_id', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('reading_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_sensors'),
    )
    op.create_table(
        'sensor_readings',
        sa.Column('sensor_id', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('sensor_id', 'at', name='pk_sensor_readings'),
    )
    op.create_index('ix_sensor_readings_at', 'sensor_readings', ['at'], unique=False)
    op.create_table(
        'sensor_hours',
        sa.Column('sensor_id', sa.String(length=64), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('total', sa.Float(), nullable=False),
        sa.Column('low', sa.Float(), nullable=False),
        sa.Column('high', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('sensor_id', 'hour', name='pk_sensor_hours'),
    )
    op.create_index('ix_sensor_hours_hour', 'sensor_hours', ['hour'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sensor_hours_hour', table_name='sensor_hours')
    op.drop_table('sensor_hours')
    op.drop_index('ix_sensor_readings_at', table_name='sensor_readings')
    op.drop_table('sensor_readings')
    op.drop_table('sensors')
