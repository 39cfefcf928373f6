"""Ticket intake over real HTTP: POST /tickets until the ticket is durable and its TicketOpened is on Kafka.

The intake service runs as its own process (`uvicorn --factory intake.entrypoints.app:create_app`,
UVICORN_WORKERS workers, no access log, LOG_LEVEL=WARNING) against a fresh database on the run's
PostgreSQL and the run's broker (unique topic prefix, dev-issuer tokens, rate limit lifted). The bench
creates one customer with a site, a contract and a unit through the archive API, then CONCURRENCY
loops, each on its own keep-alive HTTP/1.1 connection (requests written by hand: httpx's pool cost the
bench ~6 ms of CPU per request, more than the service spends), post tickets for LOAD_SECONDS, each with
its own Idempotency-Key. A consumer in the bench process reads the tickets topic from the start meanwhile.

- intake.tickets_per_s: tickets created (201) / (first request sent -> last of their TicketOpened
  events received from Kafka by the bench consumer).
- intake.create_p50_ms, intake.create_p99_ms: HTTP latency of POST /tickets (201 answers) as seen by
  the client, i.e. including queueing behind the other in-flight requests.
- raw durable INSERT rate of the same run: `raw.pg_durable_insert_per_s` when the backbone bench ran
  before in this run (not re-emitted), else measured again here with backbone.raw_insert_rate and
  emitted as intake.raw_pg_durable_insert_per_s; intake.ratio_to_raw is tickets_per_s over it.

Caveat: the load generator (HTTP client, JSON, the Kafka consumer) runs on the same machine as the service,
PostgreSQL and the broker; on the 2-core bench machine it takes a sizeable share of the CPU, so these
figures are a lower bound for the service itself. Concurrent openings are group-committed
(`shared/group_commit.py`): before that, with one transaction per ticket, the same bench gave ~540
tickets/s, p50 ~95 ms, p99 ~375 ms (the workers' CPU went to round trips: BEGIN, claim, facts, append,
read model, remember, COMMIT for every ticket). Two uvicorn workers (one per core) beat one.

Requests that fail at the transport level are counted and printed, not retried; they are neither
tickets nor latencies. Non-201 answers are counted the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer

from bench.backbone import raw_insert_rate
from bench.support import fresh_database, percentile
from shared.auth.dev_issuer import load_or_create_key, mint
from shared.devstack.processes import free_port, spawn, stop
from shared.testing.infra import Infra
from shared.testing.waiting import publish
from shared.topics import Topics

ROOT = Path(__file__).resolve().parents[1]
UVICORN_WORKERS = 2  # one per core (see the docstring)
CONCURRENCY = 64
LOAD_SECONDS = 15.0
READY_TIMEOUT_S = 90.0
DRAIN_TIMEOUT_S = 120.0


def _headers(key, role: str, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(key, subject=sub, roles=[role], ttl_s=3600)}"}


def _start_service(database_url: str, bootstrap: str, prefix: str, key_file: Path, port: int, log_path: Path):
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "services" / "intake")]),
            "INTAKE_DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "KAFKA_TOPIC_PREFIX": prefix,
            "KAFKA_IDEMPOTENT_PRODUCER": "false",  # the embedded Tansu broker does not support it
            "AUTH_DEV_ISSUER": "true",
            "AUTH_DEV_KEY_FILE": str(key_file),
            # shared.settings reads the limit from RATE_LIMIT_PER_MINUTE (an alias: no INTAKE_ prefix).
            "RATE_LIMIT_PER_MINUTE": "100000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "intake.entrypoints.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        str(UVICORN_WORKERS),
    ]
    return spawn(argv, log_path=log_path, env=env, cwd=str(ROOT))


async def _wait_ready(client: httpx.AsyncClient, process, log_path: Path) -> None:
    deadline = time.perf_counter() + READY_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            log = await asyncio.to_thread(log_path.read_text)
            raise RuntimeError(f"intake exited with {process.returncode}:\n{log[-3000:]}")
        try:
            if (await client.get("/readyz", timeout=2.0)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    log = await asyncio.to_thread(log_path.read_text)
    raise TimeoutError(f"intake /readyz not ready after {READY_TIMEOUT_S}s:\n{log[-3000:]}")


async def _customer(
    client: httpx.AsyncClient, admin: dict[str, str], bootstrap: str, prefix: str
) -> dict[str, str]:
    """One customer with a site, a contract and a unit under warranty (as the intake integration tests).

    Intake refuses a contract naming a policy the SLA monitor has not published, so the bench publishes
    seed-003's `PolicyPublished` as the SLA monitor would, and saves the contract once intake has read it.
    """

    async def post(path: str, body: dict, known_after_s: float = 0.0) -> str:
        deadline = time.perf_counter() + known_after_s
        while True:
            response = await client.post(path, json=body, headers=admin)
            if response.status_code == 201:
                return response.json()["id"]
            if response.status_code != 422 or time.perf_counter() > deadline:
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
            await asyncio.sleep(0.1)

    await publish(
        bootstrap,
        Topics(prefix).sla,
        type_="PolicyPublished",
        subject="seed-003",
        source="/sla-monitor",
        data={"policy_id": "seed-003", "name": "seed-003", "occurred_at": datetime.now(UTC).isoformat()},
    )

    company = await post("/customers", {"name": "上海明珠电梯有限公司"})
    await post(
        f"/customers/{company}/contacts", {"name": "王经理", "phone": "+86 138-0013-8000", "is_main": True}
    )
    site = await post(
        f"/customers/{company}/sites", {"address": "浦东大道 1 号", "city": "Shanghai", "region": "SH"}
    )
    contract = await post(
        f"/customers/{company}/contracts",
        {
            "policy_id": "seed-003",
            "calendar_id": "7x24",
            "on_site_regions": ["SH"],
            "starts_on": "2024-01-01",
            "account_engineer_id": "tech-1",
            "sales_rep_id": "sales-9",
        },
        known_after_s=30.0,
    )
    unit = await post(
        f"/customers/{company}/units",
        {
            "site_id": site,
            "contract_id": contract,
            "model": "EL-3000",
            "serial_number": "SN-0001",
            "product_line": "elevator",
            "accepted_on": "2025-06-01",
            "warranty_months": 24,
        },
    )
    return {"company": company, "unit": unit}


class _OpenedCounter:
    """Reads the tickets topic from the start; remembers when each ticket's TicketOpened arrived."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.arrived: dict[str, float] = {}  # ticket id -> perf_counter when first seen

    async def start(self) -> None:
        await self.consumer.start()

    async def run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    headers = dict(record.headers or ())
                    if headers.get("ce_type") == b"TicketOpened":
                        self.arrived.setdefault(headers["ce_subject"].decode(), now)

    async def stop(self) -> None:
        await self.consumer.stop()


