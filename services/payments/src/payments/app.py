"""Builds the payments service: its runtime (database, messaging, upkeep) and its HTTP API."""

from pathlib import Path

from fastapi import FastAPI

import payments
from kit.contracts.payments import PAYMENT_SUCCEEDED
from kit.http import create_app as create_service_app
from kit.runtime import ServiceRuntime
from payments.checkout.routes import router as checkout_router
from payments.db import messaging
from payments.expiry import run_expiry
from payments.merchants.auth import MerchantDirectory, provision_merchants
from payments.payments.routes import router as payments_router
from payments.refunds.routes import router as refunds_router
from payments.settings import PaymentsSettings
from payments.webhooks.dispatcher import run_dispatcher
from payments.webhooks.routes import router as webhooks_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    settings = settings or PaymentsSettings()
    runtime = ServiceRuntime(
        settings, migrations_dir=MIGRATIONS, tables=messaging, exchanges=(PAYMENT_SUCCEEDED.exchange,)
    )

    merchants = MerchantDirectory()

    async def provision(rt: ServiceRuntime) -> None:
        await provision_merchants(rt, settings.merchants, merchants)

    runtime.on_database_ready.append(provision)
    runtime.add_background("payment-expiry", run_expiry)
    runtime.add_background("webhook-dispatcher", run_dispatcher)
    app = create_service_app(
        runtime,
        title="Payments (YooKassa-style acquirer)",
        description=(payments.__doc__ or "").strip(),
        routers=[payments_router, refunds_router, webhooks_router, checkout_router],
        openapi_tags=[
            {"name": "payments", "description": "Payments, in the manner of YooKassa API v3"},
            {"name": "refunds", "description": "Refunds back to the original payment"},
            {"name": "webhooks", "description": "Signed notifications of events to the shop's URLs"},
            {
                "name": "checkout",
                "description": "The payment page for browsers (HTML forms, not in this schema): "
                "GET /checkout/{payment_id}, the confirmation_url of a pending payment",
            },
        ],
    )
    app.state.merchants = merchants
    return app
