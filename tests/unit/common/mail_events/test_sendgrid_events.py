"""SendGrid's Event Webhook: the signature by real signing, one failure per test, and the reading.

The known-answer vector is SendGrid's own (sendgrid/sendgrid-python
test/unit/test_eventwebhook.py: a key, a `dropped` batch and the signature
SendGrid made of it); the SDK's verifier (sendgrid.helpers.eventwebhook) checks
what our stand-in signs, as stripe's SDK checks our Stripe vectors.
"""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sendgrid.helpers.eventwebhook import EventWebhook as SdkVerifier

from common.mail_events import (
    FUTURE_SKEW,
    MAX_AGE,
    BadEvents,
    SendGridEvents,
    SignatureRefused,
    Unsigned,
)
from common.orders import MailStatus
from tests.support.sendgrid_standin import SIGNATURE, TIMESTAMP, EventWebhook

NOW = 1_750_000_000
SG_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+"
    "2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
SG_SIGNATURE = (
    "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15Tl"
    "uLtEZtM="
)
SG_TIMESTAMP = "1600112502"
SG_PAYLOAD = (
    json.dumps(
        [
            {
                "email": "hello@world.com",
                "event": "dropped",
                "reason": "Bounced Address",
                "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
                "sg_message_id": (
                    "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"
                ),
                "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
                "timestamp": 1600112492,
            }
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    + "\r\n"
).encode()


@pytest.fixture
def webhook() -> EventWebhook:
    return EventWebhook(clock=lambda: NOW)


@pytest.fixture
def verifier(webhook: EventWebhook) -> SendGridEvents:
    return SendGridEvents(webhook.public_key)


def batch(webhook: EventWebhook, *names: str) -> bytes:
    return json.dumps(
        [
            webhook.event(name, order_id="552312-1", message_id="abc", timestamp=NOW - 60 + n)
            for n, name in enumerate(names)
        ]
    ).encode()


def test_sendgrids_own_signature_verifies() -> None:
    headers = {SIGNATURE: SG_SIGNATURE, TIMESTAMP: SG_TIMESTAMP}
    SendGridEvents(SG_KEY).verify(SG_PAYLOAD, headers, now=int(SG_TIMESTAMP) + 5)


def test_sendgrids_own_signature_refuses_one_changed_byte() -> None:
    headers = {SIGNATURE: SG_SIGNATURE, TIMESTAMP: SG_TIMESTAMP}
    altered = SG_PAYLOAD.replace(b"dropped", b"droppeD")
    with pytest.raises(SignatureRefused, match="does not match"):
        SendGridEvents(SG_KEY).verify(altered, headers, now=int(SG_TIMESTAMP) + 5)


def test_the_sdk_verifies_what_the_standin_signs(webhook: EventWebhook) -> None:
    body = batch(webhook, "delivered")
    headers = webhook.headers(body)
    sdk = SdkVerifier(webhook.public_key)
    assert sdk.verify_signature(body.decode(), headers[SIGNATURE], headers[TIMESTAMP])


def test_a_signed_batch_verifies_and_reads(webhook: EventWebhook, verifier: SendGridEvents) -> None:
    body = batch(webhook, "processed", "delivered")
    verifier.verify(body, webhook.headers(body), now=NOW)
    read = verifier.read(body)
    assert [e.status for e in read.events] == [MailStatus.ACCEPTED, MailStatus.DELIVERED]
    assert {e.order_id for e in read.events} == {"552312-1"}
    assert read.events[0].message_id.startswith("abc.")


def test_header_names_are_case_insensitive(webhook: EventWebhook, verifier: SendGridEvents) -> None:
    body = batch(webhook, "delivered")
    lowered = {k.lower(): v for k, v in webhook.headers(body).items()}
    verifier.verify(body, lowered, now=NOW)


@pytest.mark.parametrize("missing", [SIGNATURE, TIMESTAMP])
def test_a_missing_header_is_unsigned(
    webhook: EventWebhook, verifier: SendGridEvents, missing: str
) -> None:
    body = batch(webhook, "bounce")
    headers = webhook.headers(body)
    del headers[missing]
    with pytest.raises(Unsigned) as refused:
        verifier.verify(body, headers, now=NOW)
    assert refused.value.status == 401


def test_an_altered_body_is_refused(webhook: EventWebhook, verifier: SendGridEvents) -> None:
    body = batch(webhook, "bounce")
    headers = webhook.headers(body)
    with pytest.raises(SignatureRefused, match="does not match") as refused:
        verifier.verify(body.replace(b"bounce", b"delivered"), headers, now=NOW)
    assert refused.value.status == 403


def test_another_keys_signature_is_refused(webhook: EventWebhook) -> None:
    body = batch(webhook, "bounce")
    stranger = EventWebhook(clock=lambda: NOW)
    with pytest.raises(SignatureRefused, match="does not match"):
        SendGridEvents(webhook.public_key).verify(body, stranger.headers(body), now=NOW)


def test_the_signed_timestamp_cannot_be_swapped(
    webhook: EventWebhook, verifier: SendGridEvents
) -> None:
    body = batch(webhook, "bounce")
    headers = webhook.headers(body) | {TIMESTAMP: str(NOW - 1)}
    with pytest.raises(SignatureRefused, match="does not match"):
        verifier.verify(body, headers, now=NOW)


@pytest.mark.parametrize(
    ("age", "reason"), [(MAX_AGE + 1, "too old"), (-FUTURE_SKEW - 1, "too new")]
)
def test_a_timestamp_outside_the_window_is_refused(
    webhook: EventWebhook, verifier: SendGridEvents, age: int, reason: str
) -> None:
    body = batch(webhook, "bounce")
    with pytest.raises(SignatureRefused, match=reason):
        verifier.verify(body, webhook.headers(body, NOW - age), now=NOW)


def test_a_retry_a_day_later_still_verifies(
    webhook: EventWebhook, verifier: SendGridEvents
) -> None:
    body = batch(webhook, "bounce")  # SendGrid retries for 24 hours
    verifier.verify(body, webhook.headers(body, NOW - 24 * 3600), now=NOW)


@pytest.mark.parametrize(
    ("signature", "timestamp"),
    [("not base64 !", str(NOW)), ("MEUCIQ" * 3, "12a"), ("A" * 400, str(NOW))],
)
def test_malformed_headers_are_refused(
    webhook: EventWebhook, verifier: SendGridEvents, signature: str, timestamp: str
) -> None:
    with pytest.raises(SignatureRefused):
        verifier.verify(b"[]", {SIGNATURE: signature, TIMESTAMP: timestamp}, now=NOW)


@pytest.mark.parametrize(
    "key",
    [
        "not base64 at all!",
        base64.b64encode(b"\x30\x03\x02\x01\x00").decode(),  # DER, but not a key
    ],
)
def test_a_key_that_is_not_a_key_is_refused_at_start_up(key: str) -> None:
    with pytest.raises(ValueError, match="not a base64 DER public key"):
        SendGridEvents(key)


def test_a_key_of_another_kind_is_refused_at_start_up() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = rsa_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="P-256"):
        SendGridEvents(base64.b64encode(der).decode())


def test_engagement_and_other_senders_events_are_passed_over(webhook: EventWebhook) -> None:
    ours = webhook.event("bounce", order_id="552312-1", message_id="abc", timestamp=NOW)
    theirs = {k: v for k, v in ours.items() if k not in ("order_id", "mail_kind")}
    opened = ours | {"event": "open"}
    read = SendGridEvents.read(json.dumps([ours, theirs, opened]).encode())
    assert [e.status for e in read.events] == [MailStatus.BOUNCED]
    assert read.skipped == 2 and read.malformed == 0
    assert read.events[0].reason.startswith("550 5.1.1")


def test_one_malformed_event_does_not_refuse_the_batch(webhook: EventWebhook) -> None:
    good = webhook.event("delivered", order_id="552312-1", message_id="abc", timestamp=NOW)
    bad_time = good | {"timestamp": "yesterday"}
    bad_order = good | {"order_id": "../../etc"}
    read = SendGridEvents.read(json.dumps([good, bad_time, bad_order, "text"]).encode())
    assert len(read.events) == 1 and read.malformed == 3


@pytest.mark.parametrize("body", [b"{}", b"not json", b"\xff\xfe", b"[" * 100_000])
def test_a_body_that_is_not_an_array_is_bad(body: bytes) -> None:
    with pytest.raises(BadEvents):
        SendGridEvents.read(body)
