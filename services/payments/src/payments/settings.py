from typing import ClassVar, Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from kit.settings import DEV_SECRET_PREFIX, ServiceSettings, refuse_development_credentials

#: Secret keys of the development merchants start with this and are refused outside development.
DEV_KEY_PREFIX = DEV_SECRET_PREFIX


class MerchantConfig(BaseModel):
    """A merchant (an insurer) and its API credentials: HTTP Basic ``shop_id:secret_key``."""

    shop_id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name: str = Field(min_length=1, max_length=200)
    secret_key: SecretStr


DEV_MERCHANTS = [
    MerchantConfig(
        shop_id="volga", name="СК «Волга-Мед» (демо)", secret_key=SecretStr(f"{DEV_KEY_PREFIX}volga")
    ),
    MerchantConfig(
        shop_id="taiga", name="СК «Тайга-Полис» (демо)", secret_key=SecretStr(f"{DEV_KEY_PREFIX}taiga")
    ),
]


class PaymentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENTS_", extra="ignore")

    service_name: ClassVar[str] = "payments"
    default_port: ClassVar[int] = 8001

    #: Merchants and their credentials, as JSON in ``PAYMENTS_MERCHANTS``.
    merchants: list[MerchantConfig] = Field(default_factory=lambda: list(DEV_MERCHANTS))
    #: Where browsers reach this service (the payment page is built on it).
    public_url: str = ""
    #: An unpaid payment is canceled (expired_on_confirmation) after this many seconds.
    pending_ttl_seconds: int = Field(default=3600, ge=1)
    #: An uncaptured payment is canceled (expired_on_capture) after this many seconds (7 days).
    capture_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=1)
    #: How often expired payments are looked for.
    expiry_interval_seconds: float = Field(default=5.0, gt=0)
    #: Idempotence keys are kept at least this long (24 h).
    idempotence_ttl_seconds: int = Field(default=24 * 3600, ge=24 * 3600)
    #: Webhook deliveries: timeout of one attempt, and the backoff between attempts.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_initial_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    #: Deliveries are given up after this long without a 2xx (3 days, as YooKassa retries for about a day).
    webhook_give_up_after_seconds: int = Field(default=3 * 24 * 3600, ge=60)

    @model_validator(mode="after")
    def _refuse_dev_merchants(self) -> Self:
        credentials = {m.shop_id: m.secret_key for m in self.merchants}
        refuse_development_credentials(self.environment, credentials, variable="PAYMENTS_MERCHANTS")
        return self

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.port}").rstrip("/")
