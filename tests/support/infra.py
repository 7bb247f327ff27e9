"""Real RabbitMQ and PostgreSQL for the tests, isolated per run.

One fresh vhost for the whole run, fresh PostgreSQL databases on demand; all removed at the end.
Where they live is read from the environment (defaults: this machine's local servers):

- ``TEST_AMQP_HOST``/``TEST_AMQP_PORT``/``TEST_AMQP_USER``/``TEST_AMQP_PASSWORD``
- ``TEST_PG_DSN`` (an admin DSN, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``)
- ``TEST_RABBITMQCTL`` (the command that manages vhosts; default ``rabbitmqctl``)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shlex
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncpg
import pytest

AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1")
AMQP_PORT = int(os.environ.get("TEST_AMQP_PORT", "5672"))
AMQP_USER = os.environ.get("TEST_AMQP_USER", "guest")
AMQP_PASSWORD = os.environ.get("TEST_AMQP_PASSWORD", "guest")
PG_DSN = os.environ.get("TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQCTL = shlex.split(os.environ.get("TEST_RABBITMQCTL", "rabbitmqctl"))


def _rabbitmqctl(*args: str) -> None:
    subprocess.run([*RABBITMQCTL, *args], check=True, capture_output=True, timeout=60)


@dataclass(frozen=True)
class RabbitVhost:
    host: str
    port: int
    vhost: str

    def url(self, *, host: str | None = None, port: int | None = None) -> str:
        return f"amqp://{AMQP_USER}:{AMQP_PASSWORD}@{host or self.host}:{port or self.port}/{self.vhost}"


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@contextmanager
def vhost(name: str) -> Iterator[RabbitVhost]:
    """A vhost for as long as the ``with`` lasts (for fixtures of a wider scope than one test)."""
    _rabbitmqctl("add_vhost", name)
    try:
        _rabbitmqctl("set_permissions", "-p", name, AMQP_USER, ".*", ".*", ".*")
        yield RabbitVhost(AMQP_HOST, AMQP_PORT, name)
    finally:
        _rabbitmqctl("delete_vhost", name)


@pytest.fixture(scope="session")
def rabbit(run_id: str) -> Iterator[RabbitVhost]:
    """A fresh vhost for this test run, deleted afterwards."""
    with vhost(f"test-{run_id}") as created:
        yield created


@pytest.fixture(scope="session")
def amqp_url(rabbit: RabbitVhost) -> str:
    return rabbit.url()


@pytest.fixture
def fresh_vhost(run_id: str) -> Iterator[RabbitVhost]:
    """A vhost for one test, for tests whose services use fixed queue names."""
    with vhost(f"test-{run_id}-{uuid.uuid4().hex[:6]}") as created:
        yield created


def _pg_url(dsn: str, database: str, *, driver: str = "postgresql+asyncpg") -> str:
    rest = dsn.split("://", 1)[1]
    server = rest.rsplit("/", 1)[0]
    return f"{driver}://{server}/{database}"


@dataclass(frozen=True)
class PgServer:
    admin_dsn: str
    host: str
    port: int

    def url(self, database: str, *, host: str | None = None, port: int | None = None) -> str:
        url = _pg_url(self.admin_dsn, database)
        if host or port:
            url = url.replace(f"@{self.host}:{self.port}/", f"@{host or self.host}:{port or self.port}/")
        return url


@pytest.fixture(scope="session")
def database_factory(run_id: str) -> Iterator[Callable[[str], str]]:
    """``new_database("gateway")`` creates a fresh PostgreSQL database and returns its async URL."""
    created: list[str] = []
    counter = itertools.count()

    async def _create(name: str) -> None:
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def new_database(label: str) -> str:
        name = f"t_{run_id}_{next(counter)}_{label}"[:63]
        asyncio.run(_create(name))
        created.append(name)
        return _pg_url(PG_DSN, name)

    yield new_database

    async def _drop_all() -> None:
        conn = await asyncpg.connect(PG_DSN)
        try:
            for name in created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(_drop_all())


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    rest = PG_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    hostport = rest.split("@")[-1]
    host, _, port = hostport.partition(":")
    return PgServer(PG_DSN, host, int(port or 5432))


@pytest.fixture
def database_url(database_factory: Callable[[str], str], request: pytest.FixtureRequest) -> str:
    """A fresh PostgreSQL database for one test."""
    return database_factory(request.node.name.replace("[", "_").replace("]", "")[:30].lower())


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Unique names for exchanges and queues, so tests sharing the run's vhost never meet."""
    token = uuid.uuid4().hex[:8]
    return lambda name: f"{name}-{token}"
