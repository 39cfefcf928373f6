"""Customer archive and ticket/complaint read models.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from intake.adapters.tables import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    metadata.create_all(bind)
    # Partial, case-insensitive company search (Chinese names included) stays fast with trigrams.
    op.execute("CREATE INDEX companies_name_trgm ON companies USING gin (lower(name) gin_trgm_ops)")


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
