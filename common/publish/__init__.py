"""The publish port: hand a verified message to the worker side.

Two adapters: Pub/Sub (cloud) and a local push publisher that POSTs the same
push envelope to the worker (embedded). Either raises PublishError when the
message could not be accepted, so the webhook answers 503 and Paddle retries.
"""

from common.publish._port import Publisher, PublishError

__all__ = [
    "PublishError",
    "Publisher",
]
