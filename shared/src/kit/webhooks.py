"""Signed webhooks: the signing scheme of the notifications, and their verification by a receiver.

The scheme is Stripe's. Every delivery attempt carries these headers::

    Content-Type: application/json
    User-Agent: interchange-payments/0.1
    Webhook-Id: <event id>                    (the same as the body's "id", in every retry)
    Webhook-Timestamp: <unix seconds>         (the time of this attempt)
    Webhook-Signature: t=<unix seconds>,v1=<hex>

``v1`` is the lowercase hex HMAC-SHA256, keyed with the subscription's secret (``whsec_...``,
used as UTF-8 bytes as it is, prefix included), of the timestamp, a full stop and the raw body:
``HMAC_SHA256(secret, f"{t}." + body)``. The header may hold several ``v1=`` entries (while a
secret is being rotated); one matching entry is enough. Unknown keys (``v0=``, ``v2=``) are
ignored, for later schemes.

How a receiver handles a notification:

1. **Verify the raw body before parsing it**: take the request's bytes exactly as received (not
   JSON re-serialised by a framework) and call :func:`verify` with the ``Webhook-Signature``
   header and the secret; answer 400 when it raises :class:`WebhookSignatureError`. The
   timestamp check (5 minutes by default) makes a captured request useless later.
2. **De-duplicate by the event id** (the body's ``id``, equal to the ``Webhook-Id`` header): a
   notification is delivered at least once, so the same event can arrive twice; remember the ids
   already handled and answer 2xx to a repeat without acting again.
3. **Answer 2xx fast** (within the delivery timeout, 5 s by default): store the event and handle
   it afterwards. Anything else (another status, a timeout, a refused connection) is retried with
   growing pauses for up to 3 days and then given up.
4. **Re-read the payment through the API before acting** (``GET /v3/payments/{id}``): events can
   arrive late, twice or out of order (a ``payment.waiting_for_capture`` after the
   ``payment.succeeded`` that followed it), so the body tells what happened, the API tells what
   the payment is now.

This module has no dependency on the payments service: receivers can use it as it is::

    from kit.webhooks import WebhookSignatureError, verify

    try:
        verify(raw_body, headers["Webhook-Signature"], secret)
    except WebhookSignatureError as error:
        return 400, str(error)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

#: The headers of a delivery.
ID_HEADER = "Webhook-Id"
TIMESTAMP_HEADER = "Webhook-Timestamp"
SIGNATURE_HEADER = "Webhook-Signature"

#: How far (seconds, either way) the signed timestamp may be from the receiver's clock.
DEFAULT_TOLERANCE = 300

_SCHEME = "v1"
_HEX_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class WebhookSignatureError(ValueError):
    """The notification is not to be trusted; the message says why (never the expected value)."""


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The lowercase hex HMAC-SHA256 of ``f"{timestamp}."`` followed by ``body``."""
    if not secret:
        raise ValueError("the signing secret is empty")
    payload = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Webhook-Signature`` value: ``t=<timestamp>,v1=<hex>``."""
    return f"t={int(timestamp)},{_SCHEME}={sign(body, secret, timestamp)}"


def delivery_headers(body: bytes, secret: str, *, event_id: str, timestamp: int) -> dict[str, str]:
    """The signed headers of one delivery attempt (without Content-Type and User-Agent)."""
    return {
        ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: signature_header(body, secret, timestamp),
    }


def parse_header(header: str) -> tuple[int, list[str]]:
    """The timestamp and the ``v1`` signatures of a ``Webhook-Signature`` value.

    Raises :class:`WebhookSignatureError` when the header is malformed or holds no ``v1`` entry.
    """
    if not header or not header.strip():
        raise WebhookSignatureError("malformed signature header: it is empty")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise WebhookSignatureError(f"malformed signature header: {item.strip()[:40]!r} is not key=value")
        if key == "t":
            if timestamp is not None:
                raise WebhookSignatureError("malformed signature header: more than one t= entry")
            if not _TIMESTAMP.match(value):
                raise WebhookSignatureError("malformed signature header: t= is not a unix time in seconds")
            timestamp = int(value)
        elif key == _SCHEME:
            if not _HEX_SIGNATURE.match(value):
                raise WebhookSignatureError(
                    "malformed signature header: a v1= entry is not 64 lowercase hex digits"
                )
            signatures.append(value)
        # Other keys (v0, later schemes) are ignored.
    if timestamp is None:
        raise WebhookSignatureError("malformed signature header: no t= entry")
    if not signatures:
        raise WebhookSignatureError("malformed signature header: no v1= signature")
    return timestamp, signatures


def verify(
    body: bytes, header: str, secret: str, *, tolerance: int = DEFAULT_TOLERANCE, now: int | None = None
) -> None:
    """Check that ``body`` (the raw bytes received) was signed with ``secret`` recently.

    ``header`` is the ``Webhook-Signature`` value. Raises :class:`WebhookSignatureError` when
    the header is malformed, when no ``v1`` signature matches (tampered body, wrong secret), or
    when the signed timestamp is more than ``tolerance`` seconds away from ``now`` (the current
    time by default) in either direction.
    """
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    timestamp, signatures = parse_header(header)
    expected = sign(body, secret, timestamp)
    matched = False
    for candidate in signatures:  # every entry is compared, in constant time
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookSignatureError(
            "no v1 signature matches the body: the body was changed or the secret is not this subscription's"
        )
    current = int(time.time()) if now is None else int(now)
    if timestamp < current - tolerance:
        raise WebhookSignatureError(
            f"the signature timestamp is {current - timestamp} s old, over the tolerance of {tolerance} s"
        )
    if timestamp > current + tolerance:
        raise WebhookSignatureError(
            f"the signature timestamp is {timestamp - current} s in the future, over the tolerance "
            f"of {tolerance} s"
        )
