"""Dependencies shared by the payments routes."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from payments.payments.service import Lifetimes
from payments.settings import PaymentsSettings


def settings_of(request: Request) -> PaymentsSettings:
    settings: PaymentsSettings = request.app.state.runtime.settings
    return settings


Settings = Annotated[PaymentsSettings, Depends(settings_of)]


def lifetimes(settings: PaymentsSettings) -> Lifetimes:
    return Lifetimes(
        pending=timedelta(seconds=settings.pending_ttl_seconds),
        capture=timedelta(seconds=settings.capture_ttl_seconds),
    )


def checkout_url(settings: PaymentsSettings) -> str:
    return f"{settings.base_url}/checkout"


def idempotence_ttl(settings: PaymentsSettings) -> timedelta:
    return timedelta(seconds=settings.idempotence_ttl_seconds)
