"""Technicians, jobs, roster and repair history read models.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from dispatch.adapters.tables import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
