"""A service started while its database and RabbitMQ are down waits, says so, and recovers by itself."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.test_directory import directory, eventually
from tests.support.infra import PgServer
from tests.support.proxy import TcpProxy
from tests.support.system import System

pytestmark = pytest.mark.e2e


def readiness(system: System, name: str) -> tuple[int, dict[str, Any]]:
    with system.client(name) as client:
        response = client.get("/ready")
        return response.status_code, response.json()


def test_gateway_started_without_database_and_broker_recovers(system: System, pg_server: PgServer):
    rabbit = system.vhost
    with (
        TcpProxy(rabbit.host, rabbit.port) as amqp_proxy,
        TcpProxy(pg_server.host, pg_server.port) as pg_proxy,
    ):
        amqp_proxy.stop()
        pg_proxy.stop()
        database = system.new_database("gateway")
        gateway = system.process(
            "gateway",
            amqp_url=rabbit.url(host=amqp_proxy.host, port=amqp_proxy.port),
            database_url=pg_server.url(database.rsplit("/", 1)[1], host=pg_proxy.host, port=pg_proxy.port),
        ).start()

        # Alive but not ready: both dependencies are unreachable.
        eventually(lambda: _health_ok(gateway.url))
        time.sleep(1.5)
        assert gateway.alive()
        status, body = readiness(system, "gateway")
        assert status == 503
        assert body["status"] == "not_ready"

        pg_proxy.start()
        eventually(lambda: readiness(system, "gateway")[1]["checks"]["database"] == "ok")
        status, body = readiness(system, "gateway")
        assert status == 503
        assert body["checks"]["broker"] == "unreachable"

        amqp_proxy.start()
        eventually(lambda: readiness(system, "gateway")[0] == 200)

        # It really works now: an insurer's announcement reaches the directory.
        system.start("insurer-volga")
        assert set(eventually(lambda: directory(system))) == {"volga"}

        # RabbitMQ goes away while running: not ready, then back by itself.
        amqp_proxy.stop()
        eventually(lambda: readiness(system, "gateway")[0] == 503)
        amqp_proxy.start()
        eventually(lambda: readiness(system, "gateway")[0] == 200)
        assert gateway.alive()


def _health_ok(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
