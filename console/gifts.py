"""`exlibris give PRODUCT`: review and gift copies, one (`--name --email`) or a list (`--csv`).

The work is common/gifts.py's `give_copy`/`gift_message` (the dashboard calls
them too); here the command line is parsed, the list read, and the worker
followed. Each gift is an `order.paid` of merchant `gift`, published on the
same path as re-issues; the worker stamps and mails it like a sale.

A list is read whole and refused before anything is published: a CSV with a
header naming `name` and `email` (and `note`, optional), UTF-8, at most
MAX_ROWS rows and MAX_BYTES bytes, every address valid and none twice; a
refusal names the line. Its gifts get ids derived from the product, the
address and `--run` (common/gifts.py), so running the same list again, after
an interruption or with rows added, publishes nothing for the readers given
already: those records exist, and the worker would not mail them twice anyway.
`--run LABEL` makes a new round for the same readers (a second advance copy).
"""

from __future__ import annotations

import argparse
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.gifts import GiftError, gift_message, gift_order_id, gift_product, give_copy
from common.messages import BuyerDataError, OrderPaid, parse_email
from common.orders import OrderRecord, Status
from console.actions import unconfirmed, wait_for
from console.deps import ConsoleDeps
from console.errors import ConsoleError, UsageError
from console.progress import progress_bar

MAX_ROWS = 1000  # an advance-reader list; a bigger one is a sale, or several runs
MAX_BYTES = 1 << 20
POLL_SECONDS = 1.0
_READERS = 16
_COLUMNS = ("name", "email", "note")


@dataclass(frozen=True)
class GiftRow:
    line: int
    name: str
    email: str
    note: str


