"""Intake's and dispatch's events in, as commands: each becomes `ApplyTicketInput` and goes through
the bus on the consumer's own transaction (its processed-events row commits with the clocks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.consumer import Handler
from shared.consumer.progress import OnProgress, Progress, TopicLayout
from shared.envelope import Envelope, EventMetadata
from shared.messagebus import MessageBus
from sla_monitor.adapters.inbound import DISPATCH_INPUTS, TICKET_INPUTS
from sla_monitor.adapters.translate import clock_input
from sla_monitor.domain.commands import ApplyTicketInput, InputTopics, PartitionRead, RecordInputsRead

ACTOR = "sla-monitor"
ACTOR_METADATA = EventMetadata(actor=ACTOR)


def clock_handlers(bus: MessageBus, wake_timer: Callable[[], None]) -> dict[str, Handler]:
    """Handlers by event type; `wake_timer` lets the timer look again (a new clock may be due sooner)."""

    async def on_input(conn: Any, event: Any, envelope: Envelope) -> None:
        command = ApplyTicketInput(
            input=clock_input(event),
            event_id=envelope.id,
            event_type=envelope.type,
            occurred_at=event.occurred_at,
            data=envelope.data,
        )
        await bus.handle(command, metadata=envelope.caused(ACTOR), conn=conn)
        wake_timer()

    return {cls.__name__: on_input for cls in (*TICKET_INPUTS, *DISPATCH_INPUTS)}


def inputs_read(bus: MessageBus, wake_timer: Callable[[], None]) -> OnProgress:
    """After each poll: how far each input partition is read (the timer's horizon moves with it), and
    which partitions the input topics have now (a vanished one must stop holding the timer back)."""

    async def on_progress(progress: list[Progress], layout: TopicLayout) -> None:
        partitions = tuple(
            PartitionRead(
                topic=p.topic,
                partition=p.partition,
                position=p.position,
                newest_ms=p.newest_ms,
                caught_up=p.caught_up,
                age_s=p.age_s,
            )
            for p in progress
        )
        if partitions:
            topics = InputTopics(subscribed=layout.subscribed, partitions=layout.partitions)
            await bus.handle(RecordInputsRead(partitions=partitions, topics=topics), metadata=ACTOR_METADATA)
            wake_timer()

    return on_progress
