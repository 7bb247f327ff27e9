from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.contracts.directory import INSURER_CODE_PATTERN
from kit.settings import ServiceSettings


class InsurerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSURER_", extra="ignore")

    service_name: ClassVar[str] = "insurer"
    default_port: ClassVar[int] = 8010

    plugin: str = Field(
        pattern=INSURER_CODE_PATTERN, description="Entry point name of the insurer plugin this instance runs"
    )

    @property
    def instance_name(self) -> str:
        return f"insurer-{self.plugin}"
