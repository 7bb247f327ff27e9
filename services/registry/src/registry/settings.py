from typing import ClassVar, Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings, refuse_development_credentials


class RegistryClient(BaseModel):
    """A system allowed to call the register's REST API (an insurer, a partner, the gateway)."""

    client_id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,63}$")
    name: str = Field(min_length=1, max_length=200)
    secret: SecretStr


DEV_CLIENTS = [
    RegistryClient(
        client_id="partner-demo", name="Партнёрская система (демо)", secret=SecretStr("test_dev_partner-demo")
    )
]


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8002

    #: How often policies whose term ended are terminated (OMS-05, OMS-06).
    expiry_interval_seconds: float = Field(default=3600.0, gt=0)
    #: Clients of the REST API and their secrets (HTTP Basic), as JSON in ``REGISTRY_CLIENTS``.
    clients: list[RegistryClient] = Field(default_factory=lambda: list(DEV_CLIENTS))

    @model_validator(mode="after")
    def _refuse_dev_clients(self) -> Self:
        credentials = {c.client_id: c.secret for c in self.clients}
        refuse_development_credentials(self.environment, credentials, variable="REGISTRY_CLIENTS")
        return self
