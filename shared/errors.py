"""Errors of the common library (infrastructure level; domains have their own).

The two that a client can meet are `DomainError`s, so the one problem+json handler answers them.
"""

from shared.domain_errors import DomainError


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


class EventTooLarge(DomainError):
    """An event whose encoded message would exceed what the broker accepts: refused at append, since
    an outbox row that can never be published would block its stream."""

    code = "event_too_large"
    status = 413
    title = "Event too large"
    problem_type = "/problems/event-too-large"

    def __init__(self, event_type: str, size: int, limit: int) -> None:
        super().__init__(
            f"{event_type} would be a {size}-byte message; the limit is {limit} bytes (max_event_bytes)",
            field=None,
        )
        self.event_type = event_type
        self.size = size
        self.limit = limit

    def problem_extensions(self) -> dict[str, object]:
        return {"event_type": self.event_type, "size": self.size, "limit": self.limit}


class CommitOutcomeUnknown(DomainError):
    """The connection was lost while COMMIT was in flight: the command may or may not have been
    applied. Re-running it blindly could apply it twice, so the caller is told so and decides (read
    the result back, or retry with the same Idempotency-Key)."""

    code = "commit_outcome_unknown"
    status = 503
    title = "Outcome unknown"
    problem_type = "/problems/commit-outcome-unknown"

    def __init__(self, what: str = "command") -> None:
        super().__init__(
            f"the database connection was lost while the {what} was committing: it may or may not "
            "have been applied; check before retrying, or retry with the same Idempotency-Key",
            state="unknown",
        )
