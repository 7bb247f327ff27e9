from typing import ClassVar, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from kit.contracts.directory import INSURER_CODE_PATTERN
from kit.settings import Environment, ServiceSettings

#: The payments service's development merchant keys (refused there outside development).
DEV_PAYMENTS_KEY_PREFIX = "test_dev_"


class InsurerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSURER_", extra="ignore")

    service_name: ClassVar[str] = "insurer"
    default_port: ClassVar[int] = 8010

    plugin: str = Field(
        pattern=INSURER_CODE_PATTERN, description="Entry point name of the insurer plugin this instance runs"
    )
    #: The payments service (the insurer's acquirer); the insurer is the merchant ``shop_id=<plugin>``.
    payments_url: str = "http://127.0.0.1:8001"
    #: The merchant's secret key; in development the payments service's development key.
    payments_secret_key: SecretStr = SecretStr("")
    payments_timeout_seconds: float = Field(default=10.0, gt=0)
    #: Contracts waiting for a payment link are looked for this often (and at once after an accept).
    payment_link_interval_seconds: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _development_payments_key(self) -> Self:
        if self.environment is Environment.development and not self.payments_secret_key.get_secret_value():
            self.payments_secret_key = SecretStr(f"{DEV_PAYMENTS_KEY_PREFIX}{self.plugin}")
        return self

    @property
    def instance_name(self) -> str:
        return f"insurer-{self.plugin}"
