"""Composition root of the service: builds every adapter from settings, once.

Tests and the demo pass overrides (an adapter already built) by keyword;
production builds the cloud clients here and nowhere else, so nothing talks
to Google at import time.
"""

from __future__ import annotations

import logging
from typing import Any

from common.adapters import build_catalog, build_dead_letters, build_publisher, build_storage
from common.mail_events import SendGridEvents
from common.merchants import build_merchants
from common.settings import Settings, SettingsError
from service.deps import ServiceDeps

log = logging.getLogger(__name__)


def build_service_deps(settings: Settings, **overrides: Any) -> ServiceDeps:
    storage = overrides.pop("storage", None) or build_storage(settings)
    catalog = overrides.pop("catalog", None) or build_catalog(settings, storage, logos=True)
    merchants = overrides.pop("merchants", None) or build_merchants(settings)
    publisher = overrides.pop("publisher", None) or build_publisher(
        settings, pushers=settings.local_push_concurrency
    )
    dead_letters = overrides.pop("dead_letters", None) or build_dead_letters(settings, storage)
    mail_events = overrides.pop("mail_events", None) or build_mail_events(settings)
    if settings.uses_demo_secrets:
        log.warning("running with the demo-only secrets: fine on a laptop, never in production")
    return ServiceDeps(
        settings, catalog, storage, publisher, merchants, dead_letters, mail_events, **overrides
    )


def build_mail_events(settings: Settings) -> SendGridEvents | None:
    """SendGrid's Event Webhook verifier; None (the route answers 404) while its key is unset."""
    if not settings.sendgrid_event_public_key:
        return None
    try:
        return SendGridEvents(settings.sendgrid_event_public_key)
    except ValueError as exc:
        raise SettingsError(f"SENDGRID_EVENT_PUBLIC_KEY: {exc}") from None
