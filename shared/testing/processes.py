"""A service as a real OS process (uvicorn), for tests and benchmarks that kill -9 or measure it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.devstack.processes import free_port, spawn, stop
from shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {service.name: service.package for service in SERVICES}
PREFIXES = {service.name: service.env_prefix for service in SERVICES}


class ServiceProcess:
    def __init__(
        self,
        service: str,
        *,
        database_url: str,
        bootstrap_servers: str,
        topic_prefix: str,
        key_file: Path,
        log_path: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.service = service
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        prefix = PREFIXES[service]
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "services" / service)]),
            f"{prefix}DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": topic_prefix,
            "KAFKA_TOPIC_PARTITIONS": "3",
            "KAFKA_IDEMPOTENT_PRODUCER": "false",  # the embedded Tansu broker does not support it
            "AUTH_DEV_ISSUER": "true",
            "AUTH_DEV_KEY_FILE": str(key_file),
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> ServiceProcess:
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"{PACKAGES[self.service]}.entrypoints.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.process = spawn(argv, env=self.env, cwd=ROOT, log_path=self.log_path)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.service} not ready after {timeout_s}s")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, like a machine losing power."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid
