"""The participant directory end to end: real gateway and insurer processes, RabbitMQ, PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from shared.tests.harness import drain, publish_raw
from tests.support.system import System

pytestmark = pytest.mark.e2e


def eventually(probe: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Call ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s (last: {result!r})")
        time.sleep(interval)


def directory(system: System, **params: str) -> dict[str, dict[str, Any]]:
    with system.client("gateway") as client:
        response = client.get("/insurers", params=params)
        response.raise_for_status()
        return {item["code"]: item for item in response.json()["items"]}


def test_insurers_announce_themselves_and_gateway_serves_the_directory(system: System):
    system.start("gateway", "insurer-volga", "insurer-taiga")

    entries = eventually(lambda: (d := directory(system)) and len(d) == 2 and d)
    volga = entries["volga"]
    assert volga["short_name"] == "СК «Волга-Мед» (демо)"
    assert volga["synthetic"] is True
    assert volga["inn"] == "9900000017"
    assert volga["licence"]["number"] == "СЛ № 0000-ДЕМО"
    assert "63" in volga["regions"]
    assert {p["line"] for p in volga["products"]} == {"dms-migrant", "oms"}

    # Region filter: Novosibirsk (54) is Taiga's, Moscow (77) is served by both.
    assert set(directory(system, region="54")) == {"taiga"}
    assert set(directory(system, region="77")) == {"taiga", "volga"}
    assert directory(system, region="01") == {}

    with system.client("gateway") as client:
        one = client.get("/insurers/taiga")
        assert one.status_code == 200
        assert one.json()["regions"] == ["24", "38", "54", "70", "77", "78"]
        missing = client.get("/insurers/nobody", headers={"Accept-Language": "ru"})
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["title"] == "Страховщик не найден"


def test_insurer_started_before_the_gateway_is_listed_once_the_gateway_starts(system: System):
    # The insurer's first announcement finds no gateway queue yet and is dropped by the broker;
    # the gateway asks for a refresh at start and the insurer announces itself again.
    system.start("insurer-volga")
    time.sleep(1.0)
    system.start("gateway")
    entries = eventually(lambda: directory(system))
    assert set(entries) == {"volga"}


def test_restarted_insurer_updates_its_entry(system: System):
    system.start("gateway", "insurer-taiga")
    first = eventually(lambda: directory(system).get("taiga"))

    system.processes["insurer-taiga"].stop()
    system.start("insurer-taiga")

    def restarted() -> dict[str, Any] | None:
        entry = directory(system).get("taiga")
        if entry and entry["instance_started_at"] != first["instance_started_at"]:
            return entry
        return None

    second = eventually(restarted)
    assert datetime.fromisoformat(second["instance_started_at"]) > datetime.fromisoformat(
        first["instance_started_at"]
    )
    assert second["first_announced_at"] == first["first_announced_at"]
    assert datetime.fromisoformat(second["last_announced_at"]) > datetime.fromisoformat(
        first["last_announced_at"]
    )


def test_announcement_with_a_bad_body_is_dead_lettered_and_the_gateway_goes_on(system: System):
    system.start("gateway")
    amqp_url = system.vhost.url()
    bad_announcement = {
        "message_id": "4b5c1c1e-0000-4000-8000-000000000001",
        "type": "insurer.announced",
        "version": 1,
        "occurred_at": "2026-11-22T10:00:00+00:00",
        "producer": "insurer-rogue",
        "correlation_id": "directory.rogue",
        "payload": {"code": "rogue", "legal_name": "Без ИНН"},
    }
    asyncio.run(
        publish_raw(amqp_url, "insurers", "insurer.rogue.announced", json.dumps(bad_announcement).encode())
    )
    asyncio.run(publish_raw(amqp_url, "insurers", "insurer.rogue.announced", b"not json at all"))

    dead = asyncio.run(drain(amqp_url, "gateway.directory.dlq", expected=2, timeout=30))
    reasons = sorted(str(m.headers["x-dead-letter-reason"]) for m in dead)
    assert len(reasons) == 2
    assert reasons[0].startswith("malformed envelope")
    assert reasons[1].startswith("schema violation in insurer.announced")
    assert "inn" in reasons[1]

    # The consumer is still there: a real insurer is listed afterwards, the rogue one never.
    system.start("insurer-volga")
    assert set(eventually(lambda: directory(system))) == {"volga"}
