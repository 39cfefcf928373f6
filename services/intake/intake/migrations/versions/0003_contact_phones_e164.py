"""Contacts' phones in E.164, one lookup key (frozen: later changes are new revisions).

Stored phones were free text with a digits-only lookup column. This rewrites each phone that
`phonenumbers` (region CN) reads as a valid number to its E.164 form, indexes `phone` and drops
`phone_digits`. A phone that is not a valid number is left as written (nothing is lost; it no longer
matches a lookup until corrected). The parsing is spelled out here rather than imported from the
application, so that this revision keeps doing what it did when the application's rule changes.

Revision ID: 0003
Revises: 0002
"""

import re

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, phone FROM contacts")).all()
    for contact_id, phone in rows:
        normalised = _e164(phone)
        if normalised is not None and normalised != phone:
            conn.execute(
                sa.text("UPDATE contacts SET phone = :phone WHERE id = :id"),
                {"phone": normalised, "id": contact_id},
            )
    op.drop_index(op.f("ix_contacts_phone_digits"), table_name="contacts")
    op.drop_column("contacts", "phone_digits")
    op.create_index(op.f("ix_contacts_phone"), "contacts", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contacts_phone"), table_name="contacts")
    op.add_column("contacts", sa.Column("phone_digits", sa.Text(), nullable=True))
    conn = op.get_bind()
    for contact_id, phone in conn.execute(sa.text("SELECT id, phone FROM contacts")).all():
        digits = re.sub(r"\D", "", phone)
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) >= 7:
                digits = digits[len(prefix) :]
                break
        conn.execute(
            sa.text("UPDATE contacts SET phone_digits = :digits WHERE id = :id"),
            {"digits": digits, "id": contact_id},
        )
    op.alter_column("contacts", "phone_digits", nullable=False)
    op.create_index(op.f("ix_contacts_phone_digits"), "contacts", ["phone_digits"], unique=False)
