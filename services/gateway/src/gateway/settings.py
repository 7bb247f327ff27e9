from typing import ClassVar, Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from kit.settings import DEV_SECRET_PREFIX, Environment, ServiceSettings, refuse_development_credentials

#: Secrets of the development partner clients start with this and are refused outside development.
SCOPES = {
    "dms.applications.read": "Read the account holder's ДМС applications and offers, and their profile",
    "dms.applications.write": "Submit applications, accept offers, ask for payment links, withdraw",
    "dms.policies.read": "Read the account holder's policies and their PDFs",
    "notifications.read": "Read the account holder's notifications",
    "notifications.write": "Mark the account holder's notifications read",
    "oms.policies.read": "Read the account holder's ОМС policies and requests",
    "oms.policies.write": "Ask for an electronic ОМС policy for the account holder",
}


class PartnerClient(BaseModel):
    """A partner system (employer HR system, MFC front office, ...): OAuth2 client credentials."""

    client_id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,63}$")
    name: str = Field(min_length=1, max_length=200)
    secret: SecretStr
    scopes: list[str]


DEV_PARTNERS = [
    PartnerClient(
        client_id="hr-demo",
        name="HR-система работодателя (демо)",
        secret=SecretStr(f"{DEV_SECRET_PREFIX}hr-demo"),
        scopes=sorted(SCOPES),
    )
]


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

    # -- ОМС ------------------------------------------------------------------------------------
    #: The largest scan a foreigner may upload with an ОМС application (OMS-05), in bytes.
    scan_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    #: How many times the register is asked whether a holder has a policy (OMS-02: under load the real
    #: register may answer "not found"), and the first pause between attempts (then ×4 each time).
    oms_lookup_attempts: int = Field(default=4, ge=1, le=20)
    oms_lookup_backoff_seconds: float = Field(default=60.0, gt=0)

    # -- accounts and access -------------------------------------------------------------------
    #: Create the demo accounts at start; on by default in development only.
    demo_accounts: bool | None = None
    access_token_ttl_seconds: int = Field(default=3600, ge=60, le=24 * 3600)
    token_issuer: str = "interchange-gateway"
    token_audience: str = "interchange"
    #: Partner systems and their credentials, as JSON in ``GATEWAY_PARTNERS``.
    partners: list[PartnerClient] = Field(default_factory=lambda: list(DEV_PARTNERS))

    @model_validator(mode="after")
    def _refuse_dev_partners(self) -> Self:
        credentials = {p.client_id: p.secret for p in self.partners}
        refuse_development_credentials(self.environment, credentials, variable="GATEWAY_PARTNERS")
        unknown = {s for p in self.partners for s in p.scopes} - SCOPES.keys()
        if unknown:
            raise ValueError(f"unknown partner scopes: {sorted(unknown)}")
        return self

    @property
    def seeds_demo_accounts(self) -> bool:
        if self.demo_accounts is None:
            return self.environment is Environment.development
        return self.demo_accounts

    def partner(self, client_id: str) -> PartnerClient | None:
        return next((p for p in self.partners if p.client_id == client_id), None)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.port}").rstrip("/")
