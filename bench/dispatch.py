"""Dispatch: assignment decisions with 5,000 technicians and 50,000 open jobs; TicketOpened -> assigned.

Both parts use the same generated technicians (random.Random(SEED)): TECHNICIANS people over REGIONS
regions (R01..R30; a home region and 0-2 more) with 1-3 of PRODUCT_LINES skills, levels 1-4, capacity
10-15, status active, version 1. Rows go straight into the `technicians` read model with COPY (what
registration would leave there, without the TechnicianRegistered events nobody reads here).

- dispatch.decisions_per_s: in the bench process, against a fresh database migrated for dispatch
  (shared.migrations.upgrade with services/dispatch/dispatch/migrations). OPEN_JOBS rows go into `jobs`
  (status assigned, queued false, version 1), each to a random technician who still has room, and each
  technician's `load` is the number of those jobs it holds (the loads sum to OPEN_JOBS; about 1,800 people
  end up full; all 5,000 have load > 0, so the load query returns 5,000 rows); then ANALYZE. DECISIONS
  decisions are made the way service_layer.assigning.try_assign makes them: `Directory.candidates(need)` (the
  service's Directory with its 2 s cache and region/skill index, so its refreshes -- SELECT of all 5,000
  technicians -- fall inside the timing as they do in the service), `Directory.loads(conn, candidates)`
  (the candidates' loads, one connection held for the loop) and `choose(need, candidates, load=...,
  on_shift=...)` with the no-roster on-shift predicate,
  for varied JobNeeds (region/product line at random, on-site 80%, an account engineer named 10%). Decisions
  only: no job row, event or load update is written.
  dispatch.choose_only_per_s: the pure function alone over the same profiles and one loads snapshot.
  Printed: the mean cost of one loads query, and how many decisions found someone.
- dispatch.assign_p50_ms, dispatch.assign_p99_ms: the dispatch service as its own process
  (shared.testing.processes.ServiceProcess: uvicorn, one worker, LOG_LEVEL=WARNING, 3 partitions) on a
  fresh database and the run's broker (unique topic prefix, dev-issuer tokens). The same technicians are
  COPYed in with load 0 after it is ready, then SETTLE_S for the directory cache (ttl 2 s). A warm-up
  TicketOpened is published and GET /jobs/<id> (dispatcher token) polled until 200 (the consumer group
  has joined). A consumer in the bench process, positioned at the end of the dispatch topic
  (fetch_max_wait_ms=FETCH_WAIT_MS), reads it while one AIOKafkaProducer publishes TicketOpened
  events (CloudEvents built as shared.testing.waiting.publish builds them) at LOAD_RATE per second for
  LOAD_SECONDS: random region/product line among the technicians', P1/P2/P3, on-site covered, a unit
  id. Latency = bench receive time (perf_counter when getmany returned the record) of the ticket's
  TechnicianAssigned minus the perf_counter taken just before producer.send for its TicketOpened.
  That covers the producer batch, the broker, the service consumer's poll (one transaction per poll),
  the decision, the commit, the outbox relay and the bench consumer's fetch. AssignmentQueued are
  counted (and their latency printed) but not in the figures.
  Printed: assigned/queued counts, the publish rate reached, the rate the service decided at (tickets /
  first send -> last decision received), its CPU over that span (utime + stime from /proc/<pid>/stat, in
  % of one core), and its own dispatch_decision_seconds histogram (choose + the load query + profiles).
  When the service decides slower than LOAD_RATE, a backlog builds during the load and p50/p99 are
  mostly time spent waiting in it (see how long after the last send the last decision arrived).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from bench.support import end_reader, fresh_database, percentile, plain, start_at_end
from shared.envelope import Envelope
from shared.migrations import upgrade
from shared.testing.infra import Infra
from shared.testing.processes import ServiceProcess
from shared.testing.services import Tokens
from shared.topics import Topics

ROOT = Path(__file__).resolve().parents[1]
DISPATCH_PACKAGE_ROOT = ROOT / "services" / "dispatch"
MIGRATIONS = DISPATCH_PACKAGE_ROOT / "dispatch" / "migrations"
SEED = 20_240_601
TECHNICIANS = 5_000
OPEN_JOBS = 50_000
REGIONS = [f"R{n:02d}" for n in range(1, 31)]
PRODUCT_LINES = [
    "elevator",
    "escalator",
    "hvac",
    "chiller",
    "boiler",
    "generator",
    "ups",
    "fire_alarm",
    "access_control",
    "pump",
]
DECISIONS = 2_000
CHOOSE_ONLY = 2_000
LOAD_RATE = 200.0  # TicketOpened per second
LOAD_SECONDS = 15.0
FETCH_WAIT_MS = 20
SETTLE_S = 3.0
READY_TIMEOUT_S = 120.0
WARMUP_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 120.0


def _dispatch_importable() -> None:
    if str(DISPATCH_PACKAGE_ROOT) not in sys.path:
        sys.path.insert(0, str(DISPATCH_PACKAGE_ROOT))


def _technicians(rng: random.Random) -> list[dict]:
    people = []
    for n in range(TECHNICIANS):
        home = rng.choice(REGIONS)
        extra = rng.sample([r for r in REGIONS if r != home], rng.randint(0, 2))
        people.append(
            {
                "technician_id": f"T{n:05d}",
                "name": f"Tech {n:05d}",
                "level": rng.randint(1, 4),
                "skills": sorted(rng.sample(PRODUCT_LINES, rng.randint(1, 3))),
                "home_region": home,
                "regions": sorted(extra),
                "capacity": rng.randint(10, 15),
                "status": "active",
                "load": 0,
                "version": 1,
            }
        )
    return people


def _spread_jobs(rng: random.Random, people: list[dict]) -> list[tuple[int, str]]:
    """OPEN_JOBS (job number, technician id), each to a random technician with room; sets `load`."""
    room = list(range(len(people)))
    assigned = []
    for n in range(OPEN_JOBS):
        while True:
            slot = rng.randrange(len(room))
            person = people[room[slot]]
            if person["load"] < person["capacity"]:
                break
            room[slot] = room[-1]
            room.pop()
        person["load"] += 1
        assigned.append((n, person["technician_id"]))
    return assigned


async def _copy_technicians(dsn: str, people: list[dict]) -> None:
    columns = [
        "technician_id",
        "name",
        "level",
        "skills",
        "home_region",
        "regions",
        "capacity",
        "status",
        "load",
        "version",
    ]
    conn = await asyncpg.connect(dsn)
    try:
        records = [tuple(p[c] for c in columns) for p in people]
        await conn.copy_records_to_table("technicians", records=records, columns=columns)
        await conn.execute("ANALYZE technicians")
    finally:
        await conn.close()


async def _copy_jobs(
    dsn: str, rng: random.Random, people: list[dict], assigned: list[tuple[int, str]]
) -> None:
    by_id = {p["technician_id"]: p for p in people}
    now = datetime.now(UTC)
    records = []
    for n, tid in assigned:
        person = by_id[tid]
        ticket = f"BULK-{n:06d}"
        opened = now - timedelta(minutes=rng.randint(1, 7 * 24 * 60))
        records.append(
            (
                ticket,
                f"J-{ticket}",
                "assigned",
                tid,
                person["level"],
                rng.choice(["P1", "P2", "P3"]),
                person["home_region"],
                rng.choice(person["skills"]),
                False,
                f"C-{n % 997:04d}",
                f"U-{n:06d}",
                None,
                False,
                opened,
                opened,
                1,
            )
        )
    columns = [
        "ticket_id",
        "job_id",
        "status",
        "technician_id",
        "level",
        "severity",
        "region",
        "product_line",
        "on_site_required",
        "customer_id",
        "unit_id",
        "account_engineer_id",
        "queued",
        "opened_at",
        "updated_at",
        "version",
    ]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("jobs", records=records, columns=columns)
        await conn.execute("ANALYZE jobs")
    finally:
        await conn.close()


def _needs(rng: random.Random, count: int, tech_ids: list[str]) -> list:
    from dispatch.domain.assignment import JobNeed

    return [
        JobNeed(
            ticket_id=f"N-{n:05d}",
            region=rng.choice(REGIONS),
            product_line=rng.choice(PRODUCT_LINES),
            on_site=rng.random() < 0.8,
            account_engineer_id=rng.choice(tech_ids) if rng.random() < 0.1 else None,
        )
        for n in range(count)
    ]


# ---- part 1: decisions in-process ---------------------------------------------------------------
def _at(on_shift: Callable[[str, datetime], bool], at: datetime) -> Callable[[str], bool]:
    """The directory's on-shift test fixed at one instant, as `choose` takes it."""
    return lambda technician_id: on_shift(technician_id, at)


