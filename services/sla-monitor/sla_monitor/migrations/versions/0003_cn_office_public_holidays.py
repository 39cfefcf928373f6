"""The seeded `cn-office` calendar follows the China public holidays (data only, no schema change).

Seeding inserts a calendar only when it is absent, so a database seeded before calendars could
name `public_holidays` keeps a `cn-office` without holidays; this adds the reference to the one China
calendar (`shared.calendars.china`) unless an operator already set one.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE calendars SET document = document || CAST('{"public_holidays": "china"}' AS jsonb),
                             updated_at = now()
        WHERE calendar_id = 'cn-office' AND document -> 'public_holidays' IS NULL
        """
    )


def downgrade() -> None:
    op.execute("UPDATE calendars SET document = document - 'public_holidays' WHERE calendar_id = 'cn-office'")
