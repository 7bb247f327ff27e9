from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StrictBool, field_validator

from kit.contracts.payments import PaymentObject
from kit.errors import rule_error
from payments.money import AmountIn

MetadataValue = Annotated[str, Field(max_length=512)]


class ConfirmationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["redirect"]
    return_url: AnyHttpUrl = Field(description="Where the payer's browser goes back after paying")

    @field_validator("return_url")
    @classmethod
    def _short_enough(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if len(str(value)) > 2048:
            raise rule_error(
                "url_too_long", ru="Адрес длиннее 2048 символов", en="The URL is over 2048 characters"
            )
        return value


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: AmountIn
    description: str | None = Field(default=None, max_length=128)
    metadata: dict[str, MetadataValue] = Field(
        default_factory=dict, description="Up to 16 keys of up to 32 characters; string values up to 512"
    )
    confirmation: ConfirmationRequest
    capture: StrictBool = Field(
        default=False, description="true: the payment succeeds on payment; false: it waits for capture"
    )

    @field_validator("metadata")
    @classmethod
    def _metadata_limits(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 16:
            raise rule_error("metadata_too_many_keys", ru="Не больше 16 ключей", en="At most 16 keys")
        long_keys = [k for k in value if not 1 <= len(k) <= 32]
        if long_keys:
            raise rule_error(
                "metadata_key_length", ru="Ключ — от 1 до 32 символов", en="A key takes 1 to 32 characters"
            )
        return value


class CaptureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: AmountIn | None = Field(default=None, description="Less than the payment to capture part of it")


class PaymentList(BaseModel):
    type: Literal["list"] = "list"
    items: list[PaymentObject]
    next_cursor: str | None = None
