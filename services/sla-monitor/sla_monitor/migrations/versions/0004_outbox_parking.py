"""Backbone v2: parked outbox rows (issue 11: one unpublishable row must not stop the outbox).

Revision ID: 0004
"""

from shared.eventstore.schema_migrations import park_outbox_rows_v2, unpark_outbox_rows_v2

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    park_outbox_rows_v2()


def downgrade() -> None:
    unpark_outbox_rows_v2()
