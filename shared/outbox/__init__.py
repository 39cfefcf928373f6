from shared.outbox.relay import LeadershipLost, OutboxRelay

__all__ = ["LeadershipLost", "OutboxRelay"]
