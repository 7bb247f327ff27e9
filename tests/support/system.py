"""Start the real services as processes for an end-to-end test, each with a fresh database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from devtools.processes import SYSTEM, ServiceProcess, ServiceSpec, wait_ready
from tests.support.infra import RabbitVhost
from tests.support.payments import TEST_MERCHANTS, TEST_MERCHANTS_JSON
from tests.support.proxy import free_port

SPECS = {spec.name: spec for spec in SYSTEM}

#: The partner system of the test runs (development secrets are refused outside development).
TEST_PARTNER = {
    "client_id": "hr-test",
    "name": "HR-система работодателя (тест)",
    "secret": "sk_test_hr_0123456789",
    "scopes": [
        "dms.applications.read",
        "dms.applications.write",
        "dms.policies.read",
        "notifications.read",
        "notifications.write",
        "oms.policies.read",
        "oms.policies.write",
    ],
}
TEST_PARTNERS_JSON = json.dumps([TEST_PARTNER], ensure_ascii=False)
#: The register's REST client of the test runs.
TEST_REGISTRY_CLIENT = {
    "client_id": "insurer-test",
    "name": "Test insurer",
    "secret": "sk_test_registry_0123456789",
}


class System:
    """The processes of one test; all stopped at its end (their logs are kept under tmp_path)."""

    def __init__(self, vhost: RabbitVhost, new_database: Callable[[str], str], log_dir: Path) -> None:
        self.vhost = vhost
        self.new_database = new_database
        self.log_dir = log_dir
        self.processes: dict[str, ServiceProcess] = {}
        self.database_urls: dict[str, str] = {}
        self.ports: dict[str, int] = {}

    def port_of(self, name: str) -> int:
        """The service's port, chosen once: services find each other before they start."""
        if name not in self.ports:
            self.ports[name] = free_port()
        return self.ports[name]

    def url_of(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port_of(name)}"

    def wiring(self, spec: ServiceSpec) -> dict[str, str]:
        """How the services of a test reach each other, with the test merchants' keys."""
        if spec.module == "payments":
            return {"PAYMENTS_MERCHANTS": TEST_MERCHANTS_JSON, "PAYMENTS_PUBLIC_URL": self.url_of(spec.name)}
        if spec.module == "insurer":
            code = spec.extra_env["INSURER_PLUGIN"]
            secret = next(m["secret_key"] for m in TEST_MERCHANTS if m["shop_id"] == code)
            return {
                "INSURER_PAYMENTS_URL": self.url_of("payments"),
                "INSURER_PAYMENTS_SECRET_KEY": secret,
                "INSURER_PAYMENT_LINK_INTERVAL_SECONDS": "0.5",
            }
        if spec.module == "registry":
            return {"REGISTRY_CLIENTS": json.dumps([TEST_REGISTRY_CLIENT], ensure_ascii=False)}
        if spec.module == "gateway":
            return {
                "GATEWAY_PUBLIC_URL": self.url_of(spec.name),
                "GATEWAY_DEMO_ACCOUNTS": "true",
                "GATEWAY_PARTNERS": TEST_PARTNERS_JSON,
                "GATEWAY_SWEEP_INTERVAL_SECONDS": "0.3",
                "GATEWAY_OMS_LOOKUP_BACKOFF_SECONDS": "0.3",
                "GATEWAY_OMS_LOOKUP_ATTEMPTS": "3",
            }
        return {}

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
        port = str(self.port_of(name))
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
                **self.wiring(spec),
                **(overrides or {}),
            },
        )
        process = ServiceProcess(spec, env, self.log_dir / f"{name}.log")
        self.processes[name] = process
        return process

    def start(self, *names: str, wait: bool = True) -> list[ServiceProcess]:
        """Start (or start again) these services, as configured by :meth:`process` if it was called."""
        started = [(self.processes.get(name) or self.process(name)).start() for name in names]
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
