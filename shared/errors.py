"""Errors of the common library (infrastructure level; domains have their own)."""


class ConcurrencyConflict(Exception):
    """An append used a stale expected version: someone else wrote to the stream first."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None = None):
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(f"stream {stream_id}: expected version {expected_version}, found {actual_version}")


class MalformedEvent(Exception):
    """A message that is not a valid event of a known type (goes to the dead-letter topic)."""

    reason = "malformed"


class UnknownEventType(MalformedEvent):
    reason = "unknown_type"
