"""Builders for the adapters both services use, chosen by settings.

Imports of Google clients happen inside the cloud branches, so the embedded
stack starts without touching them.
"""

from __future__ import annotations

from common.catalog import Catalog, load_catalog, with_logos
from common.codes import derive_key
from common.dead_letters import DeadLetters, FolderDeadLetters, StorageDeadLetters
from common.publish import Publisher
from common.settings import Settings
from common.storage import Storage


def build_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "gcs":
        from common.storage.gcs import build_gcs_storage

        return build_gcs_storage(settings.google_cloud_project, settings.signing_service_account)
    from common.storage import LocalStorage

    return LocalStorage(
        settings.local_data_dir / "storage",
        public_url=settings.public_url,
        signing_key=derive_key(settings.stamp_secret, "local-url"),
    )


def build_catalog(settings: Settings, storage: Storage, *, logos: bool = False) -> Catalog:
    """The catalog from its path, or from storage for a gs:// CATALOG, each imprint's sender
    checked against MAIL_DOMAINS; with `logos`, their logos read from the source bucket.

    Only the buyer pages show a logo, so only the service pays a read per imprint at
    start-up; the worker and the console (cold starts too) never read one.
    """
    catalog = load_catalog(
        settings.catalog,
        lambda bucket, name: storage.read(bucket, name).data,
        sender_domains=settings.sender_domains,
    )
    if not logos:
        return catalog
    return with_logos(catalog, lambda name: storage.read(settings.source_bucket, name).data)


def build_dead_letters(settings: Settings, storage: Storage) -> DeadLetters:
    if settings.storage_backend == "gcs":
        return StorageDeadLetters(storage, settings.delivery_bucket)
    return FolderDeadLetters(settings.local_data_dir / "dead-letter")


def build_publisher(settings: Settings, *, pushers: int = 1) -> Publisher:
    """Pub/Sub, or the embedded publisher on Pub/Sub's retry schedule (`pushers` at once)."""
    if settings.publish_backend == "pubsub":
        from common.publish.pubsub import build_pubsub_publisher

        return build_pubsub_publisher(settings.google_cloud_project, settings.pubsub_topic)
    from common.publish.local_push import LocalPushPublisher

    return LocalPushPublisher(
        settings.worker_push_url,
        settings.local_data_dir,
        max_attempts=settings.local_push_max_attempts,
        min_backoff=settings.local_push_min_backoff,
        max_backoff=settings.local_push_max_backoff,
        pushers=pushers,
    )
