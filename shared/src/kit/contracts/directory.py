"""The participant directory: insurers announce themselves; the gateway keeps the list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field

from kit.contracts.base import Contract, Payload, registry

INSURER_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"
#: Codes of the subjects of the Russian Federation are two digits (01..99).
REGION_CODE_PATTERN = r"^\d{2}$"


class Licence(Payload):
    number: str = Field(min_length=1, max_length=50, description="Licence number of the Bank of Russia")
    issued_on: date


class Product(Payload):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    line: str = Field(description="Line of business: dms-migrant, oms, ...", min_length=1, max_length=50)


class InsurerAnnounced(Payload):
    """Who the insurer is, where it works and what it sells. Sent at every start and on request."""

    code: str = Field(pattern=INSURER_CODE_PATTERN)
    legal_name: str = Field(min_length=1, max_length=500)
    short_name: str = Field(min_length=1, max_length=200)
    inn: str = Field(pattern=r"^\d{10}$")
    ogrn: str = Field(pattern=r"^\d{13}$")
    licence: Licence
    address: str = Field(min_length=1, max_length=500)
    phone: str = Field(min_length=1, max_length=50)
    website: str = Field(min_length=1, max_length=200)
    regions: list[Annotated[str, Field(pattern=REGION_CODE_PATTERN)]] = Field(
        min_length=1, description="Region codes (субъекты РФ) served"
    )
    products: list[Product] = Field(min_length=1)
    synthetic: bool = Field(description="True for demo insurers whose data is invented")
    instance_started_at: AwareDatetime = Field(description="When the announcing instance started")


class DirectoryRefreshRequested(Payload):
    """The gateway asks every insurer to announce itself again (sent when the gateway starts)."""

    requested_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=200)


INSURER_ANNOUNCED = registry.register(
    Contract(
        type="insurer.announced",
        version=1,
        payload=InsurerAnnounced,
        exchange="insurers",
        routing_key="insurer.{insurer}.announced",
        producer="insurer",
        consumers=("gateway",),
        summary="An insurer instance says who it is, which regions it serves and which products it sells.",
    )
)

DIRECTORY_REFRESH_REQUESTED = registry.register(
    Contract(
        type="directory.refresh.requested",
        version=1,
        payload=DirectoryRefreshRequested,
        exchange="gateway",
        routing_key="directory.refresh.requested",
        producer="gateway",
        consumers=("insurer",),
        summary="The gateway asks all insurers to announce themselves again.",
    )
)
