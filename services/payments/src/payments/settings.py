from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENTS_", extra="ignore")

    service_name: ClassVar[str] = "payments"
    default_port: ClassVar[int] = 8001
