"""The Pub/Sub dead-letter subscription, read as dead letters (cloud only).

After the push subscription's last attempt Pub/Sub republishes a message to
the dead-letter topic with `CloudPubSubDeadLetterSource*` attributes;
terraform/pubsub.tf keeps it in the pull subscription
`<topic>-dead-letter-inspect` for 31 days. Listing pulls everything there and
hands it straight back (ack deadline 0, a "nack"), so looking changes
nothing; archiving a replayed letter acknowledges it, which removes it.
A letter's id is `pubsub-<message id>`, stable across redeliveries.
Needs roles/pubsub.subscriber on that subscription.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from google.api_core import exceptions as api
from google.cloud import pubsub_v1

from common.dead_letters._format import Letter, order_of
from common.dead_letters._letters import LetterNotFound

PREFIX = "pubsub-"


class SubscriptionDeadLetters:
    def __init__(
        self,
        subscriber: pubsub_v1.SubscriberClient,
        subscription: str,
        *,
        batch: int = 100,
        timeout: float = 5.0,
        most: int = 10_000,
    ) -> None:
        self._subscriber = subscriber
        self.subscription = subscription
        self._batch = batch
        self._timeout = timeout
        self._most = most

    def letters(self) -> list[Letter]:
        with self._pulled() as received:
            return [_as_letter(r.message) for r in received.values()]

    def read(self, letter_id: str) -> Letter:
        found = next((letter for letter in self.letters() if letter.id == letter_id), None)
        if found is None:
            raise LetterNotFound(letter_id)
        return found

    def archive(self, letter_id: str) -> None:
        with self._pulled() as received:
            found = received.pop(letter_id, None)
            if found is None:
                raise LetterNotFound(letter_id)
            self._subscriber.acknowledge(subscription=self.subscription, ack_ids=[found.ack_id])

    def forget(self, about: Callable[[Letter], bool]) -> int:
        """Acknowledge (Pub/Sub's only delete) every waiting letter `about` picks."""
        with self._pulled() as received:
            picked = [key for key, r in received.items() if about(_as_letter(r.message))]
            if picked:
                ack_ids = [received.pop(key).ack_id for key in picked]
                self._subscriber.acknowledge(subscription=self.subscription, ack_ids=ack_ids)
        return len(picked)

    @contextmanager
    def _pulled(self) -> Iterator[dict[str, Any]]:
        """Every message waiting, by letter id; whatever is left is handed back on exit."""
        received: dict[str, Any] = {}
        try:
            while len(received) < self._most:
                batch = self._pull()
                fresh = [r for r in batch if f"{PREFIX}{r.message.message_id}" not in received]
                if not fresh:
                    break
                received.update((f"{PREFIX}{r.message.message_id}", r) for r in fresh)
            yield received
        finally:
            if received:
                self._subscriber.modify_ack_deadline(
                    subscription=self.subscription,
                    ack_ids=[r.ack_id for r in received.values()],
                    ack_deadline_seconds=0,
                )

    def _pull(self) -> list[Any]:
        try:
            answer = self._subscriber.pull(
                subscription=self.subscription, max_messages=self._batch, timeout=self._timeout
            )
        except api.DeadlineExceeded:
            return []  # nothing arrived within the timeout: the subscription is empty
        return list(answer.received_messages)


def _as_letter(message: Any) -> Letter:
    attributes = dict(message.attributes)
    count = attributes.get("CloudPubSubDeadLetterSourceDeliveryCount", "?")
    source = attributes.get("CloudPubSubDeadLetterSourceSubscription", "the push subscription")
    data = bytes(message.data) or None
    return Letter(
        id=f"{PREFIX}{message.message_id}",
        kind=attributes.get("type", "undelivered"),
        order_id=order_of(data),
        reason=f"not delivered after {count} attempts ({source})",
        at=message.publish_time.isoformat() if message.publish_time else "",
        origin="pubsub",
        data=data,
    )
