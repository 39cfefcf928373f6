"""SLA monitor: breach delay with many open clocks, memory and restart time with a million stored.

The sla-monitor runs as its own process (shared.testing.processes.ServiceProcess: uvicorn, one worker,
LOG_LEVEL=WARNING) against a fresh database on the run's PostgreSQL and the run's broker (unique topic
prefix, dev-issuer tokens). Open clocks are bulk-loaded straight into `sla_tickets` with SQL: one state
built by `SlaTicket.open(...)` (a P2 ticket under policy "seed-003", opened now, calendar 7x24, on-site
covered: 4 running clocks -- response, on_site, restore, handoff), dumped with `dump_state`, copied by
INSERT ... SELECT generate_series with the ticket id replaced (jsonb_set). Their `due_at` is set to
now + 1 h + a random spread of up to 1 h (the state itself would fall due in 5 minutes) so that none
of them fires during the run: they are load on the table and its due-index, not work for the timer.
After each bulk load the bench runs ANALYZE sla_tickets (what autovacuum would have done by the time a
real table grew that large).

- sla.breach_delay_p50_ms, _p99_ms, _max_ms, at BASE_TICKETS x 4 = 100,000 open clocks: policy "bench"
  (P1 response PT2S, warning at 0.5, ladder L2 at 1.0) is PUT with an ops-admin token; a warm-up
  TicketOpened is published and GET /tickets/<id>/sla polled until 200 (the consumer group has joined);
  then a consumer in the bench process, already positioned at the end of the SLA topic, reads it while
  PROBE_TICKETS TicketOpened events (P1, policy "bench", reported_at = send time) are published at
  PROBE_RATE per second. For each SlaBreached: bench receive time (wall clock, when getmany returned
  it) minus the event's `deadline` (= reported_at + 2 s). That covers the timer noticing the due row,
  the tick transaction (state + event store + outbox), the relay publishing, and the bench consumer's
  fetch (fetch_max_wait_ms=FETCH_WAIT_MS bounds what the bench's own fetching adds).
- sla.rss_mb_1m_clocks: VmRSS of the monitor process (/proc/<pid>/status, MiB) SETTLE_S after the
  table was topped up to FULL_TICKETS x 4 = 1,000,000 open clocks; sla.db_mb_1m_clocks:
  pg_total_relation_size('sla_tickets') (MiB, table + TOAST + indexes) at that point.
- sla.restart_ready_s: SIGKILL the monitor with those clocks stored, start it again, time from the kill
  having been reaped to GET /readyz answering 200 (includes interpreter start, imports, migrations
  check, topic check, seeding). sla.rss_mb_after_restart: VmRSS SETTLE_S after the restart.

Printed notes: RSS before loading and at 100,000 clocks, the same breach-delay probe repeated at
1,000,000 clocks (before the kill; not a figure), the open clock count (counted in SQL from the
stored states), the monitor's own sla_fire_delay_seconds histogram (due -> tick committed), and the cost
of the timer's two queries on the 1,000,000-clock table as seen from a separate connection
(`SELECT min(due_at)`, run up to 4 times a second when idle, and the tick's due-row selection), an
audit of the whole SLA topic (records vs distinct event ids vs distinct thresholds: exactly once?) and
any WARNING/ERROR line of the monitor's log.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.support import end_reader, fresh_database, percentile, plain, start_at_end
from shared.envelope import Envelope
from shared.testing.infra import Infra
from shared.testing.processes import ServiceProcess
from shared.testing.services import Tokens
from shared.topics import Topics

ROOT = Path(__file__).resolve().parents[1]
SLA_PACKAGE_ROOT = ROOT / "services" / "sla-monitor"
BASE_TICKETS = 25_000  # x 4 clocks = 100,000 open clocks for the delay measurement
FULL_TICKETS = 250_000  # x 4 clocks = 1,000,000 open clocks for RSS and restart
LOAD_CHUNK = 50_000  # rows per INSERT ... SELECT statement
PROBE_TICKETS = 600
PROBE_RATE = 100.0  # TicketOpened per second
FETCH_WAIT_MS = 50
SETTLE_S = 5.0
READY_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 60.0
BENCH_POLICY = {
    "policy_id": "bench",
    "name": "2-second P1 response for the benchmark",
    "targets": {"P1": {"response": {"duration": "PT2S"}}},
    "warning_fractions": [0.5],
    "ladder": [{"level": 2, "at_fraction": 1.0}],
}


def _opened(ticket_id: str, at: str, policy_id: str, severity: str) -> dict:
    """A TicketOpened body as intake publishes it (the fields the monitor reads, and a few more)."""
    return {
        "ticket_id": ticket_id,
        "occurred_at": at,
        "reported_at": at,
        "channel": "phone",
        "description": "电梯困人 elevator stuck",
        "context": {
            "customer_id": "C-BENCH",
            "contract_id": "K-BENCH",
            "policy_id": policy_id,
            "calendar_id": "7x24",
            "severity": severity,
            "region": "SH",
            "site_id": None,
            "unit_id": None,
            "product_line": None,
            "on_site_covered": False,
        },
    }


def _template_state() -> tuple[str, int]:
    """One realistic stored state: a P2 ticket under seed-003 opened now; and its number of open clocks."""
    if str(SLA_PACKAGE_ROOT) not in sys.path:
        sys.path.insert(0, str(SLA_PACKAGE_ROOT))
    from sla_monitor.adapters.state import dump_state
    from sla_monitor.domain.clocks import SlaTicket
    from sla_monitor.domain.seeds import SEED_003

    ticket = SlaTicket.open(
        ticket_id="TEMPLATE",
        policy=SEED_003,
        calendar_id="7x24",
        severity="P2",
        customer_id="C-BULK",
        region="SH",
        opened_at=datetime.now(UTC),
        on_site_covered=True,
    )
    return json.dumps(dump_state(ticket)), sum(1 for clock in ticket.clocks.values() if clock.open)


async def _bulk_load(dsn: str, state: str, first: int, last: int) -> float:
    """Tickets BULK-<first>..BULK-<last - 1>, due in 1-2 hours; returns the seconds it took."""
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    try:
        for low in range(first, last, LOAD_CHUNK):
            high = min(low + LOAD_CHUNK, last) - 1
            await conn.execute(
                """
                INSERT INTO sla_tickets (ticket_id, state, version, due_at, updated_at)
                SELECT 'BULK-' || lpad(n::text, 7, '0'),
                       jsonb_set($1::jsonb, '{ticket_id}', to_jsonb('BULK-' || lpad(n::text, 7, '0'))),
                       0, now() + interval '1 hour' + random() * interval '1 hour', now()
                FROM generate_series($2::int, $3::int) AS n
                """,
                state,
                low,
                high,
            )
        await conn.execute("ANALYZE sla_tickets")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def _open_clocks(dsn: str) -> tuple[int, int]:
    """(rows, clocks running or paused) in sla_tickets, counted from the stored states."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            """
            SELECT count(*) AS tickets,
                   coalesce(sum((SELECT count(*) FROM jsonb_each(t.state -> 'clocks') AS c
                                 WHERE c.value ->> 'status' IN ('running', 'paused'))), 0) AS clocks
            FROM sla_tickets AS t
            """
        )
        return int(row["tickets"]), int(row["clocks"])  # sum() of counts comes back as a Decimal
    finally:
        await conn.close()


async def _table_mb(dsn: str) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SELECT pg_total_relation_size('sla_tickets')") / 2**20
    finally:
        await conn.close()


async def _timer_query_cost(dsn: str, repeats: int = 20) -> tuple[float, float]:
    """Median ms of the timer's idle query and of its due-row selection (the tick's SELECT)."""
    conn = await asyncpg.connect(dsn)
    try:
        idle, select = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            await conn.fetchval("SELECT min(due_at) FROM sla_tickets")
            idle.append(time.perf_counter() - started)
            async with conn.transaction():  # nothing is due: no row is locked or changed
                started = time.perf_counter()
                await conn.fetch(
                    "SELECT ticket_id, state, version, due_at FROM sla_tickets WHERE due_at <= now()"
                    " ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED"
                )
                select.append(time.perf_counter() - started)
        return percentile(idle, 0.5) * 1000, percentile(select, 0.5) * 1000
    finally:
        await conn.close()


async def _audit_topic(bootstrap: str, topic: str) -> str:
    """The whole SLA topic from the start: records, distinct event ids, and distinct
    (ticket, type, clock, threshold)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list = []
    try:
        while True:  # until 2 s pass without a record (end_offsets is not reliable on the embedded broker)
            batch = await consumer.getmany(timeout_ms=2000)
            if not batch:
                break
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    envelopes = [Envelope.from_kafka(r.headers, r.value) for r in records]
    ids = {e.id for e in envelopes}
    keys = {(e.subject, e.type, e.data.get("clock"), e.data.get("threshold")) for e in envelopes}
    return (
        f"{len(records)} records, {len(ids)} distinct event ids,"
        f" {len(keys)} distinct (ticket, type, clock, threshold)"
    )


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _fire_delay_histogram(metrics: str) -> str:
    """The monitor's sla_fire_delay_seconds buckets, as 'le:count' pairs."""
    buckets = []
    for line in metrics.splitlines():
        if line.startswith("sla_fire_delay_seconds_bucket"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append(f"{le}:{float(line.rsplit(' ', 1)[1]):.0f}")
    return " ".join(buckets)


class _BreachReader:
    """Reads the SLA topic from its current end; remembers when each SlaBreached arrived (wall clock)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = end_reader(bootstrap, topic, fetch_max_wait_ms=FETCH_WAIT_MS)
        self.breaches: dict[str, tuple[float, datetime]] = {}  # ticket -> (received at, deadline)
        # (subject, type, clock, threshold, partition, offset) of every record read
        self.seen: list[tuple[str | None, str, str | None, str | None, int, int]] = []

    async def start(self) -> None:
        await start_at_end(self.consumer)

    async def run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=100, max_records=5000)
            received = time.time()
            for records in batch.values():
                for record in records:
                    envelope = Envelope.from_kafka(record.headers, record.value)
                    self.seen.append(
                        (
                            envelope.subject,
                            envelope.type,
                            envelope.data.get("clock"),
                            envelope.data.get("threshold"),
                            record.partition,
                            record.offset,
                        )
                    )
                    subject = envelope.subject
                    if envelope.type == "SlaBreached" and subject and subject not in self.breaches:
                        self.breaches[subject] = (
                            received,
                            datetime.fromisoformat(envelope.data["deadline"]),
                        )

    async def stop(self) -> None:
        await self.consumer.stop()


async def _probe(bootstrap: str, prefix: str, run: str) -> list[str]:
    """PROBE_TICKETS TicketOpened for P1 tickets under "bench", paced at PROBE_RATE;
    reported_at = send time."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    topic = Topics(prefix).tickets
    sent: list[str] = []
    pending = []
    try:
        started = time.perf_counter()
        for n in range(PROBE_TICKETS):
            delay = started + n / PROBE_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            ticket = f"P-{run}-{n:04d}"
            envelope = Envelope(
                source="/bench/intake",
                type="TicketOpened",
                subject=ticket,
                data=_opened(ticket, datetime.now(UTC).isoformat(), "bench", "P1"),
            )
            pending.append(
                await producer.send(
                    topic, envelope.kafka_value(), key=ticket.encode(), headers=envelope.kafka_headers()
                )
            )
            sent.append(ticket)
        await asyncio.gather(*pending)
        elapsed = time.perf_counter() - started
        print(
            f"   {len(sent)} TicketOpened published in {elapsed:.1f} s ({len(sent) / elapsed:.0f}/s)",
            flush=True,
        )
    finally:
        await producer.stop()
    return sent


async def _consuming(client: httpx.AsyncClient, admin: dict[str, str], bootstrap: str, prefix: str) -> None:
    """Publish a warm-up ticket and poll until the monitor has stored it (its consumer group joined)."""
    warm = f"WARM-{uuid.uuid4().hex[:6]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        envelope = Envelope(
            source="/bench/intake",
            type="TicketOpened",
            subject=warm,
            data=_opened(warm, datetime.now(UTC).isoformat(), "seed-003", "P4"),
        )
        await producer.send_and_wait(
            Topics(prefix).tickets,
            envelope.kafka_value(),
            key=warm.encode(),
            headers=envelope.kafka_headers(),
        )
    finally:
        await producer.stop()
    deadline = time.perf_counter() + 60.0
    while (await client.get(f"/tickets/{warm}/sla", headers=admin)).status_code != 200:
        if time.perf_counter() > deadline:
            raise TimeoutError("the monitor did not consume the warm-up TicketOpened within 60 s")
        await asyncio.sleep(0.1)


