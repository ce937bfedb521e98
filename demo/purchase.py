"""One purchase of the sample book: what the demo, the emulator run, the tests and the bench send.

The sample product sells the 48-page sample book as a PDF and as an EPUB,
both generated into embedded storage on first use; its signed Billing
`transaction.completed` body and a wait for its mail in the outbox live here,
so nothing imports the demo's command line.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from common.settings import Settings
from demo.sample_book import make_sample_book
from demo.sample_epub import make_sample_epub

SAMPLE_SOURCE = "practical-python.pdf"
SAMPLE_EPUB = "practical-python.epub"
SAMPLE_PRICE = "pri_01demopracticalpython00000"
SAMPLE_PRODUCT = "pro_01demopracticalpython00000"


def ensure_sample_book(settings: Settings) -> Path:
    """The sample book, PDF and EPUB, in embedded storage, generated once; the PDF's path."""
    folder = settings.local_data_dir / "storage" / settings.source_bucket
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / SAMPLE_SOURCE).exists():
        (folder / SAMPLE_SOURCE).write_bytes(make_sample_book(pages=48))
    if not (folder / SAMPLE_EPUB).exists():
        (folder / SAMPLE_EPUB).write_bytes(make_sample_epub())
    return folder / SAMPLE_SOURCE


def purchase_body(order_id: str, customer_id: str = "ctm_demo", ref: str = "") -> bytes:
    """A Billing transaction.completed for the sample product, as Paddle serialises it.

    `ref` is the exlibris_ref a shop page passed in Paddle.js `customData`; Paddle returns
    custom data as `custom_data`, an object or null
    (developer.paddle.com/build/transactions/custom-data).
    """
    payload = {
        "event_id": f"evt_demo{uuid.uuid4().hex[:20]}",
        "event_type": "transaction.completed",
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
        "notification_id": f"ntf_demo{uuid.uuid4().hex[:20]}",
        "data": {
            "id": order_id,
            "status": "completed",
            "customer_id": customer_id,
            "custom_data": {"exlibris_ref": ref} if ref else None,
            "items": [{"price": {"id": SAMPLE_PRICE, "product_id": SAMPLE_PRODUCT}, "quantity": 1}],
        },
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def wait_for_mail(outbox: Path, order_id: str, timeout: float = 90.0) -> Path:
    """The first outbox mail of the order, once it is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(outbox.glob(f"*-{order_id}.eml"))
        if found:
            return found[0]
        time.sleep(0.2)
    raise TimeoutError(f"no mail for {order_id} in {outbox} after {timeout:.0f} s")
