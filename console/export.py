"""`exlibris export --csv FILE`: one row per order, to cross-check against Paddle's own report.

Columns: order_id, paddle_ids (space-separated product and price ids),
customer_id, product, buyer_name, buyer_email, code, status, created_at,
mailed_at, downloads (all files), revoked_at, revoked_reason, revoked_by, merchant
(who sold it; `gift` for a copy given with `exlibris give`).
Every record is read (an export is a full listing by nature). A buyer's name
is hostile input: a cell a spreadsheet would run as a formula (=, +, -, @,
tab, CR) gets a leading apostrophe, as OWASP's CSV-injection advice says.
FILE `-` writes to stdout. `--imprint SLUG`: the orders sold under that imprint only.
"""

from __future__ import annotations

import argparse
import csv
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import IO

from common.orders import OrderQuery
from console.deps import ConsoleDeps
from console.errors import ConsoleError
from console.listing import Loaded, checked_imprint, load_orders

COLUMNS = (
    "order_id", "paddle_ids", "customer_id", "product", "buyer_name", "buyer_email", "code",
    "status", "created_at", "mailed_at", "downloads", "revoked_at", "revoked_reason", "revoked_by",
    "merchant",
)  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def run_export(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    today = datetime.fromtimestamp(deps.clock(), UTC).date()
    ids = deps.orders.find(OrderQuery(), today=today)
    loaded = load_orders(deps, ids, imprint=checked_imprint(deps, args.imprint))
    try:
        target = nullcontext(deps.out.file) if args.csv == "-" else open(args.csv, "w", newline="")  # noqa: SIM115
    except OSError as exc:
        raise ConsoleError(f"cannot write {args.csv}: {exc.strerror}") from None
    with target as out:
        _write(out, loaded)
    if args.csv != "-":
        deps.out.print(f"wrote {len(loaded)} orders to {args.csv}")
    return 0


def _write(out: IO[str], loaded: list[Loaded]) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for record, downloads in loaded:
        row = (
            record.order_id, " ".join(record.paddle_ids), record.customer_id,
            " + ".join(record.products) or record.title, record.buyer_name, record.buyer_email,
            record.code, str(record.status), record.created_at, record.mailed_at,
            str(sum(downloads)), record.revoked_at, record.revoked_reason, record.revoked_by,
            record.merchant,
        )  # fmt: skip
        writer.writerow([_safe(cell) for cell in row])


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(_FORMULA) else cell
