from shared.outbox.relay import LeadershipLost, OutboxRelay, PassIncomplete

__all__ = ["LeadershipLost", "OutboxRelay", "PassIncomplete"]