def run_give(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    if args.csv:
        if args.name or args.email or args.note:
            raise UsageError("--csv FILE gives to its rows: leave out --name, --email and --note")
        return _give_list(args, deps)
    if not (args.name and args.email):
        raise UsageError("give needs --name and --email, or --csv FILE")
    try:
        order_id = give_copy(
            deps.publisher(),
            deps.catalog(),
            product=args.product,
            name=args.name,
            email=args.email,
            note=args.note or "",
        )
    except GiftError as exc:
        raise UsageError(str(exc)) from None
    _drain(deps)
    deps.out.print(order_id, markup=False)
    if wait_for(deps, args.wait, lambda: _mailed(deps, order_id)) is None:
        return unconfirmed(deps, args.wait, f"gift {order_id}", order_id)
    deps.out.print(f"stamped and mailed {order_id}: `exlibris order {order_id}` shows it")
    return 0


def _give_list(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    catalog, secret = deps.catalog(), deps.settings.stamp_secret
    try:
        gift_product(catalog, args.product)
    except GiftError as exc:
        raise UsageError(str(exc)) from None
    messages: list[tuple[int, OrderPaid]] = []
    for row in read_gift_list(Path(args.csv)):
        order_id = gift_order_id(secret, product=args.product, email=row.email, run=args.run_label)
        try:
            message = gift_message(
                catalog,
                product=args.product,
                name=row.name,
                email=row.email,
                note=row.note,
                order_id=order_id,
            )
        except GiftError as exc:
            raise UsageError(f"{args.csv}, line {row.line}: {exc}") from None
        messages.append((row.line, message))
    given = _given(deps, [m.order_id for _, m in messages])
    to_give = [(line, m) for line, m in messages if m.order_id not in given]
    deps.out.print(
        f"{len(messages)} readers: {len(to_give)} to give, {len(given)} given before "
        f"(the same list and --run {args.run_label!r})"
    )
    if to_give:
        _publish_and_follow(deps, [m for _, m in to_give], args.rate, args.stall)
    for line, message in messages:
        deps.out.print(f"  line {line}: {message.order_id}", markup=False)
    return 0


def read_gift_list(path: Path) -> list[GiftRow]:
    """The rows of a gift list, or UsageError naming the file, the line and what is wrong."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConsoleError(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{path}: more than {MAX_BYTES >> 20} MB; split the list")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(f"{path}, line {line}: not UTF-8 text; save the list as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _rows(path, reader)
    except csv.Error as exc:
        raise UsageError(f"{path}, line {reader.line_num}: not CSV ({exc})") from None


def _rows(path: Path, reader: Any) -> list[GiftRow]:
    """The rows under the header (reader: a csv.reader, whose type has no public name)."""
    header = [h.strip().lower() for h in next(reader, [])]
    if "name" not in header or "email" not in header:
        raise UsageError(f"{path}, line 1: a header naming the columns name,email[,note]")
    extra = [h for h in header if h not in _COLUMNS]
    if extra or len(set(header)) != len(header):
        raise UsageError(f"{path}, line 1: the columns are name, email and note, each once")
    rows: list[GiftRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise UsageError(f"{path}, line {line}: more than {MAX_ROWS} readers; split the list")
        if len(cells) != len(header):
            raise UsageError(
                f"{path}, line {line}: {len(cells)} cells where the header has {len(header)}"
            )
        row = dict(zip(header, cells, strict=True))
        try:
            email = parse_email(row["email"])
        except BuyerDataError as exc:
            raise UsageError(f"{path}, line {line}: {exc}") from None
        key = email.lower()
        if key in seen:
            raise UsageError(f"{path}, line {line}: the same address as line {seen[key]}")
        seen[key] = line
        rows.append(GiftRow(line, row["name"], email, row.get("note", "").strip()))
    if not rows:
        raise UsageError(f"{path}: no readers under the header")
    return rows


def _publish_and_follow(
    deps: ConsoleDeps, messages: list[OrderPaid], rate: float, stall: float
) -> None:
    """Publish paced, follow the records until each is mailed; ConsoleError when stalled."""
    publisher = deps.publisher()
    total, published = len(messages), 0
    left: set[str] = set()  # published, not mailed yet
    start = last_change = deps.clock()
    last_poll = float("-inf")
    with progress_bar(deps.out, "mailed {task.fields[done]}  left {task.fields[left]}") as bar:
        task = bar.add_task("giving", total=total, done=0, left=total)
        while True:
            while published < total and deps.clock() >= start + published / rate:
                publisher.publish(messages[published])
                left.add(messages[published].order_id)
                published += 1
            if deps.clock() - last_poll >= POLL_SECONDS or published == total:
                last_poll = deps.clock()
                mailed = _mailed_among(deps, sorted(left))
                if mailed:
                    left -= mailed
                    last_change = deps.clock()
                done = published - len(left)
                bar.update(task, completed=done, done=done, left=total - done)
                if done == total:
                    break
                if published == total and deps.clock() - last_change > stall:
                    raise ConsoleError(
                        f"no gift mailed for {stall:g} s with {len(left)} left; see "
                        "`exlibris dead-letters`, then run the same command again to resume"
                    )
            deps.sleep(POLL_SECONDS if published == total else min(POLL_SECONDS, 1 / rate))
    deps.out.print(f"done: {total} gifts stamped and mailed")


def _given(deps: ConsoleDeps, order_ids: list[str]) -> set[str]:
    """The ids among these that have a record already (an earlier run gave them)."""
    records = _records(deps, order_ids)
    return {r.order_id for r in records if r is not None}


def _mailed_among(deps: ConsoleDeps, order_ids: list[str]) -> set[str]:
    return {r.order_id for r in _records(deps, order_ids) if r and r.status == Status.MAILED}


def _records(deps: ConsoleDeps, order_ids: list[str]) -> list[OrderRecord | None]:
    with ThreadPoolExecutor(_READERS) as pool:
        return list(pool.map(lambda i: deps.orders.load(i)[0], order_ids))


def _mailed(deps: ConsoleDeps, order_id: str) -> OrderRecord | None:
    record, _ = deps.orders.load(order_id)
    return record if record is not None and record.status == Status.MAILED else None


def _drain(deps: ConsoleDeps) -> None:
    if not deps.drain(60.0):
        raise ConsoleError("the gifts are spooled but the worker did not take them within 60 s")
