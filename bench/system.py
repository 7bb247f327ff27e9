"""The services of a benchmark as processes, each on a fresh PostgreSQL database and all on one fresh
vhost, removed afterwards (also after an error)."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.payments import pg
from tests.support.infra import vhost
from tests.support.system import SPECS, System


@contextmanager
def running(services: tuple[str, ...], label: str, pg_admin_dsn: str) -> Iterator[System]:
    """Start ``services`` (quiet logs, kept in ``system.log_dir``); stop them and drop their databases."""
    token = uuid.uuid4().hex[:8]
    created: list[str] = []
    server = pg_admin_dsn.rsplit("/", 1)[0]

    def new_database(name_label: str) -> str:
        name = f"bench_{token}_{name_label}"[:63]
        asyncio.run(pg(pg_admin_dsn, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"

    log_dir = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    with vhost(f"bench-{label}-{token}") as fresh:
        system = System(fresh, new_database, log_dir)
        try:
            for name in services:
                system.process(name, overrides={f"{SPECS[name].env_prefix}LOG_LEVEL": "WARNING"})
            system.start(*services)
            yield system
        finally:
            system.stop_all()
            for name in created:
                asyncio.run(pg(pg_admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
