"""What the service's routes are handed: settings and the adapters built by bootstrap.py.

`current_deps()` gives a route the deps of the app handling the request
(set by the factory in app.py), so routes never reach for the root.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from flask import current_app

from common.catalog import Catalog
from common.dead_letters import DeadLetters
from common.mail_events import SendGridEvents
from common.merchants import Merchant
from common.orders import OrderStore
from common.publish import Publisher
from common.settings import Settings
from common.storage import Storage


@dataclass(frozen=True)
class ServiceDeps:
    settings: Settings
    catalog: Catalog
    storage: Storage
    publisher: Publisher
    merchants: Mapping[str, Merchant]  # by route name; only the ones the settings turn on
    dead_letters: DeadLetters
    mail_events: SendGridEvents | None = None  # SendGrid's Event Webhook, when its key is set
    clock: Callable[[], float] = time.time

    @cached_property
    def orders(self) -> OrderStore:
        """The delivery bucket's orders: records, indexes, counts, markers."""
        return OrderStore(self.storage, self.settings.delivery_bucket)


def current_deps() -> ServiceDeps:
    """The adapters of the app handling the current request (set by service/app.py)."""
    deps: ServiceDeps = current_app.extensions["exlibris"]
    return deps
