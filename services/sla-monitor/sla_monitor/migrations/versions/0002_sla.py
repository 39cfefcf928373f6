"""Policies, calendars, clock state (durable timers), emission guard, what-if inputs (frozen: later
changes are new revisions).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendars",
        sa.Column("calendar_id", sa.Text(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("calendar_id"),
    )
    op.create_table(
        "policies",
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("policy_id"),
    )
    op.create_table(
        "sla_emissions",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("clock", sa.Text(), nullable=False),
        sa.Column("threshold", sa.Text(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("emitted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "clock", "threshold", name="sla_emissions_once"),
    )
    op.create_table(
        "sla_inputs",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        "sla_inputs_opened_idx",
        "sla_inputs",
        ["occurred_at"],
        unique=False,
        postgresql_where=sa.text("event_type = 'TicketOpened'"),
    )
    op.create_index("sla_inputs_ticket_idx", "sla_inputs", ["ticket_id", "occurred_at"], unique=False)
    op.create_table(
        "sla_tickets",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("state", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index(
        "sla_tickets_due_idx",
        "sla_tickets",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("due_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "sla_tickets_due_idx", table_name="sla_tickets", postgresql_where=sa.text("due_at IS NOT NULL")
    )
    op.drop_table("sla_tickets")
    op.drop_index("sla_inputs_ticket_idx", table_name="sla_inputs")
    op.drop_index(
        "sla_inputs_opened_idx",
        table_name="sla_inputs",
        postgresql_where=sa.text("event_type = 'TicketOpened'"),
    )
    op.drop_table("sla_inputs")
    op.drop_table("sla_emissions")
    op.drop_table("policies")
    op.drop_table("calendars")
