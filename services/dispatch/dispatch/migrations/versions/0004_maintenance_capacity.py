"""Maintenance that does not starve breakdowns (issue 12 item 6): a visit's completion date (since-last
cadences count from it), and technicians' `load` counting breakdown jobs only (a visit's job never
holds capacity a breakdown needs), recomputed from the jobs table.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TERMINAL = "('resolved', 'cancelled')"


def _recompute_load(where: str) -> None:
    op.execute(
        f"""
        UPDATE technicians AS t SET load = coalesce((
            SELECT count(*) FROM jobs AS j
            WHERE j.technician_id = t.technician_id AND j.status NOT IN {_TERMINAL} {where}
        ), 0)
        """
    )


def upgrade() -> None:
    op.add_column("maintenance_visits", sa.Column("completed_on", sa.Date(), nullable=True))
    op.execute("UPDATE maintenance_visits SET completed_on = due_on WHERE status = 'completed'")
    _recompute_load("AND j.severity IS DISTINCT FROM 'maintenance'")


def downgrade() -> None:
    _recompute_load("")
    op.drop_column("maintenance_visits", "completed_on")
