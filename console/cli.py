"""The command line of `exlibris`: every subcommand, its options and which function runs it.

Names and options are a contract (README, "Operating your shop"). A usage
mistake is one line on stderr and exit status 2, like every other error.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from common.messages import BuyerDataError, parse_email
from common.orders import Status
from console.actions import run_resend, run_restore, run_revoke
from console.buyers import run_buyer, run_forget
from console.catalog import run_catalog_push
from console.deps import ConsoleDeps
from console.errors import Parser
from console.export import run_export
from console.files import add_file_commands
from console.gifts import run_give
from console.lemonsqueezy import run_lemonsqueezy_connect, run_lemonsqueezy_products
from console.letters import run_dead_letters, run_replay
from console.listing import UNDELIVERABLE, run_order, run_orders
from console.paddle import run_connect, run_products
from console.reissue import run_reissue
from console.stripe import run_stripe_connect, run_stripe_products


def parser() -> argparse.ArgumentParser:
    main = Parser(
        prog="exlibris",
        description="The author's console: see, fix and re-issue orders; stamp, trace and "
        "check books.",
    )
    commands = main.add_subparsers(dest="command", required=True, parser_class=Parser)
    _orders(commands)
    order = commands.add_parser("order", help="everything about one order")
    order.add_argument("order_id", metavar="ID")
    order.add_argument("--json", action="store_true", help="one JSON object")
    order.set_defaults(run=run_order)
    resend = commands.add_parser(
        "resend", help="mail an order's links again, to its own (or a corrected) address"
    )
    resend.add_argument("order_id", metavar="ID")
    resend.add_argument(
        "--to", type=_address, metavar="ADDRESS", help="a corrected address: this and later mails"
    )
    resend.add_argument("--reason", help="why the address changed, kept in the record (with --to)")
    resend.add_argument("--by", default="author", help="who, kept in the record (author)")
    _wait(resend)
    resend.set_defaults(run=run_resend)
    revoke = commands.add_parser(
        "revoke", help="what a full refund does: links 410, copies deleted"
    )
    revoke.add_argument("order_id", metavar="ID")
    revoke.add_argument("--reason", required=True, help="why, kept in the record")
    revoke.add_argument("--by", default="author", help="who, kept in the record (author)")
    _wait(revoke)
    revoke.set_defaults(run=run_revoke)
    restore = commands.add_parser(
        "restore", help="take a chargeback's revocation back, once the dispute is won"
    )
    restore.add_argument("order_id", metavar="ID")
    restore.add_argument("--reason", required=True, help="why, kept in the record")
    _wait(restore)
    restore.set_defaults(run=run_restore)
    _reissue(commands)
    _buyers(commands)
    letters = commands.add_parser("dead-letters", help="what could not be delivered, and why")
    letters.add_argument("--json", action="store_true", help="a JSON list")
    letters.set_defaults(run=run_dead_letters)
    replay = commands.add_parser("replay", help="send dead letters again after fixing the cause")
    replay.add_argument("ids", nargs="*", default=[], metavar="ID")
    replay.add_argument("--all", action="store_true", help="every replayable letter")
    replay.set_defaults(run=run_replay)
    export = commands.add_parser("export", help="one CSV row per order")
    export.add_argument(
        "--csv", required=True, metavar="FILE", help="where to write (- for stdout)"
    )
    export.add_argument("--imprint", metavar="SLUG", help=_IMPRINT_HELP)
    export.set_defaults(run=run_export)
    _catalog(commands)
    _storefront(commands, "paddle", "Paddle", "destination", run_connect, run_products)
    _storefront(commands, "stripe", "Stripe", "endpoint", run_stripe_connect, run_stripe_products)
    _lemonsqueezy(commands)
    add_file_commands(commands)  # stamp, stamp-batch, trace, check: files on disk, no adapters
    return main


_IMPRINT_HELP = "only the orders sold under this catalog imprint"


def _orders(commands: argparse._SubParsersAction[Parser]) -> None:
    orders = commands.add_parser("orders", help="list orders, through the indexes")
    orders.add_argument("--email", metavar="ADDR", help="the buyer's orders")
    orders.add_argument("--product", metavar="SLUG", help="a catalog product's orders")
    orders.add_argument("--imprint", metavar="SLUG", help=_IMPRINT_HELP)
    orders.add_argument(
        "--status",
        choices=[*(s.value for s in Status), UNDELIVERABLE],
        help=f"{UNDELIVERABLE}: the last mail bounced or was dropped",
    )
    orders.add_argument("--since", type=_date, metavar="DATE", help="created on or after (UTC)")
    orders.add_argument("--limit", type=_count, default=0, help="the newest N only")
    orders.add_argument("--json", action="store_true", help="a JSON list")
    orders.add_argument("--show-buyers", action="store_true", help="names and emails unmasked")
    orders.set_defaults(run=run_orders)


def _reissue(commands: argparse._SubParsersAction[Parser]) -> None:
    reissue = commands.add_parser("reissue", help="mail every entitled buyer the new edition, once")
    reissue.add_argument("product", metavar="PRODUCT", help="the catalog slug")
    reissue.add_argument("--dry-run", action="store_true", help="list who would be mailed")
    reissue.add_argument("--only", nargs="+", metavar="ID", help="just these orders")
    reissue.add_argument("--imprint", metavar="SLUG", help=_IMPRINT_HELP)
    reissue.add_argument("--rate", type=_rate, default=10.0, help="messages a second (10)")
    reissue.add_argument("--stall", type=_rate, default=600.0, help="give up after S s idle (600)")
    reissue.add_argument("--show-buyers", action="store_true", help="emails unmasked (dry run)")
    reissue.set_defaults(run=run_reissue)


def _buyers(commands: argparse._SubParsersAction[Parser]) -> None:
    give = commands.add_parser(
        "give", help="stamp and mail a review or gift copy (no sale): one, or a CSV list"
    )
    give.add_argument("product", metavar="PRODUCT", help="the catalog slug")
    give.add_argument("--name", help="the reader's name, stamped in the copy")
    give.add_argument("--email", help="the reader's address")
    give.add_argument("--note", help="a few words from you, in the mail")
    give.add_argument("--csv", metavar="FILE", help="many readers: columns name,email[,note]")
    give.add_argument(
        "--run", dest="run_label", default="", metavar="LABEL", help="a new round for the same list"
    )
    give.add_argument("--rate", type=_rate, default=10.0, help="messages a second (10)")
    give.add_argument("--stall", type=_rate, default=600.0, help="give up after S s idle (600)")
    _wait(give)
    give.set_defaults(run=run_give)
    buyer = commands.add_parser("buyer", help="everything held about one buyer's address")
    buyer.add_argument("email", type=_address, metavar="EMAIL")
    buyer.add_argument("--json", action="store_true", help="one JSON object")
    buyer.set_defaults(run=run_buyer)
    forget = commands.add_parser(
        "forget", help="erase a buyer: copies, name and address go; the orders' accounts stay"
    )
    forget.add_argument("email", type=_address, metavar="EMAIL")
    forget.add_argument("--by", default="author", help="who asked, kept in the record (author)")
    _wait(forget)
    forget.set_defaults(run=run_forget)


def _catalog(commands: argparse._SubParsersAction[Parser]) -> None:
    catalog = commands.add_parser("catalog", help="the catalog the services sell from")
    actions = catalog.add_subparsers(dest="catalog_command", required=True, parser_class=Parser)
    push = actions.add_parser("push", help="check, upload and roll the services onto it (no build)")
    push.add_argument("file", metavar="FILE", help="catalog.toml")
    push.add_argument("--region", help="the services' region (terraform.tfvars), to roll them")
    push.add_argument(
        "--services", nargs="+", metavar="NAME", help="NAME NAME-worker (Terraform's)"
    )
    push.add_argument("--no-roll", action="store_true", help="upload only")
    push.set_defaults(run=run_catalog_push)


def _storefront(
    commands: argparse._SubParsersAction[Parser],
    merchant: str,
    title: str,
    destination: str,
    run_connect: Callable[[argparse.Namespace, ConsoleDeps], int],
    run_products: Callable[[argparse.Namespace, ConsoleDeps], int],
) -> None:
    """`exlibris <merchant> connect|products`: the same options for every storefront."""
    shop = commands.add_parser(merchant, help=f"set {title} up through its API")
    dest = f"{merchant}_command"
    actions = shop.add_subparsers(dest=dest, required=True, parser_class=Parser)
    create = f"create the webhook {destination}, keep its secret"
    connect = actions.add_parser("connect", help=create)
    connect.add_argument("--url", required=True, help=f"https://…/webhooks/{merchant}")
    connect.add_argument("--description", default="exlibris: stamp and deliver books")
    secret = f"Secret Manager secret (<name>-{merchant}-webhook-secret)"
    connect.add_argument("--secret-id", help=secret)
    connect.set_defaults(run=run_connect)
    products = actions.add_parser("products", help=f"catalog.toml entries for {title}'s products")
    products.add_argument("--new", action="store_true", help="only those not in the catalog")
    products.set_defaults(run=run_products)


def _lemonsqueezy(commands: argparse._SubParsersAction[Parser]) -> None:
    lemon = commands.add_parser("lemonsqueezy", help="set Lemon Squeezy up through its API")
    actions = lemon.add_subparsers(dest="lemonsqueezy_command", required=True, parser_class=Parser)
    connect = actions.add_parser("connect", help="create the webhook with a new secret, kept")
    connect.add_argument("--url", required=True, help="https://…/webhooks/lemonsqueezy")
    connect.add_argument(
        "--store",
        required=True,
        type=_store_id,
        metavar="ID",
        help="the store's id (Settings > Stores)",
    )
    connect.add_argument(
        "--secret-id", help="Secret Manager secret (<name>-lemonsqueezy-webhook-secret)"
    )
    connect.set_defaults(run=run_lemonsqueezy_connect)
    products = actions.add_parser("products", help="catalog.toml entries for its products")
    products.add_argument("--new", action="store_true", help="only those not in the catalog")
    products.set_defaults(run=run_lemonsqueezy_products)


def _store_id(text: str) -> str:
    """Lemon Squeezy's ids are positive integers (the dashboard shows the store's as #N)."""
    if not (text.isascii() and text.isdigit()) or int(text) == 0 or len(text) > 20:
        raise argparse.ArgumentTypeError(f"expected a store id like 12345, got {text!r}")
    return str(int(text))


def _wait(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--wait", type=_seconds, default=60.0, help="seconds to wait for the worker (0: do not)"
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-05-01, got {text!r}") from None


def _address(text: str) -> str:
    """One address, normalised as the message contract does, or a usage error in one line."""
    try:
        return parse_email(text)
    except BuyerDataError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 <= value < 86400:
        raise argparse.ArgumentTypeError(f"expected 0 to 86399 seconds, got {text!r}")
    return value


def _rate(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text!r}")
    return value
