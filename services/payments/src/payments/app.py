"""Builds the payments service: its runtime (database, messaging, upkeep) and its HTTP API."""

from pathlib import Path

from fastapi import FastAPI

import payments
from kit.contracts.payments import PAYMENT_SUCCEEDED
from kit.http import create_app as create_service_app
from kit.runtime import ServiceRuntime
from payments.db import messaging
from payments.expiry import run_expiry
from payments.merchants.auth import provision_merchants
from payments.payments.routes import router as payments_router
from payments.refunds.routes import router as refunds_router
from payments.settings import PaymentsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    settings = settings or PaymentsSettings()
    runtime = ServiceRuntime(
        settings, migrations_dir=MIGRATIONS, tables=messaging, exchanges=(PAYMENT_SUCCEEDED.exchange,)
    )

    async def provision(rt: ServiceRuntime) -> None:
        await provision_merchants(rt, settings.merchants)

    runtime.on_database_ready.append(provision)
    runtime.add_background("payment-expiry", run_expiry)
    return create_service_app(
        runtime,
        title="Payments (YooKassa-style acquirer)",
        description=(payments.__doc__ or "").strip(),
        routers=[payments_router, refunds_router],
        openapi_tags=[
            {"name": "payments", "description": "Payments, in the manner of YooKassa API v3"},
            {"name": "refunds", "description": "Refunds back to the original payment"},
        ],
    )
