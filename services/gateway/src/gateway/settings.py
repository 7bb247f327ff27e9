from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000
