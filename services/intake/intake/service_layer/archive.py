"""Customer archive vocabulary: how archive ids are made (phones are matched as E.164: adapters.phones).

The archive's commands are in service_layer/handlers/archive.py, its SQL in adapters/archive.py,
its queries in views/archive.py.
"""

from __future__ import annotations

import uuid

from intake.domain.errors import ArchiveError

__all__ = ["ArchiveError", "new_id"]


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"
