"""Customer archive vocabulary: how a phone number is matched and how archive ids are made.

The archive's commands are in service_layer/handlers/archive.py, its SQL in adapters/archive.py,
its queries in views/archive.py.
"""

from __future__ import annotations

import re
import uuid

from intake.domain.errors import ArchiveError

__all__ = ["ArchiveError", "new_id", "phone_digits"]


def phone_digits(phone: str) -> str:
    """Digits only, without the China country prefix, so '+86 138-0013-8000' finds '13800138000'."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7:
            return digits[len(prefix) :]
    return digits


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"
