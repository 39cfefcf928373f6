"""Runs one outbox relay drain in its own process, so a test can SIGKILL it mid-way."""

import asyncio
import sys

from sqlalchemy.ext.asyncio import create_async_engine

from shared import kafka
from shared.outbox import OutboxRelay


async def main(database_url: str, bootstrap: str) -> None:
    engine = create_async_engine(database_url)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    try:
        relay = OutboxRelay(engine, producer, service="crash-test")
        while await relay.publish_batch():
            pass
    finally:
        await producer.stop()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