def _report_round(reader: _BreachReader, probes: set[str]) -> None:
    """What the reader saw: this round's events by type, any copy read twice, records from before the round.

    The embedded broker (Tansu) answers ListOffsets(latest) with the last record batch's base offset + 1,
    not the log end offset, so seek_to_end can land a few records short of the end: the tail of the
    previous round is read again. Those are counted here and otherwise ignored (delays are per probe).
    """
    ours = [item for item in reader.seen if item[0] in probes]
    counts: dict[str, int] = {}
    for item in ours:
        counts[item[1]] = counts.get(item[1], 0) + 1
    keys = [item[:4] for item in ours]
    twice = [item for item in ours if keys.count(item[:4]) > 1]
    earlier = len(reader.seen) - len(ours)
    print(
        f"   SLA events for this round's probes: {dict(sorted(counts.items()))}"
        + (f"; {earlier} older records re-read (broker ListOffsets quirk)" if earlier else ""),
        flush=True,
    )
    if twice:
        print(f"   read twice: {twice[:20]}", flush=True)


async def _breach_delays(
    monitor: ServiceProcess, admin: dict[str, str], bootstrap: str, prefix: str
) -> list[float]:
    async with httpx.AsyncClient(base_url=monitor.url, timeout=30.0) as client:
        answer = await client.put("/policies/bench", json=BENCH_POLICY, headers=admin)
        if answer.status_code not in (200, 201):
            raise RuntimeError(f"PUT /policies/bench: {answer.status_code} {answer.text}")
        await _consuming(client, admin, bootstrap, prefix)
        reader = _BreachReader(bootstrap, Topics(prefix).sla)
        await reader.start()
        task = asyncio.create_task(reader.run())
        try:
            sent = await _probe(bootstrap, prefix, uuid.uuid4().hex[:6])
            deadline = time.perf_counter() + DRAIN_TIMEOUT_S
            while not set(sent) <= reader.breaches.keys():
                if task.done():
                    task.result()
                if time.perf_counter() > deadline:
                    missing = len(set(sent) - reader.breaches.keys())
                    raise TimeoutError(
                        f"{missing} SlaBreached not on Kafka {DRAIN_TIMEOUT_S}s after the last probe"
                    )
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # a moment for anything unexpected (duplicates) to show up
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await reader.stop()
        _report_round(reader, set(sent))
        metrics = (await client.get("/metrics")).text
        print(
            f"   monitor's own fire delay (due -> tick committed), s: {_fire_delay_histogram(metrics)}",
            flush=True,
        )
    return [(reader.breaches[t][0] - reader.breaches[t][1].timestamp()) * 1000 for t in sent]


