from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from kit.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8002
