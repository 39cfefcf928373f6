"""What every service runs besides its routes: engine, producer, outbox relay, consumers, migrations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from shared import kafka, migrations
from shared.asyncapi import asyncapi_document, restrict_to_producers
from shared.consumer import EventConsumer, Handler
from shared.consumer.progress import OnProgress
from shared.envelope import EventMetadata
from shared.eventstore import EventStore
from shared.group_commit import Flush, GroupCommit
from shared.logs import configure_logging
from shared.outbox import OutboxRelay
from shared.registry import EventRegistry
from shared.retention import Rule, run_retention
from shared.settings import ServiceSettings
from shared.topics import Topics
from shared.unit_of_work import Projection, SqlUnitOfWork

log = logging.getLogger(__name__)
U = TypeVar("U", bound=SqlUnitOfWork)
STOP_TIMEOUT_S = 10.0


@dataclass
class ConsumerSpec:
    """A consumer group of this service: which topics, which event types it handles."""

    name: str
    topics: Sequence[str]
    handlers: dict[str, Handler]
    max_poll_records: int = 500  # one poll is applied in one transaction
    on_progress: OnProgress | None = None  # how far each partition is read (shared.consumer.progress)
    # Topic -> the event types this consumer reads there (its views, grouped by producer), so its
    # AsyncAPI document pairs each handled type with its own topic; a topic not named lists them all.
    reads: Mapping[str, Collection[str]] = field(default_factory=dict)


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        registry: EventRegistry,
        *,
        output_topic: Callable[[Topics], str],
        migrations_path: Path,
        consumers: Callable[[ServiceRuntime], list[ConsumerSpec]] = lambda runtime: [],
        background: Callable[[ServiceRuntime], list[Callable[[], Awaitable[None]]]] = lambda r: [],
        on_start: Callable[[ServiceRuntime], Awaitable[None]] | None = None,
        retention_rules: Sequence[Rule] = (),
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.topics = Topics(settings.kafka_topic_prefix)
        self.output_topic = output_topic(self.topics)
        self.migrations_path = migrations_path
        self._consumer_specs = consumers
        self._background = background
        self._on_start = on_start
        self.retention_rules = tuple(retention_rules)  # the service's own tables, pruned with the backbone's
        self.store = EventStore(
            registry,
            source=f"/servicepact/{settings.service_name}",
            route=lambda event_type: self.output_topic,
            max_event_bytes=settings.max_event_bytes,
        )
        self._engine: AsyncEngine | None = None
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[EventConsumer] = []
        self._tasks: list[asyncio.Task] = []

    @property
    def engine(self) -> AsyncEngine:
        """The service's database engine (exists from `start()` on)."""
        if self._engine is None:
            raise RuntimeError("the service runtime is not started")
        return self._engine

    def unit_of_work(
        self,
        uow_class: type[U],
        metadata: EventMetadata,
        conn: AsyncConnection | None = None,
        projections: Sequence[Projection] = (),
    ) -> U:
        """A unit of work of the service's class: its own transaction, or joined to a consumer's `conn`."""
        if conn is not None:
            return uow_class(self.store, conn=conn, metadata=metadata, projections=projections)
        return uow_class(self.store, engine=self.engine, metadata=metadata, projections=projections)

    def group_commit(self, name: str, flush: Flush, **options: Any) -> GroupCommit:
        """Concurrent commands of one kind committed together (see shared.group_commit)."""
        return GroupCommit(name, self._started_engine, flush, **options)

    def _started_engine(self) -> AsyncEngine:
        return self.engine

    async def start(self) -> None:
        s = self.settings
        configure_logging(s.service_name, s.log_level)
        if s.run_migrations:
            await migrations.upgrade(s.database_url, self.migrations_path, topic_prefix=s.kafka_topic_prefix)
        self._engine = create_async_engine(s.database_url, pool_size=s.db_pool_size, max_overflow=10)
        producer = kafka.make_producer(s.kafka_bootstrap_servers, idempotent=s.kafka_idempotent_producer)
        await producer.start()
        self.producer = producer
        specs = self._consumer_specs(self)
        topics = {self.output_topic, *(t for spec in specs for t in spec.topics)}
        topics |= {self.topics.dead_letter(self._group(spec)) for spec in specs}
        await kafka.ensure_topics(
            s.kafka_bootstrap_servers,
            sorted(topics),
            partitions=s.kafka_topic_partitions,
            replication_factor=s.kafka_replication_factor,
        )
        if self._on_start is not None:
            await self._on_start(self)  # e.g. seed reference data, before consumers and jobs run
        if s.relay_enabled:
            self.relay = OutboxRelay(self.engine, self.producer, service=s.service_name)
            self._spawn("outbox-relay", self.relay.run)
        if s.consumers_enabled:
            for spec in specs:
                self._spawn(f"consumer:{spec.name}", self._consumer_loop(spec))
        self._spawn("retention", lambda: run_retention(self.engine, s, self.retention_rules))
        for index, job in enumerate(self._background(self)):
            self._spawn(f"background-{index}", job)
        log.info("service started", extra={"service": s.service_name})

    def _group(self, spec: ConsumerSpec) -> str:
        return f"{self.settings.kafka_topic_prefix}{self.settings.service_name}.{spec.name}"

    def _consumer_loop(self, spec: ConsumerSpec) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            group = self._group(spec)
            consumer = EventConsumer(
                name=group,
                topics=spec.topics,
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                engine=self.engine,
                registry=self.registry,
                handlers=spec.handlers,
                producer=self.producer,
                dead_letter_topic=self.topics.dead_letter(group),
                max_poll_records=spec.max_poll_records,
                on_progress=spec.on_progress,
            )
            self.consumers.append(consumer)
            await consumer.start()
            try:
                await consumer.run()
            finally:
                self.consumers.remove(consumer)
                await _bounded(consumer.stop(), f"consumer {group} stop")

        return run

    def _spawn(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        async def supervised() -> None:
            while True:
                try:
                    await job()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("background task crashed; restarting", extra={"task": name})
                    await asyncio.sleep(1.0)

        self._tasks.append(asyncio.create_task(supervised(), name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.warning("task did not stop", extra={"task": task.get_name(), "awaiting": _awaiting(task)})
        self._tasks.clear()
        if self.producer is not None:
            await _bounded(self.producer.stop(), "producer stop")  # unsent rows stay in the outbox
        if self._engine is not None:
            await self._engine.dispose()

    def asyncapi(self, version: str) -> dict:
        package = type(self.settings).__module__.split(".")[0]
        specs = self._consumer_specs(self)
        document = asyncapi_document(
            service=self.settings.service_name,
            version=version,
            publishes=(self.output_topic, self.registry, self.registry.types_of(f"{package}.domain")),
            consumes=[(t, sorted(spec.handlers)) for spec in specs for t in spec.topics],
        )
        # What is read from each topic, as the catalogue keeps it (there from what producers publish).
        reads: dict[str, set[str]] = {}
        for spec in specs:
            for topic, types in spec.reads.items():
                reads.setdefault(topic, set()).update(types)
        return restrict_to_producers(document, reads)

    async def database_ready(self) -> bool:
        if self._engine is None:
            return False
        try:
            async with self.engine.connect() as conn:
                async with asyncio.timeout(2.0):
                    await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001
            return False

    async def broker_ready(self) -> bool:
        return self.producer is not None and await kafka.broker_reachable(self.producer)


async def _bounded(stopping: Awaitable[None], what: str) -> None:
    """Shut-down must end within a pod's grace period even if the broker does not answer: a consumer
    that did not leave is expired by its session timeout, and unsent outbox rows stay for the next
    relay."""
    try:
        async with asyncio.timeout(STOP_TIMEOUT_S):
            await stopping
    except TimeoutError:
        log.warning("gave up waiting for a clean stop", extra={"what": what, "after_s": STOP_TIMEOUT_S})


def _awaiting(task: asyncio.Task) -> list[str]:
    """Where a suspended task waits: its chain of awaited coroutines (get_stack shows only the top)."""
    where: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None and hasattr(awaited, "cr_frame"):
        frame = awaited.cr_frame
        if frame is not None:
            where.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        awaited = awaited.cr_await
    if awaited is not None:
        where.append(repr(awaited)[:200])
    return where
