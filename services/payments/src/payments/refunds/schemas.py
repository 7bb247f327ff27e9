from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kit.contracts.payments import RefundObject
from payments.money import AmountIn


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_id: str = Field(min_length=1, max_length=36)
    amount: AmountIn
    description: str | None = Field(default=None, max_length=250)


class RefundList(BaseModel):
    type: Literal["list"] = "list"
    items: list[RefundObject]
