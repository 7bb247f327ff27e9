"""The whole ДМС-мигрант flow under load: complete flows per second and the latency of each stage.

It starts the gateway, payments and the two demo insurers as processes (uvicorn, PostgreSQL,
RabbitMQ), each on a fresh database and one fresh vhost, then runs N applicants at once (closed
loop). Each applicant logs in once and repeats the flow through the public API:

- **submit → offers**: from the POST of the application until the cabinet shows the offers
  (both insurers answered);
- **accept → payment link**: from accepting the cheapest offer until the payment link is there;
- **payment → policy**: from posting the card on the payment page until the policy is in the
  cabinet.

The cabinet is polled every ``--poll`` seconds, so each stage includes up to one poll interval.
The load generator shares the machine with the services; the figures include its CPU share.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.payments import Step
from bench.system import running
from devtools.cabinet import CARD_SUCCESS, Cabinet, application_for, pay
from gateway.accounts.demo import DEMO_ACCOUNTS
from kit.calendar import business_day
from kit.messaging.envelope import utcnow

STAGES = ("submit_to_offers", "accept_to_payment_link", "payment_to_policy")
SERVICES = ("payments", "gateway", "insurer-volga", "insurer-taiga")


async def one_flow(
    cabinet: Cabinet, browser: httpx.AsyncClient, profile: dict[str, Any], steps: dict[str, Step], poll: float
) -> None:
    started = time.perf_counter()
    response = await cabinet.submit(application_for(profile, today=business_day(utcnow())))
    if response.status_code != 202:
        raise RuntimeError(f"submit answered {response.status_code}: {response.text}")
    app_id = response.json()["id"]
    await cabinet.wait_for(app_id, {"offers_received"}, timeout=60, interval=poll)
    steps["submit_to_offers"].seconds.append(time.perf_counter() - started)

    offers = await cabinet.offers(app_id)
    started = time.perf_counter()
    await cabinet.accept(app_id, offers[0]["id"])
    link = (await cabinet.wait_for(app_id, {"awaiting_payment"}, timeout=60, interval=poll))["payment"]
    steps["accept_to_payment_link"].seconds.append(time.perf_counter() - started)

    started = time.perf_counter()
    await pay(link["url"], CARD_SUCCESS, http=browser)
    await cabinet.wait_for(app_id, {"policy_issued"}, timeout=60, interval=poll)
    steps["payment_to_policy"].seconds.append(time.perf_counter() - started)


async def run(gateway_url: str, applicants: int, flows: int, poll: float, warmup: int) -> dict[str, Any]:
    workers = [a for a in DEMO_ACCOUNTS if a.level == "confirmed" and a.citizenship != "RUS"]
    cabinets = []
    for n in range(applicants):
        account = workers[n % len(workers)]
        cabinet = Cabinet(gateway_url, http=httpx.AsyncClient(base_url=gateway_url, timeout=60))
        await cabinet.login(account.login, account.password)
        cabinets.append((cabinet, (await cabinet.me())["profile"]))
    browser = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=applicants * 2))
    try:
        for _ in range(300):
            if len((await cabinets[0][0].get("/insurers", region="77"))["items"]) >= 2:
                break
            await asyncio.sleep(0.1)
        warm = {name: Step(name) for name in STAGES}
        await asyncio.gather(*(one_flow(c, browser, p, warm, poll) for c, p in cabinets[:warmup]))

        steps = {name: Step(name) for name in STAGES}
        counter = itertools.count()
        errors: list[str] = []

        async def applicant(cabinet: Cabinet, profile: dict[str, Any]) -> None:
            while next(counter) < flows:
                try:
                    await one_flow(cabinet, browser, profile, steps, poll)
                except Exception as exc:  # counted and reported, the run goes on
                    errors.append(repr(exc)[:300])

        started = time.perf_counter()
        await asyncio.gather(*(applicant(c, p) for c, p in cabinets))
        elapsed = time.perf_counter() - started
    finally:
        await browser.aclose()
        for cabinet, _ in cabinets:
            await cabinet.close()
    completed = len(steps["payment_to_policy"].seconds)
    return {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "applicants": applicants,
        "flows_completed": completed,
        "errors": len(errors),
        "first_errors": errors[:5],
        "seconds": elapsed,
        "flows_per_second": completed / elapsed if elapsed else 0.0,
        "poll_seconds": poll,
        "stages": {name: step.summary() for name, step in steps.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.flow", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applicants", type=int, default=16, help="applicants at once (16)")
    parser.add_argument("--flows", type=int, default=400, help="complete flows to run (400)")
    parser.add_argument("--poll", type=float, default=0.2, help="cabinet polling interval, s (0.2)")
    parser.add_argument("--pg-admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    with running(SERVICES, "flow", args.pg_admin_dsn) as system:
        log_dir = system.log_dir
        results = asyncio.run(run(system.url_of("gateway"), args.applicants, args.flows, args.poll, warmup=4))
    print_results(results, log_dir)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if results and not results["errors"] else 1


def print_results(results: dict[str, Any], log_dir: Path) -> None:
    if not results:
        print(f"no results; service logs in {log_dir}")
        return
    print(
        f"\nWhole ДМС flow: {results['flows_completed']} flows by {results['applicants']} applicants in "
        f"{results['seconds']:.1f} s = {results['flows_per_second']:.1f} flows/s "
        f"({results['errors']} errors; cabinet polled every {results['poll_seconds'] * 1000:.0f} ms)"
    )
    for name, stage in results["stages"].items():
        print(
            f"  {name:<24} p50 {stage['p50_ms']:7.1f} ms   p95 {stage['p95_ms']:7.1f} ms   "
            f"p99 {stage['p99_ms']:7.1f} ms   max {stage['max_ms']:7.1f} ms"
        )
    for error in results["first_errors"]:
        print(f"  error: {error}")
    if results["errors"]:
        print(f"  service logs: {log_dir}")


if __name__ == "__main__":
    sys.exit(main())
