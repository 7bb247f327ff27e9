"""Builds an insurer instance: loads its plugin, then its runtime and HTTP API."""

from pathlib import Path

from fastapi import FastAPI

from insurer.db import messaging
from insurer.directory.announcements import Announcer
from insurer.directory.routes import router as identity_router
from insurer.dms.desk import DmsDesk
from insurer.dms.payments_client import PaymentsClient
from insurer.plugin import load_plugin
from insurer.settings import InsurerSettings
from kit.contracts.directory import INSURER_ANNOUNCED
from kit.crypto import DataCipher
from kit.http import create_app as create_service_app
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: InsurerSettings | None = None) -> FastAPI:
    settings = settings or InsurerSettings()
    plugin = load_plugin(settings.plugin)
    started_at = utcnow()
    runtime = ServiceRuntime(
        settings,
        migrations_dir=MIGRATIONS,
        tables=messaging,
        exchanges=(INSURER_ANNOUNCED.exchange,),
    )
    payments = PaymentsClient(
        settings.payments_url,
        shop_id=plugin.identity.code,
        secret_key=settings.payments_secret_key.get_secret_value(),
        timeout=settings.payments_timeout_seconds,
    )
    desk = DmsDesk(
        plugin,
        runtime.outbox,
        DataCipher(settings.secret_key.get_secret_value()),
        payments,
        link_interval=settings.payment_link_interval_seconds,
        backoff=runtime.backoff,
    )
    desk.install(runtime)
    runtime.on_stopped.append(payments.close)
    announcer = Announcer(plugin, runtime.outbox, started_at)
    runtime.add_consumer(announcer.consumer(settings.max_deliveries))
    runtime.on_database_ready.append(announcer.announce_at_start)
    app = create_service_app(
        runtime,
        title=f"Insurer: {plugin.identity.short_name}",
        description="An insurer of the interchange, running one insurer plugin.",
        routers=[identity_router],
        openapi_tags=[{"name": "identity", "description": "Who this insurer is"}],
    )
    app.state.plugin = plugin
    app.state.instance_started_at = started_at
    return app
