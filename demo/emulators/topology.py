"""The Pub/Sub side of exlibris on an emulator: topic, dead-letter topic, push subscription.

Mirrors terraform/pubsub.tf: the orders topic, a push subscription to the
worker's /pubsub/push with a retry policy and a dead-letter policy, the
dead-letter topic, and a pull subscription on it to inspect what died. Created
through the real admin clients, so the emulator checks the same requests Pub/Sub
would (it clamps a minimum backoff below 1 s up to 1 s).
"""

from __future__ import annotations

from dataclasses import dataclass

from google.cloud import pubsub_v1
from google.protobuf import duration_pb2
from google.pubsub_v1 import types


@dataclass(frozen=True)
class PushTopology:
    topic: str
    dead_letter_topic: str
    subscription: str
    dead_letter_subscription: str


def create_push_topology(
    publisher: pubsub_v1.PublisherClient,
    subscriber: pubsub_v1.SubscriberClient,
    project: str,
    name: str,
    push_endpoint: str,
    *,
    max_delivery_attempts: int = 5,
    minimum_backoff: float = 1.0,
    maximum_backoff: float = 10.0,
    ack_deadline: int = 60,
) -> PushTopology:
    """Create `name`, `name-dead-letter`, the push subscription and the inspection one."""
    topic = publisher.create_topic(name=f"projects/{project}/topics/{name}").name
    dead = publisher.create_topic(name=f"projects/{project}/topics/{name}-dead-letter").name
    inspect = subscriber.create_subscription(
        name=f"projects/{project}/subscriptions/{name}-dead-letter-inspect", topic=dead
    ).name
    push = subscriber.create_subscription(
        request=types.Subscription(
            name=f"projects/{project}/subscriptions/{name}-push",
            topic=topic,
            push_config=types.PushConfig(push_endpoint=push_endpoint),
            ack_deadline_seconds=ack_deadline,
            retry_policy=types.RetryPolicy(
                minimum_backoff=_duration(minimum_backoff),
                maximum_backoff=_duration(maximum_backoff),
            ),
            dead_letter_policy=types.DeadLetterPolicy(
                dead_letter_topic=dead, max_delivery_attempts=max_delivery_attempts
            ),
        )
    ).name
    return PushTopology(topic, dead, push, inspect)


def _duration(seconds: float) -> duration_pb2.Duration:
    whole = int(seconds)
    return duration_pb2.Duration(seconds=whole, nanos=round((seconds - whole) * 1e9))
