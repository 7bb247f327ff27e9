from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000

    # -- applications (ДМС-мигрант) ------------------------------------------------------------
    #: Where browsers reach the gateway; the payment page sends the payer back to its cabinet.
    public_url: str = ""
    #: Offers are collected until every insurer asked has answered or this many seconds passed.
    offer_collection_seconds: float = Field(default=30.0, gt=0)
    #: How often the collection deadlines and offer expiries are looked at.
    sweep_interval_seconds: float = Field(default=1.0, gt=0)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.port}").rstrip("/")
