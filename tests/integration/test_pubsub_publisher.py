"""The Pub/Sub publisher against the real emulator: what goes in comes out of a subscription."""

from __future__ import annotations

import time
import uuid

import pytest

from common import messages
from common.messages import Buyer, LinksRequested, OrderPaid, OrderRevoked
from common.publish import PublishError
from common.publish.pubsub import PubSubPublisher, build_pubsub_publisher
from demo.emulators import PROJECT, PubSubEmulator
from demo.stack import free_port

pytestmark = pytest.mark.emulator

MESSAGES = [
    OrderPaid(
        order_id="txn_01h",
        product_ids=("paddle:pro_01h", "paddle:pri_01h"),
        merchant="paddle",
        event_id="evt_01h",
        occurred_at="2026-01-01T00:00:00Z",
        source="billing",
        customer_id="ctm_01h",
    ),
    OrderPaid(
        order_id="552312-1",
        product_ids=("paddle:552312",),
        merchant="paddle",
        event_id="classic-1",
        occurred_at="2026-01-01T00:00:00Z",
        source="classic",
        buyer=Buyer("Zoë Buyer", "zoe@example.org"),
    ),
    OrderRevoked(order_id="txn_01h", event_id="evt_02", occurred_at="now", reason="refund"),
    LinksRequested(email="zoe@example.org", request_id="req-1", occurred_at="now"),
]


@pytest.fixture
def topic(pubsub_emulator: PubSubEmulator) -> tuple[str, str]:
    """A fresh topic with a pull subscription: (topic name, subscription path)."""
    name = f"orders-{uuid.uuid4().hex[:8]}"
    topic_path = (
        pubsub_emulator.publisher().create_topic(name=f"projects/{PROJECT}/topics/{name}").name
    )
    subscription = f"projects/{PROJECT}/subscriptions/{name}-pull"
    pubsub_emulator.subscriber().create_subscription(name=subscription, topic=topic_path)
    return name, subscription


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.TYPE)
def test_a_published_message_arrives_with_its_data_and_attributes(
    pubsub_emulator, topic, message
) -> None:
    name, subscription = topic
    publisher = build_pubsub_publisher(PROJECT, name, emulator_host=pubsub_emulator.host)
    message_id = publisher.publish(message)
    (received,) = _pull(pubsub_emulator, subscription, expected=1)
    assert received.message.message_id == message_id
    assert received.message.data == messages.encode(message)
    assert dict(received.message.attributes) == {
        "type": message.TYPE,
        "version": "2",
        "idempotency_key": message.idempotency_key,
    }
    assert messages.decode(received.message.data) == message


def test_each_publish_gets_its_own_message_id(pubsub_emulator, topic) -> None:
    name, subscription = topic
    publisher = PubSubPublisher(pubsub_emulator.publisher(), f"projects/{PROJECT}/topics/{name}")
    ids = {publisher.publish(message) for message in MESSAGES}
    assert len(ids) == len(MESSAGES)
    assert len(_pull(pubsub_emulator, subscription, expected=len(MESSAGES))) == len(MESSAGES)


def test_a_missing_topic_is_a_publish_error(pubsub_emulator) -> None:
    publisher = build_pubsub_publisher(PROJECT, "no-such-topic", emulator_host=pubsub_emulator.host)
    with pytest.raises(PublishError, match="not published"):
        publisher.publish(MESSAGES[0])


def test_an_unreachable_pubsub_fails_within_the_timeout() -> None:
    publisher = build_pubsub_publisher(
        PROJECT, "orders", emulator_host=f"127.0.0.1:{free_port()}", timeout=1.0
    )
    started = time.monotonic()
    with pytest.raises(PublishError):
        publisher.publish(MESSAGES[0])
    assert time.monotonic() - started < 3.0


def _pull(emulator: PubSubEmulator, subscription: str, expected: int) -> list:
    """Pull until `expected` messages arrived (the emulator may hand them out in parts)."""
    subscriber = emulator.subscriber()
    received: list = []
    deadline = time.monotonic() + 10
    while len(received) < expected and time.monotonic() < deadline:
        answer = subscriber.pull(subscription=subscription, max_messages=10, timeout=5)
        received.extend(answer.received_messages)
    if received:
        subscriber.acknowledge(subscription=subscription, ack_ids=[m.ack_id for m in received])
    return received
