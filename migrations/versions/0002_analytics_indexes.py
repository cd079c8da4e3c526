"""Indexes for the analytics queries: stage moves, closing entries, open active entries, closed
opportunities per cycle (measured at scale 100 in benchmarks/analytics.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 23:17:58.597010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_opportunity_cycle_closed', 'opportunity', ['sales_cycle_code', 'date_closed'], unique=False, postgresql_include=['creation_date', 'status'], postgresql_where=sa.text('closed'))
    op.create_index('ix_opportunity_entry_active_open', 'opportunity_entry', ['opportunity_no'], unique=False, postgresql_include=['entry_no', 'sales_cycle_code', 'action_taken', 'date_of_change'], postgresql_where=sa.text('active AND date_closed IS NULL'))
    op.create_index('ix_opportunity_entry_closing', 'opportunity_entry', ['date_closed'], unique=False, postgresql_include=['action_taken', 'salesperson_code', 'sales_cycle_code', 'estimated_value', 'calculated_current_value'], postgresql_where=sa.text('active AND date_closed IS NOT NULL'))
    op.create_index('ix_opportunity_entry_stage_moves', 'opportunity_entry', ['sales_cycle_code', 'opportunity_no', 'entry_no'], unique=False, postgresql_include=['sales_cycle_stage', 'date_of_change', 'action_taken'], postgresql_where=sa.text("action_taken <> 'UPDATED'"))


def downgrade() -> None:
    op.drop_index('ix_opportunity_entry_stage_moves', table_name='opportunity_entry', postgresql_include=['sales_cycle_stage', 'date_of_change', 'action_taken'], postgresql_where=sa.text("action_taken <> 'UPDATED'"))
    op.drop_index('ix_opportunity_entry_closing', table_name='opportunity_entry', postgresql_include=['action_taken', 'salesperson_code', 'sales_cycle_code', 'estimated_value', 'calculated_current_value'], postgresql_where=sa.text('active AND date_closed IS NOT NULL'))
    op.drop_index('ix_opportunity_entry_active_open', table_name='opportunity_entry', postgresql_include=['entry_no', 'sales_cycle_code', 'action_taken', 'date_of_change'], postgresql_where=sa.text('active AND date_closed IS NULL'))
    op.drop_index('ix_opportunity_cycle_closed', table_name='opportunity', postgresql_include=['creation_date', 'status'], postgresql_where=sa.text('closed'))
