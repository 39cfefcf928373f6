"""Intake's and dispatch's events in, as commands: each becomes `ApplyTicketInput` and goes through
the bus on the consumer's own transaction (its processed-events row commits with the clocks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.consumer import Handler
from shared.envelope import Envelope
from shared.messagebus import MessageBus
from sla_monitor.adapters.inbound import DISPATCH_INPUTS, TICKET_INPUTS
from sla_monitor.adapters.translate import clock_input
from sla_monitor.domain.commands import ApplyTicketInput

ACTOR = "sla-monitor"


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
