"""One handler per command, `async def verb(command, uow)`; the bus runs them (none yet)."""

from typing import Any

from shared.messagebus import Handler

HANDLERS: dict[type[Any], Handler] = {}
