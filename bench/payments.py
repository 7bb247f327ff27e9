"""Payments benchmark: create → pay on the payment page → ``payment.succeeded`` event.

It starts the real payments service as a process (uvicorn, PostgreSQL, RabbitMQ) in a fresh
database and vhost, then measures:

1. **create at a fixed rate** (open loop, default 200 requests/s): latency of ``POST /v3/payments``,
   p50/p95/p99, and the rate actually achieved;
2. **the whole flow** (closed loop, N payers at once): each payer creates a payment, opens the
   payment page, pays with the success test card and waits for the ``payment.succeeded`` event on
   AMQP. Payments/s, and p50/p99 of each step: create, page, pay (the form POST until its redirect),
   event (from the pay POST until the event is consumed).

The load generator runs on the same machine as the service, so the figures include its CPU share.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx

from devtools.processes import SYSTEM, ServiceProcess, wait_ready

SHOP, SECRET = "bench", "sk_bench_0123456789abcdef"
SUCCESS_CARD = "5555555555554477"
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Step:
    name: str
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        ms = [s * 1000 for s in self.seconds]
        return {
            "count": len(ms),
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "max_ms": max(ms) if ms else float("nan"),
        }


def payment_body(n: int) -> dict[str, Any]:
    return {
        "amount": {"value": f"{1000 + n % 9000}.50", "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": "https://insurer.example/return"},
        "capture": True,
        "description": f"Bench payment {n}",
        "metadata": {"contract_id": f"bench-{n}"},
    }


class Bench:
    def __init__(self, base_url: str, amqp_url: str) -> None:
        auth = base64.b64encode(f"{SHOP}:{SECRET}".encode()).decode()
        self.headers = {"Authorization": f"Basic {auth}"}
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=30,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
        )
        self.amqp_url = amqp_url
        self.events: dict[str, asyncio.Future[float]] = {}
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def listen(self) -> None:
        """Consume ``payment.succeeded`` for the bench shop and note when each arrives."""
        self.connection = await aio_pika.connect_robust(self.amqp_url)
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=500)
        exchange = await channel.declare_exchange("payments", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue("", exclusive=True)
        await queue.bind(exchange, f"merchant.{SHOP}.payment.succeeded")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            arrived = time.perf_counter()
            payment_id = json.loads(message.body)["payload"]["object"]["id"]
            waiter = self.events.setdefault(payment_id, asyncio.get_running_loop().create_future())
            if not waiter.done():
                waiter.set_result(arrived)
            await message.ack()

        await queue.consume(on_message)

    async def create(self, n: int) -> tuple[str, float]:
        started = time.perf_counter()
        response = await self.http.post(
            "/v3/payments",
            json=payment_body(n),
            headers={**self.headers, "Idempotence-Key": str(uuid.uuid4())},
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return str(response.json()["id"]), elapsed

    async def flow(self, n: int, steps: dict[str, Step]) -> None:
        payment_id, created = await self.create(n)
        steps["create"].seconds.append(created)
        self.events.setdefault(payment_id, asyncio.get_running_loop().create_future())

        started = time.perf_counter()
        page = await self.http.get(f"/checkout/{payment_id}")
        steps["page"].seconds.append(time.perf_counter() - started)
        match = TOKEN.search(page.text)
        if page.status_code != 200 or match is None:
            raise RuntimeError(f"payment page answered {page.status_code}")

        started = time.perf_counter()
        paid = await self.http.post(
            f"/checkout/{payment_id}/card",
            data={
                "token": match.group(1),
                "number": SUCCESS_CARD,
                "expiry": "12/30",
                "cvc": "123",
                "holder": "IVAN IVANOV",
            },
        )
        steps["pay"].seconds.append(time.perf_counter() - started)
        if paid.status_code != 303:
            raise RuntimeError(f"paying answered {paid.status_code}")
        arrived = await asyncio.wait_for(self.events[payment_id], timeout=30)
        steps["event"].seconds.append(arrived - started)
        del self.events[payment_id]

    async def close(self) -> None:
        await self.http.aclose()
        if self.connection is not None:
            await self.connection.close()


async def open_loop(
    rate: float, seconds: float, call: Callable[[int], Awaitable[float]]
) -> tuple[Step, float]:
    """Start one call every 1/rate s regardless of answers (no coordinated omission)."""
    step = Step("create")
    count = int(rate * seconds)
    begin = time.perf_counter()

    async def one(n: int) -> None:
        step.seconds.append(await call(n))

    tasks = []
    for n in range(count):
        delay = begin + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return step, count / (time.perf_counter() - begin)


async def closed_loop(bench: Bench, payers: int, flows: int) -> tuple[dict[str, Step], float]:
    steps = {name: Step(name) for name in ("create", "page", "pay", "event")}
    counter = iter(range(1_000_000, 1_000_000 + flows))

    async def payer() -> None:
        for n in counter:
            await bench.flow(n, steps)

    begin = time.perf_counter()
    await asyncio.gather(*(payer() for _ in range(payers)))
    return steps, flows / (time.perf_counter() - begin)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


async def pg(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.payments",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rate", type=float, default=200.0, help="create requests per second (200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the fixed-rate phase (20)")
    parser.add_argument("--payers", type=int, default=16, help="payers at once in the flow phase (16)")
    parser.add_argument("--flows", type=int, default=2000, help="complete flows in the flow phase (2000)")
    parser.add_argument("--pg-admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()

    token = uuid.uuid4().hex[:8]
    vhost, database = f"bench-pay-{token}", f"bench_pay_{token}"
    server = args.pg_admin_dsn.rsplit("/", 1)[0]
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    asyncio.run(pg(args.pg_admin_dsn, f'CREATE DATABASE "{database}"'))
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    spec = next(s for s in SYSTEM if s.module == "payments")
    from tests.support.proxy import free_port  # a free port, as the tests find one

    port = free_port()
    process = ServiceProcess(
        spec,
        spec.environment(
            amqp_url=amqp_url,
            database_url=f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{database}",
            var_dir=Path(tempfile.mkdtemp(prefix="bench-payments-")),
            environment="production",
            overrides={
                "PAYMENTS_HTTP_PORT": str(port),
                "PAYMENTS_SECRET_KEY": "bench-secret-not-for-production",
                "PAYMENTS_LOG_LEVEL": "WARNING",
                "PAYMENTS_MERCHANTS": json.dumps(
                    [{"shop_id": SHOP, "name": "Bench shop", "secret_key": SECRET}]
                ),
            },
        ),
        Path(tempfile.gettempdir()) / f"bench-payments-{token}.log",
    )
    results: dict[str, Any] = {}
    try:
        process.start()
        wait_ready([process], timeout=60)
        results = asyncio.run(run(process.url, amqp_url, args))
    finally:
        process.stop()
        asyncio.run(pg(args.pg_admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        rabbitmqctl("delete_vhost", vhost)
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


async def run(base_url: str, amqp_url: str, args: argparse.Namespace) -> dict[str, Any]:
    bench = Bench(base_url, amqp_url)
    try:
        await bench.listen()
        for n in range(50):  # warm-up: connections, caches, JIT-less Python paths
            await bench.flow(n, {name: Step(name) for name in ("create", "page", "pay", "event")})

        async def timed_create(n: int) -> float:
            return (await bench.create(n))[1]

        create_step, achieved = await open_loop(args.rate, args.seconds, timed_create)
        steps, flows_per_second = await closed_loop(bench, args.payers, args.flows)
    finally:
        await bench.close()
    return {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "fixed_rate_create": {"target_rps": args.rate, "achieved_rps": achieved, **create_step.summary()},
        "flow": {
            "payers": args.payers,
            "flows": args.flows,
            "payments_per_second": flows_per_second,
            "steps": {name: step.summary() for name, step in steps.items()},
        },
    }


def print_results(results: dict[str, Any]) -> None:
    if not results:
        return
    fixed = results["fixed_rate_create"]
    print(
        f"\nCreate at a fixed rate: target {fixed['target_rps']:.0f}/s, "
        f"achieved {fixed['achieved_rps']:.1f}/s, {fixed['count']} requests"
    )
    print(
        f"  p50 {fixed['p50_ms']:.1f} ms   p95 {fixed['p95_ms']:.1f} ms   p99 {fixed['p99_ms']:.1f} ms   "
        f"max {fixed['max_ms']:.1f} ms"
    )
    flow = results["flow"]
    print(
        f"\nWhole flow, {flow['payers']} payers at once: {flow['payments_per_second']:.1f} payments/s "
        f"({flow['flows']} flows)"
    )
    print(f"  {'step':<8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, step in flow["steps"].items():
        print(f"  {name:<8}{step['p50_ms']:>10.1f}{step['p95_ms']:>10.1f}{step['p99_ms']:>10.1f}")


if __name__ == "__main__":
    sys.exit(main())
