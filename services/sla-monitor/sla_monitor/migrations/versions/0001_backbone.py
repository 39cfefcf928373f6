"""Backbone tables: events, outbox, processed events, API keys.

Revision ID: 0001
"""

from shared.eventstore.schema_migrations import create_backbone_v1, drop_backbone_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_backbone_v1()


def downgrade() -> None:
    drop_backbone_v1()
