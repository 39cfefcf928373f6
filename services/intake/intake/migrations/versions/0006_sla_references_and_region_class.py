"""Issue 12: the SLA policies and calendars intake knows of; a site's region class.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_references",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reference_id", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "reference_id"),
    )
    op.add_column("sites", sa.Column("region_class", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("sites", "region_class")
    op.drop_table("sla_references")