class _RawHttp:
    """One keep-alive HTTP/1.1 connection, requests written by hand: the load generator shares the
    bench machine's two cores with the service, and httpx's pool costs ~6 ms of CPU per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, headers: dict[str, str], payload: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n{head}\r\n".encode()
            + payload
        )
        assert self.reader is not None
        status_and_headers = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in status_and_headers.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return int(status_and_headers[9:12]), await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _load(port: int, headers: dict[str, str], body: dict):
    """CONCURRENCY loops, one connection each, posting tickets until LOAD_SECONDS have passed."""
    latencies: list[float] = []
    created: list[str] = []
    failures: dict[str, int] = {}
    failed_at: list[float] = []
    run = uuid.uuid4().hex[:8]
    payload = json.dumps(body).encode()
    started = time.perf_counter()
    stop_at = started + LOAD_SECONDS

    async def worker(index: int) -> None:
        connection = _RawHttp(port)
        sequence = 0
        try:
            while time.perf_counter() < stop_at:
                sequence += 1
                request_headers = {**headers, "Idempotency-Key": f"bench-{run}-{index}-{sequence}"}
                sent = time.perf_counter()
                try:
                    status, answer = await connection.post_json("/tickets", request_headers, payload)
                except (OSError, asyncio.IncompleteReadError) as exc:  # counted, not retried, no latency
                    connection.close()
                    failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                    failed_at.append(time.perf_counter() - started)
                    continue
                if status == 201:
                    latencies.append(time.perf_counter() - sent)
                    created.append(json.loads(answer)["ticket_id"])
                else:
                    failures[str(status)] = failures.get(str(status), 0) + 1
        finally:
            connection.close()

    await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
    if failed_at:
        times = ", ".join(f"{t:.1f}" for t in failed_at)
        print(f"   transport failures at {times} s into the load", flush=True)
    return started, time.perf_counter(), latencies, created, failures


async def _measure(infra: Infra, work: Path) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    database_url = await fresh_database(infra, "intake")
    key_file = work / "dev-signing-key.pem"
    key = load_or_create_key(key_file)
    port = free_port()
    log_path = work / "intake.log"
    process = _start_service(database_url, infra.bootstrap_servers, prefix, key_file, port, log_path)
    counter: _OpenedCounter | None = None
    reader: asyncio.Task | None = None
    try:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", http2=False, limits=limits, timeout=60.0
        ) as client:
            await _wait_ready(client, process, log_path)
            customer = await _customer(
                client, _headers(key, "ops-admin", "bench-admin"), infra.bootstrap_servers, prefix
            )
            body = {
                "customer_id": customer["company"],
                "channel": "phone",
                "severity": "P2",
                "description": "电梯困人 elevator stuck between floors",
                "unit_id": customer["unit"],
                "caller": {"name": "王经理", "phone": "13800138000"},
            }
            counter = _OpenedCounter(infra.bootstrap_servers, Topics(prefix).tickets)
            await counter.start()
            reader = asyncio.create_task(counter.run())
            started, load_done, latencies, created, failures = await _load(
                port, _headers(key, "integration", "bench-gw"), body
            )
        print(
            f"   {len(created):,} tickets created in {load_done - started:.1f} s"
            f" ({UVICORN_WORKERS} uvicorn workers, {CONCURRENCY} in flight)"
            + (f", failures: {failures}" if failures else ""),
            flush=True,
        )
        if not created:
            raise RuntimeError(f"no ticket was created; failures: {failures}\n{log_path.read_text()[-3000:]}")
        wanted = set(created)
        deadline = time.perf_counter() + DRAIN_TIMEOUT_S
        while not wanted.issubset(counter.arrived):
            if reader.done():
                reader.result()  # re-raises the consumer's failure
            if time.perf_counter() > deadline:
                missing = len(wanted - counter.arrived.keys())
                raise TimeoutError(f"{missing} TicketOpened events not on Kafka after {DRAIN_TIMEOUT_S}s")
            await asyncio.sleep(0.05)
        last_on_kafka = max(counter.arrived[ticket] for ticket in wanted)
        lag = last_on_kafka - load_done
        print(f"   last TicketOpened on Kafka {lag:.2f} s after the load ended", flush=True)
        return {
            "intake.tickets_per_s": len(created) / (last_on_kafka - started),
            "intake.create_p50_ms": percentile(latencies, 0.50) * 1000,
            "intake.create_p99_ms": percentile(latencies, 0.99) * 1000,
        }
    finally:
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        if counter is not None:
            await counter.stop()
        await asyncio.to_thread(stop, process, timeout_s=10.0)  # SIGTERM, SIGKILL after 10 s


async def run(infra: Infra, so_far: dict) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as work:
        figures = await _measure(infra, Path(work))
    print(
        f"   intake: {figures['intake.tickets_per_s']:,.0f} tickets/s,"
        f" p50 {figures['intake.create_p50_ms']:.1f} ms, p99 {figures['intake.create_p99_ms']:.1f} ms",
        flush=True,
    )
    raw_pg = so_far.get("raw.pg_durable_insert_per_s")
    if raw_pg is None:
        raw_pg = await raw_insert_rate(await fresh_database(infra, "raw"))
        print(f"   raw durable INSERT: {raw_pg:,.0f}/s", flush=True)
        figures["intake.raw_pg_durable_insert_per_s"] = raw_pg
    figures["intake.ratio_to_raw"] = figures["intake.tickets_per_s"] / raw_pg
    return figures
