"""Identifiers that sort by creation time (cursor pagination follows creation order)."""

import secrets
import time


def time_ordered_id(prefix: str) -> str:
    return f"{prefix}-{time.time_ns() // 1_000_000:011x}{secrets.token_hex(5)}"
