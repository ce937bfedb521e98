"""What the console shows of an order: the stable --json shapes, and the buyer masked or not.

`orders --json` is a list of `summary` objects and `order ID --json` one
`detail` object (README, "Operating your shop", lists every key). Keys are
only ever added, never renamed or removed, so scripts keep working.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from rich.console import Console

from common.dead_letters import Letter
from common.logging import mask_email
from common.orders import OrderRecord, OrderStore


def emit_json(out: Console, value: Any) -> None:
    """Plain JSON on stdout: no colours, no wrapping, whatever the terminal."""
    out.file.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    out.file.flush()


def mask_name(name: str) -> str:
    """'Ada Lovelace' → 'A*** L***'."""
    return " ".join(f"{word[0]}***" for word in name.split())


def buyer_of(record: OrderRecord, *, show: bool) -> tuple[str, str]:
    if show:
        return record.buyer_name, record.buyer_email
    email = mask_email(record.buyer_email)
    return mask_name(record.buyer_name), email if email != record.buyer_email else "***"


def downloads_of(orders: OrderStore, record: OrderRecord) -> tuple[int, ...]:
    return orders.read_counts(record.order_id, len(record.files))


def summary(record: OrderRecord, downloads: tuple[int, ...], *, show_buyer: bool) -> dict[str, Any]:
    """One line of `exlibris orders`."""
    name, email = buyer_of(record, show=show_buyer)
    return {
        "order_id": record.order_id,
        "status": str(record.status),
        "created_at": record.created_at,
        "buyer_name": name,
        "buyer_email": email,
        "products": list(record.products),
        "title": record.title,
        "mailed_at": record.mailed_at,
        "downloads": sum(downloads),
        "revoked_at": record.revoked_at,
    }


def detail(
    record: OrderRecord, downloads: tuple[int, ...], letters: list[Letter]
) -> dict[str, Any]:
    """Everything about one order: `exlibris order ID`."""
    files = [
        {**asdict(f), "downloads": downloads[n] if n < len(downloads) else 0}
        for n, f in enumerate(record.files)
    ]
    return {
        "order_id": record.order_id,
        "status": str(record.status),
        "title": record.title,
        "products": list(record.products),
        "paddle_ids": list(record.paddle_ids),
        "merchant": record.merchant,
        "product_ids": list(record.product_ids),
        "source": record.source,
        "customer_id": record.customer_id,
        "buyer_name": record.buyer_name,
        "buyer_email": record.buyer_email,
        "code": record.code,
        "created_at": record.created_at,
        "mailed_at": record.mailed_at,
        "revoked_at": record.revoked_at,
        "revoked_reason": record.revoked_reason,
        "revoked_by": record.revoked_by,
        "history": [{**asdict(h), "status": str(h.status)} for h in record.history],
        "files": files,
        "mails": [asdict(m) for m in record.mails],
        "dead_letters": [letter_view(letter) for letter in letters],
        "mail_to": record.mail_to,  # buyer_email, or the address `resend --to` corrected it to
        "email_changes": [asdict(c) for c in record.email_changes],
        "note": record.note,  # a gift's note from the author (`exlibris give --note`)
        "erased_at": record.erased_at,  # `exlibris forget`: the buyer's data is gone
        "erased_by": record.erased_by,
        "imprint": record.imprint,  # the catalog imprint it was sold under ("": the shop's)
    }


def letter_view(letter: Letter) -> dict[str, Any]:
    """One dead letter, as `exlibris dead-letters --json` lists it."""
    return {
        "id": letter.id,
        "kind": letter.kind,
        "order_id": letter.order_id,
        "reason": letter.reason,
        "at": letter.at,
        "origin": letter.origin,
        "replayable": letter.replayable,
    }