async def _decisions(infra: Infra) -> dict[str, float]:
    _dispatch_importable()
    from dispatch.adapters.directory import Directory
    from dispatch.domain.assignment import choose
    from sqlalchemy.ext.asyncio import create_async_engine

    rng = random.Random(SEED)
    database_url = await fresh_database(infra, "dispatch")
    dsn = plain(database_url)
    await upgrade(database_url, MIGRATIONS)
    people = _technicians(rng)
    started = time.perf_counter()
    assigned = _spread_jobs(rng, people)
    await _copy_technicians(dsn, people)
    await _copy_jobs(dsn, rng, people, assigned)
    full = sum(1 for p in people if p["load"] >= p["capacity"])
    print(
        f"   loaded {len(people):,} technicians and {len(assigned):,} open jobs in"
        f" {time.perf_counter() - started:.1f} s (loads sum to {sum(p['load'] for p in people):,};"
        f" {full:,} technicians full)",
        flush=True,
    )

    engine = create_async_engine(database_url)
    directory = Directory(lambda: engine)
    needs = _needs(rng, DECISIONS, [p["technician_id"] for p in people])
    try:
        await directory.profiles()  # the first load, as the service's first decision would do it
        found = 0
        load_seconds = 0.0
        async with engine.connect() as conn:
            await Directory.loads(conn)  # connection and statement warm
            started = time.perf_counter()
            for need in needs:
                candidates = await directory.candidates(need)
                before = time.perf_counter()
                load = await Directory.loads(conn, candidates)
                load_seconds += time.perf_counter() - before
                on_shift = await directory.on_shift()
                now = datetime.now(UTC)
                decision = choose(need, candidates, load=load, on_shift=_at(on_shift, now))
                found += decision.technician_id is not None
            elapsed = time.perf_counter() - started
            snapshot = await Directory.loads(conn)
            await conn.rollback()
        profiles = await directory.profiles()
        on_shift = await directory.on_shift()
        now = datetime.now(UTC)
        pure = (needs * (CHOOSE_ONLY // len(needs) + 1))[:CHOOSE_ONLY]
        started = time.perf_counter()
        for need in pure:
            choose(need, profiles, load=snapshot, on_shift=lambda tid: on_shift(tid, now))
        pure_elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    figures = {
        "dispatch.decisions_per_s": len(needs) / elapsed,
        "dispatch.choose_only_per_s": len(pure) / pure_elapsed,
    }
    print(
        f"   {len(needs):,} decisions in {elapsed:.2f} s: {figures['dispatch.decisions_per_s']:,.0f}/s"
        f" ({found:,} found someone); loads query {load_seconds / len(needs) * 1000:.2f} ms each"
        f" ({len(snapshot):,} rows, {load_seconds / elapsed:.0%} of the time);"
        f" choose alone {figures['dispatch.choose_only_per_s']:,.0f}/s"
        f" ({pure_elapsed / len(pure) * 1000:.2f} ms each)",
        flush=True,
    )
    return figures


# ---- part 2: the service as a process ------------------------------------------------------------
def _opened(ticket_id: str, rng: random.Random) -> dict:
    """A TicketOpened body as intake publishes it (the fields dispatch reads, and a few more)."""
    at = datetime.now(UTC).isoformat()
    return {
        "ticket_id": ticket_id,
        "occurred_at": at,
        "reported_at": at,
        "channel": "phone",
        "description": "电梯困人 elevator stuck",
        "account_engineer_id": None,
        "context": {
            "customer_id": f"C-{rng.randrange(1000):04d}",
            "contract_id": "K-BENCH",
            "policy_id": "seed-003",
            "calendar_id": "7x24",
            "severity": rng.choice(["P1", "P2", "P3"]),
            "region": rng.choice(REGIONS),
            "site_id": None,
            "unit_id": f"U-{rng.randrange(100_000):06d}",
            "product_line": rng.choice(PRODUCT_LINES),
            "on_site_covered": True,
        },
    }


def _envelope(ticket_id: str, rng: random.Random) -> Envelope:
    return Envelope(
        source="/bench/intake", type="TicketOpened", subject=ticket_id, data=_opened(ticket_id, rng)
    )


class _AssignmentReader:
    """Reads the dispatch topic from its current end; when each ticket's first decision event arrived."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = end_reader(bootstrap, topic, fetch_max_wait_ms=FETCH_WAIT_MS)
        self.decided: dict[str, tuple[float, str]] = {}  # ticket -> (perf_counter received, event type)
        self.counts: dict[str, int] = {}

    async def start(self) -> None:
        await start_at_end(self.consumer)

    async def run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=100, max_records=5000)
            received = time.perf_counter()
            for records in batch.values():
                for record in records:
                    envelope = Envelope.from_kafka(record.headers, record.value)
                    self.counts[envelope.type] = self.counts.get(envelope.type, 0) + 1
                    if envelope.subject and envelope.type in ("TechnicianAssigned", "AssignmentQueued"):
                        self.decided.setdefault(envelope.subject, (received, envelope.type))

    async def stop(self) -> None:
        await self.consumer.stop()


async def _consuming(
    client: httpx.AsyncClient, dispatcher: dict[str, str], bootstrap: str, prefix: str
) -> None:
    """Publish a warm-up ticket and poll until dispatch has its job (its consumer group joined)."""
    warm = f"WARM-{uuid.uuid4().hex[:6]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        envelope = _envelope(warm, random.Random(SEED))
        await producer.send_and_wait(
            Topics(prefix).tickets,
            envelope.kafka_value(),
            key=warm.encode(),
            headers=envelope.kafka_headers(),
        )
    finally:
        await producer.stop()
    deadline = time.perf_counter() + WARMUP_TIMEOUT_S
    while (await client.get(f"/jobs/{warm}", headers=dispatcher)).status_code != 200:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"dispatch did not consume the warm-up TicketOpened in {WARMUP_TIMEOUT_S}s")
        await asyncio.sleep(0.1)


async def _publish(bootstrap: str, prefix: str, run: str) -> dict[str, float]:
    """TicketOpened at LOAD_RATE for LOAD_SECONDS from one producer; ticket -> perf_counter before send."""
    rng = random.Random(SEED + 1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    topic = Topics(prefix).tickets
    sent: dict[str, float] = {}
    pending = []
    try:
        started = time.perf_counter()
        for n in range(int(LOAD_RATE * LOAD_SECONDS)):
            delay = started + n / LOAD_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            ticket = f"D-{run}-{n:05d}"
            envelope = _envelope(ticket, rng)
            sent[ticket] = time.perf_counter()
            pending.append(
                await producer.send(
                    topic, envelope.kafka_value(), key=ticket.encode(), headers=envelope.kafka_headers()
                )
            )
        await asyncio.gather(*pending)
        elapsed = time.perf_counter() - started
        print(
            f"   {len(sent):,} TicketOpened published in {elapsed:.1f} s ({len(sent) / elapsed:.0f}/s)",
            flush=True,
        )
    finally:
        await producer.stop()
    return sent


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _decision_histogram(metrics: str) -> str:
    buckets = []
    for line in metrics.splitlines():
        if line.startswith("dispatch_decision_seconds_bucket"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append(f"{le}:{float(line.rsplit(' ', 1)[1]):.0f}")
    return " ".join(buckets)


async def _latency(infra: Infra, work: Path) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    database_url = await fresh_database(infra, "dispatch")
    key_file = work / "dev.pem"
    tokens = Tokens(key_file)  # creates the key the service will trust
    dispatcher = tokens("dispatcher", sub="bench-dispatcher")
    service = ServiceProcess(
        "dispatch",
        database_url=database_url,
        bootstrap_servers=infra.bootstrap_servers,
        topic_prefix=prefix,
        key_file=key_file,
        log_path=work / "dispatch.log",
    )
    reader: _AssignmentReader | None = None
    task: asyncio.Task | None = None
    try:
        await asyncio.to_thread(service.start, READY_TIMEOUT_S)
        await _copy_technicians(plain(database_url), _technicians(random.Random(SEED)))
        await asyncio.sleep(SETTLE_S)  # the directory cache (ttl 2 s) sees them
        async with httpx.AsyncClient(base_url=service.url, timeout=30.0) as client:
            await _consuming(client, dispatcher, infra.bootstrap_servers, prefix)
            reader = _AssignmentReader(infra.bootstrap_servers, Topics(prefix).dispatch)
            await reader.start()
            task = asyncio.create_task(reader.run())
            cpu_before = _cpu_seconds(service.pid)
            sent = await _publish(infra.bootstrap_servers, prefix, uuid.uuid4().hex[:6])
            published = time.perf_counter()
            deadline = published + DRAIN_TIMEOUT_S
            while not sent.keys() <= reader.decided.keys():
                if task.done():
                    task.result()
                if time.perf_counter() > deadline:
                    missing = len(sent.keys() - reader.decided.keys())
                    raise TimeoutError(f"{missing} tickets undecided {DRAIN_TIMEOUT_S}s after the last send")
                await asyncio.sleep(0.05)
            cpu = _cpu_seconds(service.pid) - cpu_before
            first, last = min(sent.values()), max(reader.decided[t][0] for t in sent)
            print(
                f"   last decision on Kafka {last - published:.2f} s after the last send: the service"
                f" decided {len(sent) / (last - first):.0f} tickets/s (first send -> last decision), using"
                f" {cpu / (last - first):.0%} of one core over that span",
                flush=True,
            )
            metrics = (await client.get("/metrics")).text
        assigned = [
            (reader.decided[t][0] - at) * 1000
            for t, at in sent.items()
            if reader.decided[t][1] == "TechnicianAssigned"
        ]
        queued = [
            (reader.decided[t][0] - at) * 1000
            for t, at in sent.items()
            if reader.decided[t][1] == "AssignmentQueued"
        ]
        print(f"   dispatch events read: {dict(sorted(reader.counts.items()))}", flush=True)
        print(
            f"   {len(assigned):,} assigned, {len(queued):,} queued"
            + (f" (queued latency p50 {percentile(queued, 0.5):.0f} ms)" if queued else ""),
            flush=True,
        )
        print(
            f"   service's own decision time (dispatch_decision_seconds), s: {_decision_histogram(metrics)}",
            flush=True,
        )
        if not assigned:
            raise RuntimeError("no ticket was assigned")
        figures = {
            "dispatch.assign_p50_ms": percentile(assigned, 0.50),
            "dispatch.assign_p99_ms": percentile(assigned, 0.99),
        }
        print(
            f"   TicketOpened -> TechnicianAssigned: p50 {figures['dispatch.assign_p50_ms']:.0f} ms,"
            f" p99 {figures['dispatch.assign_p99_ms']:.0f} ms, max {max(assigned):.0f} ms,"
            f" min {min(assigned):.0f} ms",
            flush=True,
        )
        return figures
    except Exception:
        log = work / "dispatch.log"
        if log.exists():
            print(f"   dispatch log (tail):\n{log.read_text()[-3000:]}", flush=True)
        raise
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if reader is not None:
            await reader.stop()
        await asyncio.to_thread(service.stop)


async def run(infra: Infra, _so_far: dict) -> dict[str, float]:
    figures = await _decisions(infra)
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as work:
        figures.update(await _latency(infra, Path(work)))
    return figures
