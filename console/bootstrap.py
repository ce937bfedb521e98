"""Composition root of the console: the same Settings as the apps, adapters built here once.

Storage and dead letters follow STORAGE_BACKEND, the publisher PUBLISH_BACKEND
(the embedded one pushes to the worker from a thread of this process, so
commands drain it before they exit); on Pub/Sub the dead-letter subscription
`<topic>-dead-letter-inspect` is read too. The merchants' clients and the
secret store are built only when a `paddle`, `stripe` or `lemonsqueezy`
command asks. Tests pass ready-built adapters by keyword, as with the apps'
roots, and `sleep`, which the Lemon Squeezy client waits out rate limits with.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import requests
from rich.console import Console

from common.adapters import build_catalog, build_storage
from common.adapters import build_publisher as build_shared_publisher
from common.dead_letters import DeadLetterReader, FolderDeadLetters, StorageDeadLetters
from common.publish import Publisher
from common.settings import Settings
from common.storage import Storage
from console.deps import ConsoleDeps, SecretStore
from console.errors import ConsoleError
from console.lemonsqueezy_api import LemonSqueezyApi
from console.paddle_api import PaddleApi
from console.stripe_api import StripeApi


def build_publisher(settings: Settings) -> Publisher:
    """The apps' publisher; on the embedded stack only once its worker answers."""
    if settings.publish_backend != "pubsub":
        _check_worker(settings.worker_push_url)
    return build_shared_publisher(settings)


def _check_worker(push_url: str) -> None:
    """The embedded publisher pushes from this process: a stopped stack is said plainly."""
    health = urljoin(push_url, "/healthz")
    try:
        requests.get(health, timeout=3).raise_for_status()
    except requests.RequestException:
        raise ConsoleError(
            f"the worker at {health} does not answer: start the stack first (make run)"
        ) from None


def build_letters(settings: Settings, storage: Storage) -> list[DeadLetterReader]:
    readers: list[DeadLetterReader] = []
    if settings.storage_backend == "gcs":
        readers.append(StorageDeadLetters(storage, settings.delivery_bucket))
    else:
        readers.append(FolderDeadLetters(settings.local_data_dir / "dead-letter"))
    if settings.publish_backend == "pubsub":
        from google.cloud import pubsub_v1

        from common.dead_letters.pubsub import SubscriptionDeadLetters

        subscriber = pubsub_v1.SubscriberClient()
        path = subscriber.subscription_path(
            settings.google_cloud_project, f"{settings.pubsub_topic}-dead-letter-inspect"
        )
        readers.append(SubscriptionDeadLetters(subscriber, path))
    return readers


def build_paddle(settings: Settings) -> PaddleApi:
    if not settings.paddle_api_key:
        raise ConsoleError(
            "PADDLE_API_KEY: required for `exlibris paddle` (notification_setting and product "
            "permissions); PADDLE_API_URL picks live or sandbox"
        )
    return PaddleApi(settings.paddle_api_key, settings.paddle_api_url)


def build_stripe(settings: Settings) -> StripeApi:
    if not settings.stripe_api_key:
        raise ConsoleError(
            "STRIPE_API_KEY: required for `exlibris stripe` (a restricted key with Webhook "
            "Endpoints write, Products and Prices read)"
        )
    return StripeApi(settings.stripe_api_key, settings.stripe_api_url)


def build_lemonsqueezy(settings: Settings, sleep: Callable[[float], None]) -> LemonSqueezyApi:
    if not settings.lemonsqueezy_api_key:
        raise ConsoleError(
            "LEMONSQUEEZY_API_KEY: required for `exlibris lemonsqueezy` (Settings > API; a "
            "test-mode key works on test-mode data only)"
        )
    return LemonSqueezyApi(
        settings.lemonsqueezy_api_key, settings.lemonsqueezy_api_url, sleep=sleep
    )


def build_secrets(settings: Settings, out: Console) -> SecretStore:
    if settings.embedded:
        from console.secret_store import PrintedSecret

        return PrintedSecret(out)
    if not settings.google_cloud_project:
        raise ConsoleError("GOOGLE_CLOUD_PROJECT: required to keep the secret in Secret Manager")
    from console.secret_store import SecretManagerStore, secret_manager_client

    return SecretManagerStore(secret_manager_client(), settings.google_cloud_project)


def build_console_deps(settings: Settings, **overrides: Any) -> ConsoleDeps:
    storage = overrides.pop("storage", None) or build_storage(settings)
    out = overrides.pop("out", None) or Console(highlight=False, soft_wrap=True)
    given_publisher = overrides.pop("publisher", None)
    publisher = functools.cache(lambda: given_publisher or build_publisher(settings))
    letters = overrides.pop("letters", None)
    paddle = overrides.pop("paddle", None)
    stripe = overrides.pop("stripe", None)
    lemonsqueezy = overrides.pop("lemonsqueezy", None)
    sleep = overrides.get("sleep", time.sleep)  # the console's one pause, rate limits included
    secrets = overrides.pop("secrets", None)
    return ConsoleDeps(
        settings=settings,
        storage=storage,
        out=out,
        catalog=functools.cache(lambda: build_catalog(settings, storage)),
        publisher=publisher,
        drain=lambda timeout: _drain(publisher, timeout),
        letters=functools.cache(lambda: letters or build_letters(settings, storage)),
        paddle=functools.cache(lambda: paddle or build_paddle(settings)),
        stripe=functools.cache(lambda: stripe or build_stripe(settings)),
        lemonsqueezy=functools.cache(lambda: lemonsqueezy or build_lemonsqueezy(settings, sleep)),
        secrets=functools.cache(lambda: secrets or build_secrets(settings, out)),
        **overrides,
    )


def _drain(publisher: functools._lru_cache_wrapper[Publisher], timeout: float) -> bool:
    """Wait for the embedded publisher's thread (Pub/Sub has a message once publish returns)."""
    if publisher.cache_info().currsize == 0:
        return True  # nothing was published
    wait_idle = getattr(publisher(), "wait_idle", None)
    return bool(wait_idle(timeout)) if wait_idle is not None else True
