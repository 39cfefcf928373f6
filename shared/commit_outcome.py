"""Was it committed? The one classification of a failure around COMMIT, for every write path.

A COMMIT (or a lone autocommitted statement, which is its own commit) that fails because the server
refused it (a deferred constraint, a serialization failure...) applied nothing: the command may be
re-run. One that fails because the connection was lost, the backend terminated or our side timed out
may have been applied: the server can commit and the answer never arrive. Re-running it could apply
the command twice, and answering "internal error" invites the client to do the same; the caller gets
`CommitOutcomeUnknown` instead (a 503 problem that says so), and decides: read the result back, or
retry with the same Idempotency-Key.

Used by the group commit (`shared.group_commit`) and the plain unit of work (`shared.unit_of_work`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from shared.errors import CommitOutcomeUnknown


def certainly_rolled_back(exc: BaseException) -> bool:
    """Did the server itself refuse (a constraint, a serialization failure...), so that nothing was
    applied? A lost connection, a terminated backend or a timeout on our side leaves it unknown."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return bool(sqlstate) and not sqlstate.startswith(("08", "57P"))


@contextmanager
def committing(what: str = "command") -> Iterator[None]:
    """Wrap the COMMIT (or the self-committing statement): a failure that may have been applied is
    raised as `CommitOutcomeUnknown` (the original as its cause); a certain rollback as itself."""
    try:
        yield
    except CommitOutcomeUnknown:
        raise
    except Exception as exc:
        if certainly_rolled_back(exc):
            raise
        raise CommitOutcomeUnknown(what) from exc
