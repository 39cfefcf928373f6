"""`make up`: broker + PostgreSQL (unless pointed elsewhere) + the five services, until Ctrl-C.

The broker and the services are supervised (`supervisor`): a service that dies is restarted alone; a
broker that dies lost its in-memory topics, so the services are paused, the broker restarted, each
service's outbox replayed into it from when the lost broker started (`shared.outbox.replay`; the
service's start re-creates its other topics), and the services started again.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from shared.auth.dev_issuer import load_or_create_key
from shared.devstack.broker import EmbeddedBroker
from shared.devstack.postgres import EmbeddedPostgres
from shared.devstack.processes import spawn
from shared.devstack.supervisor import Child, Supervisor
from shared.services import SERVICES, Service

ROOT = Path(__file__).resolve().parents[2]


def service_command(spec: Service, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        spec.app_factory,
        "--app-dir",
        str(spec.directory),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]


def service_env(spec: Service, base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(spec.directory)])
    return env


REPLAY_MARGIN_S = 5.0  # replay a little before the lost broker started: a duplicate is harmless


def replay_command(spec: Service, since_wall: float) -> list[str]:
    since = datetime.fromtimestamp(since_wall - REPLAY_MARGIN_S, UTC).isoformat()
    return [sys.executable, "-m", "shared.outbox.replay", "--service", spec.name, "--since", since]


def replay_outboxes(env: dict[str, str], since_wall: float) -> None:
    """Every service's outbox, into a broker that lost what it held since `since_wall`."""
    for spec in SERVICES:
        done = subprocess.run(
            replay_command(spec, since_wall), env=service_env(spec, env), capture_output=True, text=True
        )
        last = (done.stdout or done.stderr).strip().splitlines()[-1:] or ["(no output)"]
        print(f"{spec.name}: replay exited with {done.returncode}: {last[0]}", flush=True)


def _running(process: subprocess.Popen[bytes] | None) -> subprocess.Popen[bytes]:
    if process is None:
        raise RuntimeError("the process did not start")
    return process


def wait_ready(url: str, timeout_s: float = 60.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout_s}s")


def main() -> int:
    state = ROOT / ".devstack"
    state.mkdir(exist_ok=True)
    env = dict(os.environ)
    # The embedded default is for development: trust the local dev token issuer unless told otherwise.
    env.setdefault("AUTH_DEV_ISSUER", "true")
    env.setdefault("AUTH_DEV_KEY_FILE", str(state / "dev-signing-key.pem"))
    if env["AUTH_DEV_ISSUER"].lower() == "true":
        load_or_create_key(Path(env["AUTH_DEV_KEY_FILE"]))
    started: list[EmbeddedBroker | EmbeddedPostgres] = []
    supervisor = Supervisor()
    names = [spec.name for spec in SERVICES]

    def shutdown(*_args: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    try:
        if not all(env.get(f"{s.env_prefix}DATABASE_URL") for s in SERVICES):
            pg = EmbeddedPostgres(
                state, int(env.get("POSTGRES_PORT", "55432")), log_path=state / "postgres.log"
            ).start()
            started.append(pg)
            for spec in SERVICES:
                pg.create_database(spec.database)
                env.setdefault(f"{spec.env_prefix}DATABASE_URL", pg.url(spec.database))
            print(f"postgres    postgresql://postgres@127.0.0.1:{pg.port} (data in {state})", flush=True)
        if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
            broker = EmbeddedBroker(int(env.get("BROKER_PORT", "9092")), log_path=state / "broker.log")
            env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
            env.setdefault("KAFKA_IDEMPOTENT_PRODUCER", "false")  # Tansu has no idempotent producer

            def broker_back(lost_since: float) -> None:
                print("broker restarted: replaying the outboxes, then starting the services", flush=True)
                replay_outboxes(env, lost_since)
                supervisor.resume(names)

            supervisor.add(
                Child(
                    "broker",
                    lambda: _running(broker.start().process),
                    before_restart=lambda: supervisor.pause(names),
                    after_restart=broker_back,
                )
            )
            print(f"broker      kafka://{broker.bootstrap_servers} (Tansu, memory storage)", flush=True)
        for spec in SERVICES:
            port = int(env.get(f"{spec.env_prefix}PORT", spec.port))
            log_path = state / f"{spec.name}.log"
            command, child_env = service_command(spec, port), service_env(spec, env)
            supervisor.add(
                Child(spec.name, functools.partial(spawn, command, env=child_env, log_path=log_path))
            )
        for spec in SERVICES:
            port = int(env.get(f"{spec.env_prefix}PORT", spec.port))
            wait_ready(f"http://127.0.0.1:{port}/readyz", process=supervisor.children[spec.name].process)
            print(
                f"{spec.name:<11} http://127.0.0.1:{port}  "
                f"(docs /docs, ready /readyz, logs {state}/{spec.name}.log)",
                flush=True,
            )
        print("ServicePact is up. Ctrl-C stops everything.", flush=True)
        if env["AUTH_DEV_ISSUER"].lower() == "true":
            print(
                "demo token: make token ROLE=dispatcher   (roles: integration technician dispatcher "
                "supervisor inventory-clerk ops-admin)",
                flush=True,
            )
        while True:
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        supervisor.stop_all()
        for part in reversed(started):
            part.stop()
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
