from shared.eventstore.store import EventStore, StoredEvent, StreamAppend
from shared.eventstore.tables import backbone_metadata, events, outbox, processed_events

__all__ = [
    "EventStore",
    "StoredEvent",
    "StreamAppend",
    "backbone_metadata",
    "events",
    "outbox",
    "processed_events",
]
