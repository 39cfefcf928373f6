from shared.outbox.relay import OutboxRelay

__all__ = ["OutboxRelay"]
