"""The webhooks API (YooKassa's ``/v3/webhooks``): a subscription is one event to one URL."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from kit.errors import rule_error

#: The events a merchant can subscribe to.
WebhookEvent = Literal[
    "payment.succeeded", "payment.canceled", "payment.waiting_for_capture", "refund.succeeded"
]

MAX_URL_LENGTH = 2048


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: WebhookEvent = Field(description="The event to be notified of")
    url: AnyHttpUrl = Field(
        description="Where notifications are POSTed (http or https, up to 2048 characters; "
        "https in production)"
    )

    @field_validator("url")
    @classmethod
    def _short_enough(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if len(str(value)) > MAX_URL_LENGTH:
            raise rule_error(
                "url_too_long", ru="Адрес длиннее 2048 символов", en="The URL is over 2048 characters"
            )
        return value


class Webhook(BaseModel):
    """A subscription as listed: never with its secret."""

    id: str
    event: WebhookEvent
    url: str


class WebhookCreated(Webhook):
    """The answer to the creation, the only one that shows the signing secret."""

    secret: str = Field(
        description="The HMAC-SHA256 signing secret of the notifications (whsec_...). Shown only in "
        "this answer (and its replays with the same Idempotence-Key): store it now."
    )


class WebhookList(BaseModel):
    type: Literal["list"] = "list"
    items: list[Webhook]


class Deleted(BaseModel):
    """YooKassa answers a deletion with an empty object."""