async def _measure(infra: Infra, work: Path) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    database_url = await fresh_database(infra, "sla")
    dsn = plain(database_url)
    key_file = work / "dev.pem"
    admin = Tokens(key_file)("ops-admin", sub="bench-admin")  # creates the key the monitor will trust
    monitor = ServiceProcess(
        "sla-monitor",
        database_url=database_url,
        bootstrap_servers=infra.bootstrap_servers,
        topic_prefix=prefix,
        key_file=key_file,
        log_path=work / "sla-monitor.log",
    )
    figures: dict[str, float] = {}
    try:
        await asyncio.to_thread(monitor.start, READY_TIMEOUT_S)
        rss_empty = _rss_mb(monitor.pid)
        state, clocks_per_ticket = _template_state()
        seconds = await _bulk_load(dsn, state, 0, BASE_TICKETS)
        tickets, clocks = await _open_clocks(dsn)
        print(
            f"   loaded {BASE_TICKETS:,} tickets x {clocks_per_ticket} clocks in {seconds:.1f} s:"
            f" {tickets:,} rows, {clocks:,} open clocks stored (P2 under seed-003)",
            flush=True,
        )
        await asyncio.sleep(SETTLE_S)
        rss_base = _rss_mb(monitor.pid)
        print(
            f"   monitor RSS: {rss_empty:.1f} MiB with an empty table,"
            f" {rss_base:.1f} MiB at {clocks:,} clocks",
            flush=True,
        )

        delays = await _breach_delays(monitor, admin, infra.bootstrap_servers, prefix)
        figures["sla.breach_delay_p50_ms"] = percentile(delays, 0.50)
        figures["sla.breach_delay_p99_ms"] = percentile(delays, 0.99)
        figures["sla.breach_delay_max_ms"] = max(delays)
        print(
            f"   breach delay over {len(delays)} clocks: p50 {figures['sla.breach_delay_p50_ms']:.0f} ms,"
            f" p99 {figures['sla.breach_delay_p99_ms']:.0f} ms,"
            f" max {figures['sla.breach_delay_max_ms']:.0f} ms,"
            f" min {min(delays):.0f} ms",
            flush=True,
        )

        seconds = await _bulk_load(dsn, state, BASE_TICKETS, FULL_TICKETS)
        tickets, clocks = await _open_clocks(dsn)
        print(
            f"   topped up to {FULL_TICKETS:,} bulk tickets in {seconds:.1f} s: {tickets:,} rows,"
            f" {clocks:,} open clocks stored",
            flush=True,
        )
        await asyncio.sleep(SETTLE_S)
        figures["sla.rss_mb_1m_clocks"] = _rss_mb(monitor.pid)
        figures["sla.db_mb_1m_clocks"] = await _table_mb(dsn)
        idle_ms, select_ms = await _timer_query_cost(dsn)
        print(
            f"   at {clocks:,} clocks: monitor RSS {figures['sla.rss_mb_1m_clocks']:.1f} MiB, sla_tickets"
            f" {figures['sla.db_mb_1m_clocks']:.0f} MiB; timer queries (median, separate connection):"
            f" min(due_at) {idle_ms:.2f} ms, due-row select {select_ms:.2f} ms",
            flush=True,
        )

        again = await _breach_delays(monitor, admin, infra.bootstrap_servers, prefix)
        print(
            f"   (note only) breach delay at {clocks:,} clocks: p50 {percentile(again, 0.5):.0f} ms,"
            f" p99 {percentile(again, 0.99):.0f} ms, max {max(again):.0f} ms",
            flush=True,
        )

        print(
            f"   SLA topic audit: {await _audit_topic(infra.bootstrap_servers, Topics(prefix).sla)}",
            flush=True,
        )
        log_path = work / "sla-monitor.log"
        problems = [
            line for line in log_path.read_text().splitlines() if '"WARNING"' in line or '"ERROR"' in line
        ]
        if problems:
            print(
                f"   {len(problems)} warnings/errors in the monitor log, first: {problems[0][:500]}",
                flush=True,
            )

        await asyncio.to_thread(monitor.kill)
        started = time.perf_counter()
        await asyncio.to_thread(monitor.start, READY_TIMEOUT_S)
        figures["sla.restart_ready_s"] = time.perf_counter() - started
        await asyncio.sleep(SETTLE_S)
        figures["sla.rss_mb_after_restart"] = _rss_mb(monitor.pid)
        print(
            f"   kill -9 -> /readyz 200 in {figures['sla.restart_ready_s']:.2f} s;"
            f" RSS {figures['sla.rss_mb_after_restart']:.1f} MiB {SETTLE_S:.0f} s after the restart",
            flush=True,
        )
        return figures
    except Exception:
        log = work / "sla-monitor.log"
        if log.exists():
            print(f"   sla-monitor log (tail):\n{log.read_text()[-3000:]}", flush=True)
        raise
    finally:
        await asyncio.to_thread(monitor.stop)


async def run(infra: Infra, _so_far: dict) -> dict[str, float]:
    from bench import sla_catch_up  # sla.catch_up_100k_s: see that module

    with tempfile.TemporaryDirectory(prefix="bench-sla-") as work:
        figures = await _measure(infra, Path(work))
    return {**figures, **await sla_catch_up.measure(infra)}
