"""What the worker's use cases are handed: settings and the adapters built by bootstrap.py.

A value type only. The composition root (bootstrap.py) builds it and the use
cases receive it, so no use case imports the root.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from common.catalog import Catalog
from common.dead_letters import DeadLetters
from common.orders import OrderStore
from common.settings import Settings
from common.storage import Storage
from stamping.formats import Prepared
from stamping.style import StampStyle
from worker.customers import CustomerLookup
from worker.line_items import LineItems
from worker.mail import Mailer
from worker.originals import OriginalsCache
from worker.sized_cache import SizedCache

# (bucket, object, generation, style): a plan is per edition of a book and per stamp style.
PlanKey = tuple[str, str, int, StampStyle]


@dataclass(frozen=True)
class WorkerDeps:
    settings: Settings
    catalog: Catalog
    storage: Storage
    mailer: Mailer
    customers: CustomerLookup
    line_items: LineItems  # what a sale bought, when its webhook does not say (Stripe)
    dead_letters: DeadLetters
    originals: OriginalsCache
    plans: SizedCache[PlanKey, Prepared]
    clock: Callable[[], float] = time.time

    @cached_property
    def orders(self) -> OrderStore:
        """The delivery bucket's orders: records, indexes, counts, markers."""
        return OrderStore(self.storage, self.settings.delivery_bucket)
