"""Start the real services as processes for an end-to-end test, each with a fresh database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from devtools.processes import SYSTEM, ServiceProcess, ServiceSpec, wait_ready
from tests.support.infra import RabbitVhost
from tests.support.payments import TEST_MERCHANTS_JSON
from tests.support.proxy import free_port

SPECS = {spec.name: spec for spec in SYSTEM}


class System:
    """The processes of one test; all stopped at its end (their logs are kept under tmp_path)."""

    def __init__(self, vhost: RabbitVhost, new_database: Callable[[str], str], log_dir: Path) -> None:
        self.vhost = vhost
        self.new_database = new_database
        self.log_dir = log_dir
        self.processes: dict[str, ServiceProcess] = {}
        self.database_urls: dict[str, str] = {}

    def process(
        self,
        name: str,
        *,
        amqp_url: str | None = None,
        database_url: str | None = None,
        overrides: dict[str, str] | None = None,
    ) -> ServiceProcess:
        """Configure (but do not start) a service; its database is created once and kept on restart."""
        spec: ServiceSpec = SPECS[name]
        if name not in self.database_urls:
            self.database_urls[name] = self.new_database(spec.database)
        previous = self.processes.get(name)
        port = previous.url.rsplit(":", 1)[1] if previous else str(free_port())
        env = spec.environment(
            amqp_url=amqp_url or self.vhost.url(),
            database_url=database_url or self.database_urls[name],
            var_dir=self.log_dir,
            environment="test",
            overrides={
                f"{spec.env_prefix}HTTP_PORT": port,
                f"{spec.env_prefix}SECRET_KEY": "test-secret-not-for-production",
                f"{spec.env_prefix}RETRY_BACKOFF_INITIAL": "0.2",
                f"{spec.env_prefix}RETRY_BACKOFF_MAX": "1.0",
                f"{spec.env_prefix}OUTBOX_POLL_INTERVAL": "0.2",
                **({"PAYMENTS_MERCHANTS": TEST_MERCHANTS_JSON} if spec.module == "payments" else {}),
                **(overrides or {}),
            },
        )
        process = ServiceProcess(spec, env, self.log_dir / f"{name}.log")
        self.processes[name] = process
        return process

    def start(self, *names: str, wait: bool = True) -> list[ServiceProcess]:
        started = [self.process(name).start() for name in names]
        if wait:
            wait_ready(started, timeout=60)
        return started

    def client(self, name: str) -> httpx.Client:
        return httpx.Client(base_url=self.processes[name].url, timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.stop()


@pytest.fixture
def system(
    fresh_vhost: RabbitVhost, database_factory: Callable[[str], str], tmp_path: Path
) -> Iterator[System]:
    running = System(fresh_vhost, database_factory, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
