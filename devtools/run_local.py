"""``make run``: start the whole interchange as local processes and stop it on Ctrl-C.

SQLite files under ``var/`` by default; ``--database postgres`` uses one PostgreSQL database per
service on the local server (created when missing). Logs go to ``var/log/<service>.log``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path
from types import FrameType

from devtools.processes import SYSTEM, ServiceProcess, ensure_local_databases, local_database_url, wait_ready

ROOT = Path(__file__).resolve().parent.parent


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-dsn", default=os.environ.get("RUN_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument(
        "--amqp-url", default=os.environ.get("RUN_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    args = parser.parse_args()

    if args.database == "postgres":
        asyncio.run(ensure_local_databases())

    processes = [
        ServiceProcess(
            spec,
            spec.environment(
                amqp_url=args.amqp_url,
                database_url=local_database_url(spec, args.database),
                var_dir=args.var_dir,
            ),
            args.var_dir / "log" / f"{spec.name}.log",
        )
        for spec in SYSTEM
    ]

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    busy = [process for process in processes if not port_free(process.port)]
    if busy:
        for process in busy:
            print(
                f"Port {process.port} ({process.spec.name}) is already in use: is the interchange "
                f"already running? Stop it, or free the port.",
                file=sys.stderr,
            )
        return 1

    print(f"Starting the interchange ({args.database}, RabbitMQ at {args.amqp_url.split('@')[-1]}) ...")
    for process in processes:
        process.start()
    try:
        wait_ready(processes)
    except RuntimeError as exc:
        print(f"\nThe interchange did not start: {exc}", file=sys.stderr)
        for process in processes:
            process.stop()
        return 1

    print("\nThe interchange is running:\n")
    for process in processes:
        print(f"  {process.spec.name:<15} {process.url:<24} API docs: {process.url}/docs")
    print(f"\n  Insurers known to the gateway: {processes[0].url}/insurers")
    print(f"  Logs: {args.var_dir / 'log'}/<service>.log")
    print("\nPress Ctrl-C to stop.")

    exit_code = 0
    while not stopping:
        for process in processes:
            if not process.alive():
                print(f"\n{process.spec.name} stopped unexpectedly:\n{process.log_tail()}", file=sys.stderr)
                stopping, exit_code = True, 1
        time.sleep(0.5)

    print("\nStopping ...")
    for process in reversed(processes):
        process.stop()
        print(f"  {process.spec.name} stopped")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
