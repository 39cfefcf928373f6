from shared.consumer.consumer import EventConsumer, Handler
from shared.consumer.work import ArrivedEarly

__all__ = ["ArrivedEarly", "EventConsumer", "Handler"]
