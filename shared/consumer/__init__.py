from shared.consumer.consumer import EventConsumer, Handler

__all__ = ["EventConsumer", "Handler"]
