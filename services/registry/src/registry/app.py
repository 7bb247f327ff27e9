from pathlib import Path

from fastapi import FastAPI

import registry
from kit.http import create_app as create_service_app
from kit.runtime import ServiceRuntime
from registry.db import messaging
from registry.settings import RegistrySettings

MIGRATIONS = Path(__file__).parent / "migrations"
#: The topic exchange this service publishes its events to.
EXCHANGE = "registry"


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, tables=messaging, exchanges=(EXCHANGE,))
    return create_service_app(
        runtime,
        title="Registry (ERZL-style)",
        description=(registry.__doc__ or "").strip(),
    )
