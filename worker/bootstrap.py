"""Composition root of the worker: builds every adapter from settings, once.

Mail goes out by MAIL_BACKEND: SendGrid (the default when SENDGRID_API_KEY is
set), any SMTP relay, or the outbox folder (the default otherwise); the
Paddle API when PADDLE_API_KEY is set, the offline stand-in otherwise (demo
only, and it says so in the log). Stripe's line items come from Stripe's API
when STRIPE_API_KEY is set, from a fixed demo table in the embedded stack, and
otherwise from nowhere (every Stripe sale waits, and the log names the key).
Originals are read through an in-memory cache over the same storage. Tests pass
ready-built adapters by keyword.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from common.adapters import build_catalog, build_dead_letters, build_storage
from common.settings import Settings
from stamping.formats import Prepared, check_installed
from worker.customers import CustomerLookup
from worker.deps import PlanKey, WorkerDeps
from worker.line_items import LineItems
from worker.mail import Mailer
from worker.originals import OriginalsCache
from worker.push_auth import PushVerifier
from worker.sized_cache import SizedCache

PushCheck = Callable[[str | None], object]
# An eighth of the worker's 4 GiB (terraform/run.tf): a plan holds its book once, in a
# temporary file, which Cloud Run keeps in memory; copies in flight beside it hold at most
# about 32 MB each (bigger ones are streamed: worker/copies.py).
PLAN_CACHE_BYTES = 512 * 1024 * 1024

log = logging.getLogger(__name__)


def build_mailer(settings: Settings) -> Mailer:
    name, address = settings.sender
    if settings.mail == "smtp":
        from worker.mail.smtp import SmtpMailer

        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            mail_from=address,
            from_name=name,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
        )
    if settings.mail == "sendgrid":
        from worker.mail.sendgrid import SendGridMailer

        return SendGridMailer(
            settings.sendgrid_api_key,
            host=settings.sendgrid_api_url,
            mail_from=address,
            from_name=name,
        )
    from worker.mail import OutboxMailer

    return OutboxMailer(settings.local_data_dir / "outbox", sender=address, sender_name=name)


def build_customers(settings: Settings) -> CustomerLookup:
    if settings.paddle_api_key:
        from worker.customers.paddle_api import PaddleCustomers

        return PaddleCustomers(settings.paddle_api_key, settings.paddle_api_url)
    from worker.customers import MissingApiKey, OfflineCustomers

    return OfflineCustomers() if settings.embedded else MissingApiKey()


def build_line_items(settings: Settings) -> LineItems:
    if settings.stripe_api_key:
        from worker.line_items.stripe_api import StripeLineItems

        return StripeLineItems(settings.stripe_api_key, settings.stripe_api_url)
    from worker.line_items import MissingApiKey, OfflineLineItems

    return OfflineLineItems() if settings.embedded else MissingApiKey()


def build_push_verifier(settings: Settings) -> PushCheck | None:
    if not settings.push_auth_required:
        if not settings.embedded:
            log.warning("PUSH_AUTH is off: the push endpoint accepts unauthenticated requests")
        return None
    return PushVerifier(
        settings.push_audience, settings.push_service_account, mode=settings.push_auth_mode
    )


def build_plan_cache(max_bytes: int = PLAN_CACHE_BYTES) -> SizedCache[PlanKey, Prepared]:
    """Plans of the books this instance stamps, one per (edition, style)."""
    return SizedCache(max_bytes, lambda plan: plan.nbytes, family=lambda key: (key[0], key[1]))


def build_worker_deps(settings: Settings, **overrides: Any) -> WorkerDeps:
    check_installed()  # a missing base font stops a bad deploy here; fonts load on first use
    storage = overrides.pop("storage", None) or build_storage(settings)
    catalog = overrides.pop("catalog", None) or build_catalog(settings, storage)
    return WorkerDeps(
        settings=settings,
        catalog=catalog,
        storage=storage,
        mailer=overrides.pop("mailer", None) or build_mailer(settings),
        customers=overrides.pop("customers", None) or build_customers(settings),
        line_items=overrides.pop("line_items", None) or build_line_items(settings),
        dead_letters=overrides.pop("dead_letters", None) or build_dead_letters(settings, storage),
        originals=overrides.pop("originals", None) or OriginalsCache(storage),
        plans=overrides.pop("plans", None) or build_plan_cache(),
        **overrides,
    )
