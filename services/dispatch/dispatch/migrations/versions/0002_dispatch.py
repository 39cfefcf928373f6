"""Technicians, jobs, roster, repair history and maintenance read models (frozen: later changes are
new revisions).

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
        "jobs",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("technician_id", sa.Text(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("product_line", sa.Text(), nullable=True),
        sa.Column("on_site_required", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Text(), nullable=True),
        sa.Column("account_engineer_id", sa.Text(), nullable=True),
        sa.Column("queued", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
        sa.UniqueConstraint("job_id"),
    )
    op.create_index("jobs_queue_idx", "jobs", ["opened_at"], unique=False, postgresql_where=sa.text("queued"))
    op.create_index("jobs_technician_idx", "jobs", ["technician_id", "status"], unique=False)
    op.create_table(
        "maintenance_schedules",
        sa.Column("schedule_id", sa.Text(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("schedule_id"),
    )
    op.create_table(
        "maintenance_visits",
        sa.Column("visit_id", sa.Text(), nullable=False),
        sa.Column("schedule_id", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("notify_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Text(), nullable=True),
        sa.Column("contract_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    op.create_index(
        op.f("ix_maintenance_visits_schedule_id"), "maintenance_visits", ["schedule_id"], unique=False
    )
    op.create_index(
        "maintenance_visits_due_idx",
        "maintenance_visits",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("status <> 'completed'"),
    )
    op.create_table(
        "repairs",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Text(), nullable=False),
        sa.Column("fault_code", sa.Text(), nullable=True),
        sa.Column("technician_id", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("repairs_unit_idx", "repairs", ["unit_id", "resolved_at"], unique=False)
    op.create_table(
        "rosters",
        sa.Column("roster_id", sa.Text(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("roster_id"),
    )
    op.create_table(
        "technicians",
        sa.Column("technician_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("skills", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("home_region", sa.Text(), nullable=False),
        sa.Column("regions", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("load", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("technician_id"),
    )


def downgrade() -> None:
    op.drop_table("technicians")
    op.drop_table("rosters")
    op.drop_index("repairs_unit_idx", table_name="repairs")
    op.drop_table("repairs")
    op.drop_index(
        "maintenance_visits_due_idx",
        table_name="maintenance_visits",
        postgresql_where=sa.text("status <> 'completed'"),
    )
    op.drop_index(op.f("ix_maintenance_visits_schedule_id"), table_name="maintenance_visits")
    op.drop_table("maintenance_visits")
    op.drop_table("maintenance_schedules")
    op.drop_index("jobs_technician_idx", table_name="jobs")
    op.drop_index("jobs_queue_idx", table_name="jobs", postgresql_where=sa.text("queued"))
    op.drop_table("jobs")
