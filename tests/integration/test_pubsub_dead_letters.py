"""The Pub/Sub dead-letter subscription as the console reads it, on the real emulator.

Letters are published to the dead-letter topic with the attributes Pub/Sub
adds when it gives up on a push (CloudPubSubDeadLetterSource*, as
test_push_flow.py pins down); listing must leave them there, archiving
acknowledges one, and `exlibris replay` publishes the message to the orders
topic through the real publisher.
"""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import pytest
from rich.console import Console

from common import messages
from common.dead_letters.pubsub import SubscriptionDeadLetters
from common.messages import attributes_of
from common.publish.pubsub import build_pubsub_publisher
from console.__main__ import run
from demo.emulators import PROJECT, PubSubEmulator
from demo.emulators.topology import PushTopology, create_push_topology
from tests.integration.conftest import cloud_settings, paid
from tests.support.shop import local_storage

pytestmark = pytest.mark.emulator


@pytest.fixture
def topology(pubsub_emulator: PubSubEmulator) -> PushTopology:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    return create_push_topology(
        pubsub_emulator.publisher(),
        pubsub_emulator.subscriber(),
        PROJECT,
        name,
        "http://127.0.0.1:9/pubsub/push",  # never reached: the tests publish letters directly
    )


def dead_letter(emulator: PubSubEmulator, topology: PushTopology, message: messages.Message) -> str:
    future = emulator.publisher().publish(
        topology.dead_letter_topic,
        messages.encode(message),
        **attributes_of(message),
        CloudPubSubDeadLetterSourceDeliveryCount="5",
        CloudPubSubDeadLetterSourceSubscription=topology.subscription.rsplit("/", 1)[-1],
    )
    return str(future.result(timeout=10))


def reader(emulator: PubSubEmulator, topology: PushTopology) -> SubscriptionDeadLetters:
    return SubscriptionDeadLetters(
        emulator.subscriber(), topology.dead_letter_subscription, timeout=2.0
    )


def letters_soon(letters: SubscriptionDeadLetters, count: int) -> list:
    """The emulator hands out a new message a moment after publishing; wait for it."""
    deadline = time.monotonic() + 15
    found = letters.letters()
    while len(found) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        found = letters.letters()
    return found


def test_listing_shows_each_letter_and_leaves_it_there(pubsub_emulator, topology) -> None:
    first = dead_letter(pubsub_emulator, topology, paid("dl-1"))
    second = dead_letter(pubsub_emulator, topology, paid("dl-2"))
    letters = reader(pubsub_emulator, topology)
    found = letters_soon(letters, 2)
    assert sorted(letter.id for letter in found) == sorted([f"pubsub-{first}", f"pubsub-{second}"])
    one = next(letter for letter in found if letter.id == f"pubsub-{first}")
    assert (one.kind, one.order_id, one.origin) == ("order.paid", "dl-1", "pubsub")
    assert one.reason.startswith("not delivered after 5 attempts")
    assert one.data == messages.encode(paid("dl-1"))
    assert len(letters.letters()) == 2  # handed back at once: looking consumed nothing


def test_archiving_acknowledges_only_that_letter(pubsub_emulator, topology) -> None:
    first = dead_letter(pubsub_emulator, topology, paid("dl-3"))
    dead_letter(pubsub_emulator, topology, paid("dl-4"))
    letters = reader(pubsub_emulator, topology)
    letters_soon(letters, 2)
    letters.archive(f"pubsub-{first}")
    assert [letter.order_id for letter in letters_soon(letters, 1)] == ["dl-4"]


def test_replay_publishes_the_letter_to_the_orders_topic(
    pubsub_emulator, topology, tmp_path: Path
) -> None:
    message_id = dead_letter(pubsub_emulator, topology, paid("dl-5"))
    topic = topology.topic.rsplit("/", 1)[-1]
    orders = f"projects/{PROJECT}/subscriptions/{topic}-replayed-pull"
    subscriber = pubsub_emulator.subscriber()
    subscriber.create_subscription(name=orders, topic=topology.topic)
    settings = cloud_settings(tmp_path, "src", "dst")
    letters = reader(pubsub_emulator, topology)
    letters_soon(letters, 1)
    out, err = io.StringIO(), io.StringIO()
    status = run(
        ["replay", f"pubsub-{message_id}"],
        settings,
        stderr=err,
        storage=local_storage(settings),
        out=Console(file=out, width=200),
        publisher=build_pubsub_publisher(PROJECT, topic, emulator_host=pubsub_emulator.host),
        letters=[letters],
    )
    assert status == 0, err.getvalue()
    assert "replayed pubsub-" in out.getvalue() and "(order dl-5)" in out.getvalue()
    answer = subscriber.pull(subscription=orders, max_messages=5, timeout=10)
    [received] = answer.received_messages
    assert messages.decode(received.message.data) == paid("dl-5")
    assert letters.letters() == []


def test_forget_acknowledges_the_letters_picked_only(pubsub_emulator, topology) -> None:
    dead_letter(pubsub_emulator, topology, paid("dl-6"))
    dead_letter(pubsub_emulator, topology, paid("dl-7"))
    letters = reader(pubsub_emulator, topology)
    letters_soon(letters, 2)
    assert letters.forget(lambda letter: letter.order_id == "dl-6") == 1
    assert [letter.order_id for letter in letters_soon(letters, 1)] == ["dl-7"]
