"""A publisher for in-process tests: each message is pushed to a worker app at once.

It builds the same push envelope Pub/Sub and the local publisher send and
POSTs it to the worker's Flask test client before publish() returns, so a
console command and the worker's handling of its messages run in one test,
in order. A 5xx answer is retried like a redelivery (up to `attempts`), then
kept in `unhandled`, as the real publishers would dead-letter it.
"""

from __future__ import annotations

import itertools

from flask.testing import FlaskClient

from common.messages import Message, push_envelope

SUBSCRIPTION = "projects/local/subscriptions/orders-push"


class InlinePublisher:
    def __init__(self, worker: FlaskClient, attempts: int = 1) -> None:
        self.worker = worker
        self.attempts = attempts
        self.published: list[Message] = []
        self.unhandled: list[Message] = []
        self._ids = itertools.count(1)

    def publish(self, message: Message) -> str:
        message_id = f"inline-{next(self._ids)}"
        self.published.append(message)
        for _ in range(self.attempts):
            answer = self.worker.post(
                "/pubsub/push", json=push_envelope(message, message_id, SUBSCRIPTION)
            )
            if answer.status_code < 300:
                return message_id
        self.unhandled.append(message)
        return message_id
