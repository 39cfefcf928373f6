from shared.consumer.consumer import EventConsumer
from shared.consumer.work import ArrivedEarly, Handler

__all__ = ["ArrivedEarly", "EventConsumer", "Handler"]
