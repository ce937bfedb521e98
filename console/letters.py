"""`exlibris dead-letters` and `exlibris replay ID…|--all`: what failed, and sending it again.

Letters come from every reader the settings give (console/bootstrap.py): the
dead-letter folder or bucket prefix (the service's unknown products, the
worker's permanent failures, the local publisher's exhausted deliveries) and,
on Cloud, the Pub/Sub dead-letter subscription. A replay publishes the
letter's message again through the normal path and archives the letter; the
worker's idempotency means a replayed order still mails once. An order for a
product still missing from the catalog is refused here, before it would only
fail again.
"""

from __future__ import annotations

import argparse
import contextlib

from rich.table import Table

from common.dead_letters import DeadLetterReader, Letter, LetterNotFound
from common.messages import ContractError, OrderPaid, decode
from console.deps import ConsoleDeps
from console.errors import ConsoleError, UsageError
from console.views import emit_json, letter_view


def all_letters(deps: ConsoleDeps) -> list[tuple[DeadLetterReader, Letter]]:
    return [(reader, letter) for reader in deps.letters() for letter in reader.letters()]


def run_dead_letters(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    found = all_letters(deps)
    if args.json:
        emit_json(deps.out, [letter_view(letter) for _, letter in found])
        return 0
    if not found:
        deps.out.print("no dead letters")
        return 0
    table = Table("id", "when", "kind", "order", "reason", box=None)
    for _, letter in found:
        table.add_row(letter.id, letter.at, letter.kind, letter.order_id or "-", letter.reason)
    deps.out.print(table)
    replayable = sum(letter.replayable for _, letter in found)
    deps.out.print(f"{len(found)} dead letters, {replayable} replayable with `exlibris replay`")
    return 0


def run_replay(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    if bool(args.all) == bool(args.ids):
        raise UsageError("replay takes letter ids or --all, not both and not neither")
    if args.all:
        chosen = [item for item in all_letters(deps) if item[1].replayable]
    else:
        chosen = [find_letter(deps, letter_id) for letter_id in args.ids]
    failures = [
        problem for reader, letter in chosen if (problem := replay_letter(deps, reader, letter))
    ]
    deps.drain(60.0)
    replayed = len(chosen) - len(failures)
    deps.out.print(f"replayed {replayed} of {len(chosen)} letters")
    if failures:
        raise ConsoleError("; ".join(failures))
    return 0


def find_letter(deps: ConsoleDeps, letter_id: str) -> tuple[DeadLetterReader, Letter]:
    """The reader holding the letter, and the letter; ConsoleError when none does."""
    for reader in deps.letters():
        with contextlib.suppress(LetterNotFound):
            return reader, reader.read(letter_id)
    raise ConsoleError(f"no dead letter {letter_id} (see `exlibris dead-letters`)")


def replay_letter(deps: ConsoleDeps, reader: DeadLetterReader, letter: Letter) -> str:
    """Publish the letter's message again; '' when done, else why not."""
    if letter.data is None:
        return f"{letter.id} holds no message to send again ({letter.kind})"
    try:
        message = decode(letter.data)
    except ContractError as exc:
        return f"{letter.id} holds a message we cannot read: {exc}"
    # A Stripe sale names no products (the worker lists its line items): nothing to check here.
    sale = message if isinstance(message, OrderPaid) and message.product_ids else None
    if sale is not None and not deps.catalog().find(sale.product_ids):
        ids = ", ".join(sale.product_ids)
        return f"{letter.id}: still no catalog product for {ids}; add it to the catalog first"
    deps.publisher().publish(message)
    with contextlib.suppress(LetterNotFound):  # replayed meanwhile: the message is idempotent
        reader.archive(letter.id)
    order = f" (order {letter.order_id})" if letter.order_id else ""
    deps.out.print(f"replayed {letter.id}{order}")
    return ""
