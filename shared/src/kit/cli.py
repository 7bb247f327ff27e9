"""``python -m <service> serve|migrate``: the same two commands for every service."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from kit.db import Database, upgrade_to_head
from kit.logging import configure_logging
from kit.settings import ServiceSettings


def main(
    *,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations_dir: Path,
    argv: list[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP API, consumers and the outbox relay")
    commands.add_parser("migrate", help="bring the database schema up to date and exit")
    args = parser.parse_args(argv)

    settings = settings_factory()
    configure_logging(settings.instance_name, settings.log_level)
    if args.command == "migrate":
        url = settings.effective_database_url
        Database(url)  # creates the SQLite folder when needed
        upgrade_to_head(migrations_dir, url)
        return
    app = app_factory(settings)
    uvicorn.run(
        app, host=settings.http_host, port=settings.port, log_config=None, access_log=True, lifespan="on"
    )
