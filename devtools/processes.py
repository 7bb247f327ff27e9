"""Starting the services as local processes: used by ``make run`` and by the end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ServiceSpec:
    """One process: ``python -m <module> serve`` with settings under ``<prefix>``."""

    name: str
    module: str
    env_prefix: str
    port: int
    database: str
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def environment(
        self,
        *,
        amqp_url: str,
        database_url: str | None,
        var_dir: Path,
        environment: str = "development",
        overrides: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        p = self.env_prefix
        env = {
            f"{p}ENVIRONMENT": environment,
            f"{p}HTTP_HOST": "127.0.0.1",
            f"{p}HTTP_PORT": str(self.port),
            f"{p}AMQP_URL": amqp_url,
            f"{p}VAR_DIR": str(var_dir),
            **self.extra_env,
        }
        if database_url:
            env[f"{p}DATABASE_URL"] = database_url
        env.update(overrides or {})
        return env


#: The system as ``make run`` starts it: the gateway, two demo insurers, the registry, payments.
SYSTEM: tuple[ServiceSpec, ...] = (
    ServiceSpec("gateway", "gateway", "GATEWAY_", 8000, "gateway"),
    ServiceSpec("payments", "payments", "PAYMENTS_", 8001, "payments"),
    ServiceSpec("registry", "registry", "REGISTRY_", 8002, "registry"),
    ServiceSpec("insurer-volga", "insurer", "INSURER_", 8010, "insurer_volga", {"INSURER_PLUGIN": "volga"}),
    ServiceSpec("insurer-taiga", "insurer", "INSURER_", 8011, "insurer_taiga", {"INSURER_PLUGIN": "taiga"}),
)


DEFAULT_PG_DSN = os.environ.get("RUN_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def local_database_url(spec: ServiceSpec, database: str, pg_dsn: str = DEFAULT_PG_DSN) -> str | None:
    """The service's database for a local run: None (SQLite under var/) or ``interchange_<name>``
    on the local PostgreSQL server."""
    if database == "sqlite":
        return None
    server = pg_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{server}/interchange_{spec.database}"


async def ensure_local_databases(pg_dsn: str = DEFAULT_PG_DSN) -> None:
    """Create the ``interchange_<name>`` databases that do not exist yet."""
    import asyncpg

    conn = await asyncpg.connect(pg_dsn)
    try:
        existing = {row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")}
        for spec in SYSTEM:
            if f"interchange_{spec.database}" not in existing:
                await conn.execute(f'CREATE DATABASE "interchange_{spec.database}"')
    finally:
        await conn.close()


class ServiceProcess:
    def __init__(self, spec: ServiceSpec, env: Mapping[str, str], log_path: Path) -> None:
        self.spec = spec
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return int(self.env.get(f"{self.spec.env_prefix}HTTP_PORT", self.spec.port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.spec.module, "serve"],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches the supervisor, which stops us
        )
        log.close()
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/ready", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def wait_ready(processes: Iterable[ServiceProcess], timeout: float = 90.0) -> None:
    """Wait until every process answers ``/ready``; raise with its log if one dies or hangs."""
    pending = list(processes)
    deadline = time.monotonic() + timeout
    while pending:
        for process in list(pending):
            if not process.alive():
                raise RuntimeError(f"{process.spec.name} exited during start:\n{process.log_tail()}")
            if process.ready():
                pending.remove(process)
        if pending and time.monotonic() > deadline:
            names = ", ".join(p.spec.name for p in pending)
            raise RuntimeError(f"not ready within {timeout:.0f} s: {names}\n{pending[0].log_tail()}")
        if pending:
            time.sleep(0.2)
