"""Customer archive and ticket/complaint read models (frozen: later changes are new revisions).

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
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "companies",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "complaints_view",
        sa.Column("complaint_id", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    op.create_index(op.f("ix_complaints_view_ticket_id"), "complaints_view", ["ticket_id"], unique=False)
    op.create_table(
        "tickets_view",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("contract_id", sa.Text(), nullable=True),
        sa.Column("site_id", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("technician_id", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("caller", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("tickets_view_customer_idx", "tickets_view", ["customer_id", "ticket_id"], unique=False)
    op.create_index("tickets_view_status_idx", "tickets_view", ["status", "ticket_id"], unique=False)
    op.create_index(
        "tickets_view_technician_idx", "tickets_view", ["technician_id", "ticket_id"], unique=False
    )
    op.create_table(
        "unit_repairs",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Text(), nullable=False),
        sa.Column("fault_code", sa.Text(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index(op.f("ix_unit_repairs_unit_id"), "unit_repairs", ["unit_id"], unique=False)
    op.create_table(
        "contacts",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("company_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("phone_digits", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("is_main", sa.Boolean(), server_default="false", nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contacts_company_id"), "contacts", ["company_id"], unique=False)
    op.create_index(op.f("ix_contacts_phone_digits"), "contacts", ["phone_digits"], unique=False)
    op.create_table(
        "contracts",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("company_id", sa.Text(), nullable=False),
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("calendar_id", sa.Text(), nullable=False),
        sa.Column("on_site_regions", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("remote_only_elsewhere", sa.Boolean(), nullable=False),
        sa.Column("warranty_terms", sa.Text(), nullable=True),
        sa.Column("paid_maintenance_until", sa.Date(), nullable=True),
        sa.Column("account_engineer_id", sa.Text(), nullable=True),
        sa.Column("sales_rep_id", sa.Text(), nullable=True),
        sa.Column("three_guarantees_variant", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contracts_company_id"), "contracts", ["company_id"], unique=False)
    op.create_table(
        "sites",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("company_id", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sites_company_id"), "sites", ["company_id"], unique=False)
    op.create_table(
        "units",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("company_id", sa.Text(), nullable=False),
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("contract_id", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("serial_number", sa.Text(), nullable=False),
        sa.Column("product_line", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("days_out_of_service", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("serial_number"),
    )
    op.create_index(op.f("ix_units_company_id"), "units", ["company_id"], unique=False)
    # Partial, case-insensitive company search (Chinese names included) stays fast with trigrams.
    op.execute("CREATE INDEX companies_name_trgm ON companies USING gin (lower(name) gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS companies_name_trgm")
    op.drop_index(op.f("ix_units_company_id"), table_name="units")
    op.drop_table("units")
    op.drop_index(op.f("ix_sites_company_id"), table_name="sites")
    op.drop_table("sites")
    op.drop_index(op.f("ix_contracts_company_id"), table_name="contracts")
    op.drop_table("contracts")
    op.drop_index(op.f("ix_contacts_phone_digits"), table_name="contacts")
    op.drop_index(op.f("ix_contacts_company_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index(op.f("ix_unit_repairs_unit_id"), table_name="unit_repairs")
    op.drop_table("unit_repairs")
    op.drop_index("tickets_view_technician_idx", table_name="tickets_view")
    op.drop_index("tickets_view_status_idx", table_name="tickets_view")
    op.drop_index("tickets_view_customer_idx", table_name="tickets_view")
    op.drop_table("tickets_view")
    op.drop_index(op.f("ix_complaints_view_ticket_id"), table_name="complaints_view")
    op.drop_table("complaints_view")
    op.drop_table("companies")
