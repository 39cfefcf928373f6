"""Days out of service and the 三包 terms' columns (issue 13, items 3 and 4).

`unit_outages`: each ticket's days out of service per unit (projection of ticket events); a unit's
`days_out_of_service` and `out_of_service_reasons` are computed from them. Contracts say whether
chargeable work waits for consent; units may have a shorter on-site service term; a recorded repair
keeps its cause and the day it was reported (the repeated-fault rules need both).

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "units", sa.Column("out_of_service_reasons", ARRAY(sa.Text()), nullable=False, server_default="{}")
    )
    op.add_column("units", sa.Column("on_site_service_months", sa.Integer(), nullable=True))
    op.add_column(
        "contracts",
        sa.Column("consent_required_before_work", sa.Boolean(), nullable=False, server_default="false"),
    )
    op.add_column("unit_repairs", sa.Column("cause", sa.Text(), nullable=True))
    op.add_column("unit_repairs", sa.Column("reported_on", sa.Date(), nullable=True))
    op.create_table(
        "unit_outages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("waited_for_parts", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("cause", sa.Text(), nullable=True),
    )
    op.create_index("ix_unit_outages_ticket_id", "unit_outages", ["ticket_id"])
    op.create_index("ix_unit_outages_unit_id", "unit_outages", ["unit_id"])


def downgrade() -> None:
    op.drop_table("unit_outages")
    op.drop_column("unit_repairs", "reported_on")
    op.drop_column("unit_repairs", "cause")
    op.drop_column("contracts", "consent_required_before_work")
    op.drop_column("units", "on_site_service_months")
    op.drop_column("units", "out_of_service_reasons")
