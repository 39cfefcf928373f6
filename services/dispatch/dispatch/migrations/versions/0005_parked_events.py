"""Backbone v3: parked consumed events (issue 11: an event that arrives early is kept, not dropped).

Revision ID: 0005
Revises: 0003
"""

from shared.eventstore.schema_migrations import drop_early_events_v3, park_early_events_v3

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    park_early_events_v3()


def downgrade() -> None:
    drop_early_events_v3()
