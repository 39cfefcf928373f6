from shared.consumer.consumer import EventConsumer, Handler
from shared.consumer.parking import ArrivedEarly

__all__ = ["ArrivedEarly", "EventConsumer", "Handler"]
