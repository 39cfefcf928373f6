from shared.eventstore.store import EventStore, StoredEvent
from shared.eventstore.tables import backbone_metadata, events, outbox, processed_events

__all__ = ["EventStore", "StoredEvent", "backbone_metadata", "events", "outbox", "processed_events"]
