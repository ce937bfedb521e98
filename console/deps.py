"""What the console's commands are handed: settings, storage and adapters built on first use.

A value type only; console/bootstrap.py builds it. The publisher, the Paddle,
Stripe and Lemon Squeezy clients and the secret store are built when a
command first asks for them, so `exlibris orders` never starts a publisher
and `exlibris paddle products` never touches storage it does not need.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from rich.console import Console

from common.catalog import Catalog
from common.dead_letters import DeadLetterReader
from common.orders import OrderStore
from common.publish import Publisher
from common.settings import Settings
from common.storage import Storage
from console.lemonsqueezy_api import LemonSqueezyApi
from console.paddle_api import PaddleApi
from console.stripe_api import StripeApi


class SecretStore(Protocol):
    def add(self, secret_id: str, value: str) -> str:
        """Keep value as the secret's newest version; return where it went."""
        ...


@dataclass(frozen=True)
class ConsoleDeps:
    settings: Settings
    storage: Storage
    out: Console
    catalog: Callable[[], Catalog]
    publisher: Callable[[], Publisher]
    # Wait until what was published has left this process (the embedded publisher
    # pushes from a thread of ours); True when it has.
    drain: Callable[[float], bool]
    letters: Callable[[], list[DeadLetterReader]]
    paddle: Callable[[], PaddleApi]
    stripe: Callable[[], StripeApi]
    lemonsqueezy: Callable[[], LemonSqueezyApi]
    secrets: Callable[[], SecretStore]
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    @cached_property
    def orders(self) -> OrderStore:
        """The delivery bucket's orders: records, indexes, counts, markers."""
        return OrderStore(self.storage, self.settings.delivery_bucket)
