"""Pub/Sub publisher: the cloud adapter of the publish port.

The message body is the contract's JSON; attributes carry type, version and
the idempotency key so the dead-letter subscription can be filtered without
decoding. publish() waits for the server's acknowledgement at most `timeout`
seconds (the client's own retries are bounded by the same deadline), so the
webhook answers 503 in time and Paddle retries. Needs roles/pubsub.publisher
on the topic. PUBSUB_EMULATOR_HOST is read by the client itself.
"""

from __future__ import annotations

import concurrent.futures

import grpc
from google.api_core import exceptions as api
from google.api_core.retry import Retry
from google.cloud import pubsub_v1
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

from common.messages import Message, attributes_of, encode
from common.publish._port import PublishError


class PubSubPublisher:
    def __init__(
        self, client: pubsub_v1.PublisherClient, topic_path: str, timeout: float = 10.0
    ) -> None:
        self._client = client
        self._topic = topic_path
        self._timeout = timeout
        self._retry = Retry(
            predicate=_retryable, initial=0.1, maximum=2.0, multiplier=2.0, timeout=timeout
        )

    def publish(self, message: Message) -> str:
        try:
            future = self._client.publish(
                self._topic,
                encode(message),
                retry=self._retry,
                timeout=self._timeout,
                **attributes_of(message),
            )
            return str(future.result(timeout=self._timeout))
        except (concurrent.futures.TimeoutError, TimeoutError):
            raise PublishError(
                f"{message.TYPE} not acknowledged within {self._timeout:g}s"
            ) from None
        except (api.GoogleAPIError, RuntimeError, ValueError) as exc:
            raise PublishError(f"{message.TYPE} not published: {exc}") from exc


def build_pubsub_publisher(
    project: str, topic: str, *, emulator_host: str | None = None, timeout: float = 10.0
) -> PubSubPublisher:
    """A publisher for projects/<project>/topics/<topic>; emulator_host (or the
    PUBSUB_EMULATOR_HOST the client reads) needs no credentials."""
    if emulator_host:
        channel = grpc.insecure_channel(emulator_host)
        client = pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel))
    else:
        client = pubsub_v1.PublisherClient()
    return PubSubPublisher(client, client.topic_path(project, topic), timeout=timeout)


def _retryable(exc: Exception) -> bool:
    return isinstance(
        exc,
        api.ServiceUnavailable
        | api.DeadlineExceeded
        | api.InternalServerError
        | api.Aborted
        | api.ResourceExhausted
        | api.Unknown,
    )
