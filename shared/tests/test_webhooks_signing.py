"""The webhook signing scheme (Stripe's): pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from kit.webhooks import (
    WebhookSignatureError,
    delivery_headers,
    parse_header,
    sign,
    signature_header,
    verify,
)

SECRET = "whsec_test_0123456789abcdef"
BODY = '{"id":"9b2c","type":"notification","event":"payment.canceled","object":{"id":"п-1"}}'.encode()
NOW = 1_767_225_600


def test_sign_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, SECRET, NOW) == expected
    assert signature_header(BODY, SECRET, NOW) == f"t={NOW},v1={expected}"


def test_round_trip_verifies():
    verify(BODY, signature_header(BODY, SECRET, NOW), SECRET, now=NOW)
    verify(BODY, signature_header(BODY, SECRET, NOW), SECRET, now=NOW + 300)
    verify(BODY, signature_header(BODY, SECRET, NOW), SECRET, now=NOW - 300)


def test_round_trip_with_the_current_clock():
    verify(BODY, signature_header(BODY, SECRET, int(time.time())), SECRET)


def test_delivery_headers_carry_the_event_id_and_the_signed_timestamp():
    headers = delivery_headers(BODY, SECRET, event_id="9b2c", timestamp=NOW)
    assert headers["Webhook-Id"] == "9b2c"
    assert headers["Webhook-Timestamp"] == str(NOW)
    verify(BODY, headers["Webhook-Signature"], SECRET, now=NOW)


def test_tampered_body_is_refused():
    header = signature_header(BODY, SECRET, NOW)
    with pytest.raises(WebhookSignatureError, match="no v1 signature matches"):
        verify(BODY.replace(b"canceled", b"succeeded"), header, SECRET, now=NOW)
    with pytest.raises(WebhookSignatureError, match="no v1 signature matches"):
        verify(BODY + b" ", header, SECRET, now=NOW)


def test_wrong_secret_is_refused():
    header = signature_header(BODY, SECRET, NOW)
    with pytest.raises(WebhookSignatureError, match="no v1 signature matches"):
        verify(BODY, header, "whsec_another", now=NOW)


def test_changed_timestamp_breaks_the_signature():
    signature = sign(BODY, SECRET, NOW)
    with pytest.raises(WebhookSignatureError, match="no v1 signature matches"):
        verify(BODY, f"t={NOW + 1},v1={signature}", SECRET, now=NOW)


def test_old_timestamp_is_refused():
    header = signature_header(BODY, SECRET, NOW - 301)
    with pytest.raises(WebhookSignatureError, match="301 s old"):
        verify(BODY, header, SECRET, now=NOW)


def test_future_timestamp_beyond_tolerance_is_refused():
    header = signature_header(BODY, SECRET, NOW + 301)
    with pytest.raises(WebhookSignatureError, match="in the future"):
        verify(BODY, header, SECRET, now=NOW)


def test_tolerance_is_configurable():
    header = signature_header(BODY, SECRET, NOW - 1000)
    verify(BODY, header, SECRET, now=NOW, tolerance=1000)
    with pytest.raises(WebhookSignatureError, match="tolerance of 999 s"):
        verify(BODY, header, SECRET, now=NOW, tolerance=999)
    with pytest.raises(ValueError, match="negative"):
        verify(BODY, header, SECRET, now=NOW, tolerance=-1)


def test_several_v1_entries_any_one_matching_is_enough():
    good = sign(BODY, SECRET, NOW)
    old_secret = sign(BODY, "whsec_old", NOW)
    verify(BODY, f"t={NOW},v1={old_secret},v1={good}", SECRET, now=NOW)
    verify(BODY, f"t={NOW},v1={good},v1={old_secret}", SECRET, now=NOW)
    verify(BODY, f"t={NOW},v1={old_secret},v1={good}", "whsec_old", now=NOW)
    with pytest.raises(WebhookSignatureError, match="no v1 signature matches"):
        verify(BODY, f"t={NOW},v1={old_secret},v1={good}", "whsec_third", now=NOW)


def test_unknown_schemes_are_ignored_and_spaces_tolerated():
    good = sign(BODY, SECRET, NOW)
    verify(BODY, f" t={NOW} , v0=abc, v1={good} ", SECRET, now=NOW)
    assert parse_header(f"v1={good},t={NOW}") == (NOW, [good])


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("garbage", "not key=value"),
        (f"t={NOW}", "no v1= signature"),
        (f"t={NOW},v0={'a' * 64}", "no v1= signature"),
        (f"v1={'a' * 64}", "no t= entry"),
        (f"t=,v1={'a' * 64}", "not key=value"),
        (f"t=soon,v1={'a' * 64}", "not a unix time"),
        (f"t=-5,v1={'a' * 64}", "not a unix time"),
        (f"t=1.5,v1={'a' * 64}", "not a unix time"),
        (f"t={NOW},t={NOW},v1={'a' * 64}", "more than one t="),
        (f"t={NOW},v1=abc", "64 lowercase hex"),
        (f"t={NOW},v1={'g' * 64}", "64 lowercase hex"),
        (f"t={NOW},v1={'é' * 64}", "64 lowercase hex"),
        (f"t={NOW},,v1={'a' * 64}", "not key=value"),
    ],
)
def test_malformed_headers_are_refused_with_a_reason(header: str, reason: str):
    with pytest.raises(WebhookSignatureError, match="malformed signature header") as raised:
        verify(BODY, header, SECRET, now=NOW)
    assert reason in str(raised.value)


def test_an_empty_secret_cannot_sign():
    with pytest.raises(ValueError, match="empty"):
        sign(BODY, "", NOW)
