"""mail.events: a batch of the provider's events round-trips; any other shape is a ContractError."""

from __future__ import annotations

import json
from typing import Any

import pytest

from common.messages import ContractError, MailEvent, MailEventsReported, decode, encode
from common.orders import MailStatus

EVENT = MailEvent(
    order_id="552312-1",
    mail_kind="delivery",
    message_id="abc.filterdrecv-1.0",
    event_id="ZHJvcC0x",
    status=MailStatus.BOUNCED,
    timestamp=1_750_000_000,
    reason="550 5.1.1 no such user",
)


def test_a_batch_round_trips() -> None:
    message = MailEventsReported(events=(EVENT,), occurred_at="2026-01-01T00:00:00Z")
    assert decode(encode(message)) == message


def body(**event: Any) -> bytes:
    raw = {**json.loads(encode(MailEventsReported((EVENT,), "2026-01-01T00:00:00Z")))}
    raw["events"] = [{**raw["events"][0], **event}]
    return json.dumps(raw).encode()


@pytest.mark.parametrize(
    "event",
    [
        {"status": "opened"},
        {"timestamp": "yesterday"},
        {"timestamp": True},
        {"timestamp": -1},
        {"order_id": "../../x"},
        {"reason": ["not", "text"]},
        {"message_id": 5},
        {"unknown": "field"},
    ],
)
def test_a_bad_event_is_a_contract_error(event: dict[str, Any]) -> None:
    with pytest.raises(ContractError):
        decode(body(**event))


@pytest.mark.parametrize("events", [[], "not a list", [1, 2], None])
def test_a_batch_without_events_is_a_contract_error(events: Any) -> None:
    raw = json.loads(encode(MailEventsReported((EVENT,), "2026-01-01T00:00:00Z")))
    raw["events"] = events
    with pytest.raises(ContractError):
        decode(json.dumps(raw).encode())
