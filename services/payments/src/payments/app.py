from pathlib import Path

from fastapi import FastAPI

import payments
from kit.http import create_app as create_service_app
from kit.runtime import ServiceRuntime
from payments.db import messaging
from payments.settings import PaymentsSettings

MIGRATIONS = Path(__file__).parent / "migrations"
#: The topic exchange this service publishes its events to.
EXCHANGE = "payments"


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    settings = settings or PaymentsSettings()
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, tables=messaging, exchanges=(EXCHANGE,))
    return create_service_app(
        runtime,
        title="Payments (YooKassa-style acquirer)",
        description=(payments.__doc__ or "").strip(),
    )
