"""The worker's failure hierarchy, which decides what Pub/Sub is told.

TransientError: a retry may help (a service did not answer, another delivery
holds the order) → 5xx, Pub/Sub redelivers with backoff and finally
dead-letters. PermanentError: no retry can help (a locked original, a product
missing from the catalog) → recorded as a dead letter at once and acknowledged.
"""

from __future__ import annotations


class WorkerError(Exception):
    """Base of failures raised by the worker's use cases."""


class TransientError(WorkerError):
    """Retry later."""


class PermanentError(WorkerError):
    """Record for the author; retrying cannot fix it."""


class MailOutcomeUnknown(TransientError):
    """The provider may have accepted the mail; the claim must stand until it goes stale."""
