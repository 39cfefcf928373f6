"""A time zone per contract (SPEC 2.3/2.4: "a time zone per contract (default Asia/Shanghai)").

The contracts read model gets `time_zone` (an IANA name); every contract saved before it was judged
in Asia/Shanghai, so that is what its row says (the events of those contracts carry no zone and
replay as Asia/Shanghai too).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "contracts", sa.Column("time_zone", sa.Text(), nullable=False, server_default="Asia/Shanghai")
    )


def downgrade() -> None:
    op.drop_column("contracts", "time_zone")
