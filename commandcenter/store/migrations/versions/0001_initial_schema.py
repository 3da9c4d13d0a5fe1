"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:27:35.610506
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('alerts',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('feed', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_drill_id'), ['drill_id'], unique=False)
        batch_op.create_index('ix_alerts_status_expires', ['status', 'expires_at'], unique=False)

    op.create_table('feed_cursors',
    sa.Column('feed', sa.String(length=64), nullable=False),
    sa.Column('cursor', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('feed', name=op.f('pk_feed_cursors'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('feed', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_level', sa.String(length=16), nullable=True),
    sa.Column('on_the_spot', sa.Boolean(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('timeline_len', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_closed', ['closed_at'], unique=False)
        batch_op.create_index('ix_incidents_drill', ['drill_id'], unique=False)
        batch_op.create_index('ix_incidents_grid_updated', ['grid_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_incidents_open_updated', ['is_open', 'updated_at'], unique=False)
        batch_op.create_index('ix_incidents_reported', ['reported_at'], unique=False)
        batch_op.create_index('ix_incidents_updated', ['updated_at'], unique=False)

    op.create_table('kpi_rollup',
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('grain', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('drill', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('disposed', sa.BigInteger(), nullable=False),
    sa.Column('closed', sa.BigInteger(), nullable=False),
    sa.Column('followed_up', sa.BigInteger(), nullable=False),
    sa.Column('on_spot', sa.BigInteger(), nullable=False),
    sa.Column('lvl_grid', sa.BigInteger(), nullable=False),
    sa.Column('lvl_community', sa.BigInteger(), nullable=False),
    sa.Column('lvl_street', sa.BigInteger(), nullable=False),
    sa.Column('lvl_higher', sa.BigInteger(), nullable=False),
    sa.Column('acc_n', sa.BigInteger(), nullable=False),
    sa.Column('acc_s', sa.Float(), nullable=False),
    sa.Column('arr_n', sa.BigInteger(), nullable=False),
    sa.Column('arr_s', sa.Float(), nullable=False),
    sa.Column('em_n', sa.BigInteger(), nullable=False),
    sa.Column('em_ok', sa.BigInteger(), nullable=False),
    sa.Column('em_resp_ok', sa.BigInteger(), nullable=False),
    sa.Column('em_arr_ok', sa.BigInteger(), nullable=False),
    sa.Column('em_ass_ok', sa.BigInteger(), nullable=False),
    sa.Column('sat_n', sa.BigInteger(), nullable=False),
    sa.Column('sat_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat_good', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('node_id', 'grain', 'bucket', 'category', 'drill', name=op.f('pk_kpi_rollup'))
    )
    op.create_table('kpi_snapshots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('include_drill', sa.Boolean(), nullable=False),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_snapshots'))
    )
    with op.batch_alter_table('kpi_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_snapshots_node_taken', ['node_id', 'taken_at'], unique=False)

    op.create_table('operator_actions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('console', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_actions'))
    )
    with op.batch_alter_table('operator_actions', schema=None) as batch_op:
        batch_op.create_index('ix_operator_actions_at', ['at'], unique=False)
        batch_op.create_index('ix_operator_actions_target', ['target_kind', 'target_id'], unique=False)

    op.create_table('quarantine',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('feed', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine'))
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index('ix_quarantine_received', ['received_at'], unique=False)

    op.create_table('record_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('feed', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_log'))
    )
    with op.batch_alter_table('record_log', schema=None) as batch_op:
        batch_op.create_index('ix_record_log_received', ['received_at'], unique=False)

    op.create_table('resources',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('feed', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('incident_id', sa.String(length=64), nullable=True),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resources_drill_id'), ['drill_id'], unique=False)

    op.create_table('store_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_store_meta'))
    )
    op.create_table('territory',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('grid_worker', sa.String(length=100), nullable=False),
    sa.Column('grid_head', sa.String(length=100), nullable=False),
    sa.Column('polygon', sa.Text(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=True),
    sa.Column('min_lat', sa.Float(), nullable=True),
    sa.Column('max_lon', sa.Float(), nullable=True),
    sa.Column('max_lat', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_territory'))
    )
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territory_parent_id'), ['parent_id'], unique=False)

    op.create_table('alert_updates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_updates_alert_id_alerts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_updates'))
    )
    with op.batch_alter_table('alert_updates', schema=None) as batch_op:
        batch_op.create_index('ix_alert_updates_alert_at', ['alert_id', 'updated_at'], unique=False)

    op.create_table('incident_status',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handler', sa.String(length=100), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_status_incident_id_incidents'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_status')),
    sa.UniqueConstraint('incident_id', 'seq', name='uq_incident_status_incident_seq')
    )
    with op.batch_alter_table('incident_status', schema=None) as batch_op:
        batch_op.create_index('ix_incident_status_at', ['at'], unique=False)

    op.create_table('resource_status',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('incident_id', sa.String(length=64), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('drill_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_status_resource_id_resources'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_status'))
    )
    with op.batch_alter_table('resource_status', schema=None) as batch_op:
        batch_op.create_index('ix_resource_status_resource_at', ['resource_id', 'at'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('resource_status', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_status_resource_at')

    op.drop_table('resource_status')
    with op.batch_alter_table('incident_status', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_status_at')

    op.drop_table('incident_status')
    with op.batch_alter_table('alert_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_updates_alert_at')

    op.drop_table('alert_updates')
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_parent_id'))

    op.drop_table('territory')
    op.drop_table('store_meta')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_drill_id'))

    op.drop_table('resources')
    with op.batch_alter_table('record_log', schema=None) as batch_op:
        batch_op.drop_index('ix_record_log_received')

    op.drop_table('record_log')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index('ix_quarantine_received')

    op.drop_table('quarantine')
    with op.batch_alter_table('operator_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_operator_actions_target')
        batch_op.drop_index('ix_operator_actions_at')

    op.drop_table('operator_actions')
    with op.batch_alter_table('kpi_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_snapshots_node_taken')

    op.drop_table('kpi_snapshots')
    op.drop_table('kpi_rollup')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_updated')
        batch_op.drop_index('ix_incidents_reported')
        batch_op.drop_index('ix_incidents_open_updated')
        batch_op.drop_index('ix_incidents_grid_updated')
        batch_op.drop_index('ix_incidents_drill')
        batch_op.drop_index('ix_incidents_closed')

    op.drop_table('incidents')
    op.drop_table('feed_cursors')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_status_expires')
        batch_op.drop_index(batch_op.f('ix_alerts_drill_id'))

    op.drop_table('alerts')

