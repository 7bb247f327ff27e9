"""ОМС requests from the cabinet to the register and back, under load: requests per second and the
latency of each round trip through the public API, RabbitMQ and both databases.

It starts the gateway and the registry as processes (uvicorn, PostgreSQL, RabbitMQ), each on a fresh
database and one fresh vhost. N parents at once (the demo citizen, one session each; closed loop) each
repeat:

- **request → issued**: POST a policy request for a new child (birth certificate) until
  GET /oms/requests/{id} says issued;
- **operation → done**: POST suspend on that child's policy until GET /oms/operations/{id} says done;
  then the same for resume.

Each figure includes up to one polling interval (``--poll``). The load generator shares the machine
with the services.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.payments import Step
from bench.system import running
from devtools.cabinet import Cabinet, oms_child_for
from gateway.accounts.demo import DEMO_ACCOUNTS

STAGES = ("request_to_issued", "operation_to_done")
SERVICES = ("registry", "gateway")
CYRILLIC = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"


def child(n: int) -> dict[str, Any]:
    """A different child each time: the register finds a known one and answers already_insured."""
    letters = CYRILLIC[n % len(CYRILLIC)] + CYRILLIC[(n // len(CYRILLIC)) % len(CYRILLIC)]
    born = date.today() - timedelta(days=400 + n % 3000)
    return oms_child_for(born, series=f"IV-{letters}", number=f"{n % 1_000_000:06d}")


async def wait(cabinet: Cabinet, path: str, pending: str, poll: float, timeout: float = 60) -> dict[str, Any]:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        found: dict[str, Any] = await cabinet.get(path)
        if found["status"] != pending:
            return found
        await asyncio.sleep(poll)
    raise RuntimeError(f"{path} still {pending} after {timeout} s")


async def post(cabinet: Cabinet, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await cabinet.post(path, body)
    if response.status_code != 202:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


async def one_round(cabinet: Cabinet, n: int, steps: dict[str, Step], poll: float) -> None:
    started = time.perf_counter()
    asked = await post(cabinet, "/oms/requests", {"region": "77", "insurer": "smo-alfa", "child": child(n)})
    answered = await wait(cabinet, f"/oms/requests/{asked['id']}", "submitted", poll)
    if answered["status"] != "issued":
        raise RuntimeError(f"request {n}: {answered['status']} {answered['rule']} {answered['reason_en']}")
    steps["request_to_issued"].seconds.append(time.perf_counter() - started)
    for operation, reason in (("suspend", "призыв на военную службу"), ("resume", "окончание службы")):
        started = time.perf_counter()
        sent = await post(
            cabinet, f"/oms/policies/{answered['enp']}/operations", {"operation": operation, "reason": reason}
        )
        done = await wait(cabinet, f"/oms/operations/{sent['id']}", "submitted", poll)
        if done["status"] != "done":
            raise RuntimeError(f"{operation} {n}: {done['status']} {done['rule']} {done['reason_en']}")
        steps["operation_to_done"].seconds.append(time.perf_counter() - started)


async def run(gateway_url: str, parents: int, rounds: int, poll: float) -> dict[str, Any]:
    citizen = next(a for a in DEMO_ACCOUNTS if a.key == "citizen")
    cabinets = []
    for _ in range(parents):
        cabinet = Cabinet(gateway_url, http=httpx.AsyncClient(base_url=gateway_url, timeout=60))
        await cabinet.login(citizen.login, citizen.password)
        cabinets.append(cabinet)
    numbers = itertools.count(1)
    try:
        warm = {name: Step(name) for name in STAGES}
        await asyncio.gather(*(one_round(c, next(numbers), warm, poll) for c in cabinets))
        steps = {name: Step(name) for name in STAGES}
        errors: list[str] = []
        counter = itertools.count()

        async def parent(cabinet: Cabinet) -> None:
            while next(counter) < rounds:
                try:
                    await one_round(cabinet, next(numbers), steps, poll)
                except Exception as exc:  # counted and reported, the run goes on
                    errors.append(repr(exc)[:300])

        started = time.perf_counter()
        await asyncio.gather(*(parent(c) for c in cabinets))
        elapsed = time.perf_counter() - started
    finally:
        for cabinet in cabinets:
            await cabinet.close()
    completed = len(steps["request_to_issued"].seconds)
    return {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "parents": parents,
        "rounds_completed": completed,
        "errors": len(errors),
        "first_errors": errors[:5],
        "seconds": elapsed,
        # a round is three round trips: the request, the suspension, the resumption
        "round_trips_per_second": 3 * completed / elapsed if elapsed else 0.0,
        "poll_seconds": poll,
        "stages": {name: step.summary() for name, step in steps.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.oms", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parents", type=int, default=8, help="parents at once (8)")
    parser.add_argument("--rounds", type=int, default=200, help="request + suspend + resume rounds (200)")
    parser.add_argument("--poll", type=float, default=0.05, help="polling interval, s (0.05)")
    parser.add_argument("--pg-admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    with running(SERVICES, "oms", args.pg_admin_dsn) as system:
        log_dir = system.log_dir
        results = asyncio.run(run(system.url_of("gateway"), args.parents, args.rounds, args.poll))
    if results:
        print(
            f"\nОМС cabinet ↔ register: {results['rounds_completed']} rounds by {results['parents']} "
            f"parents in {results['seconds']:.1f} s = {results['round_trips_per_second']:.1f} round trips/s "
            f"({results['errors']} errors; polled every {results['poll_seconds'] * 1000:.0f} ms)"
        )
        for name, stage in results["stages"].items():
            print(
                f"  {name:<20} p50 {stage['p50_ms']:7.1f} ms   p95 {stage['p95_ms']:7.1f} ms   "
                f"p99 {stage['p99_ms']:7.1f} ms   max {stage['max_ms']:7.1f} ms"
            )
        for error in results["first_errors"]:
            print(f"  error: {error}")
    else:
        print(f"no results; service logs in {log_dir}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if results and not results["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
