"""Command line for authors and support: stamp a file, trace a leaked copy, preflight a book.

PDF and EPUB alike, told apart by content (stamping/formats.py). The same
commands, arguments and exit codes under the console's name (`exlibris stamp`,
console/cli.py) and the old one (`python -m worker stamp`):

    python -m worker stamp INPUT OUTPUT --name NAME --email EMAIL --order ORDER [--skip-pages N]
    python -m worker stamp-batch INPUT OUTDIR --orders CSV [--skip-pages N]
    python -m worker trace FILE [--json] [--ocr-pages N | --no-ocr] [--report OUT.pdf]
    python -m worker check FILE [--out DIR] [--skip-pages N | --catalog [--source NAME]]

The stamp code is made with STAMP_SECRET, read through Settings like every
other variable (the embedded stack's demo secret when it is unset).
Exit status: 0 on success, 1 when the file cannot be stamped or traced, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from common.codes import make_code
from common.logging import configure_cli_logging
from common.settings import Settings
from console.files._batch import BatchError, read_orders, stamp_batch
from console.files._check import add_check
from console.files._trace import add_trace
from stamping.formats import prepare
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle


def do_stamp(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    code = make_code(settings.stamp_secret, args.order)
    verify_url = f"{settings.public_url.rstrip('/')}/verify?code={code}"
    stamp = Stamp(args.name, args.email, args.order, code, verify_url)
    style = (
        StampStyle()
        if args.skip_pages is None
        else replace(StampStyle(), skip_pages=args.skip_pages)
    )
    partial = args.output.with_name(f".{args.output.name}.part")
    try:
        prepared = prepare(args.input, style, settings.limits)  # a PDF's file: read as it goes
        with partial.open("wb") as out:  # the book's bytes go file to file, in the kernel
            prepared.write(stamp, out)
        partial.replace(args.output)
    except StampError as exc:
        print(f"{args.input}: cannot stamp: {exc}", file=sys.stderr)
        return 1
    finally:
        partial.unlink(missing_ok=True)  # a copy is whole or absent
    print(f"{args.output}: stamped for order {args.order}, code {stamp.code}")
    for note in prepared.notes:
        print(f"note: {note}")
    return 0


def do_stamp_batch(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    secret = settings.stamp_secret
    try:
        rows = read_orders(args.orders)
        if not args.input.is_file():
            raise FileNotFoundError(f"no such file: {args.input}")
        original = args.input  # a file qpdf reads as it goes: memory stays flat
        style = (
            replace(StampStyle(), skip_pages=args.skip_pages)
            if args.skip_pages is not None
            else StampStyle()
        )
        copies = stamp_batch(
            original,
            rows,
            args.outdir,
            lambda order: make_code(secret, order),
            style,
            settings.limits,
        )
        from rich.progress import Progress  # here: the other commands start without rich

        with Progress(disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("stamping", total=len(rows))
            for _ in copies:
                progress.advance(task)
    except (BatchError, StampError) as exc:
        print(f"cannot stamp: {exc}", file=sys.stderr)
        return 1
    print(f"{args.outdir}: {len(rows)} copies of {args.input.name}")
    return 0


FILE_COMMANDS = ("stamp", "stamp-batch", "trace", "check")


def add_file_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """stamp, stamp-batch, trace and check, for `python -m worker` and for `exlibris` alike."""
    stamp = commands.add_parser("stamp", help="stamp a PDF or an EPUB for one buyer")
    stamp.add_argument("input", type=Path)
    stamp.add_argument("output", type=Path)
    stamp.add_argument("--name", required=True, type=_text)
    stamp.add_argument("--email", required=True, type=_text)
    stamp.add_argument("--order", required=True, type=_text)
    stamp.add_argument("--skip-pages", type=_count, default=None, help="pages left unstamped (1)")
    stamp.set_defaults(run=do_stamp)
    batch = commands.add_parser(
        "stamp-batch", help="stamp a PDF or an EPUB: one copy per row of a CSV"
    )
    batch.add_argument("input", type=Path)
    batch.add_argument("outdir", type=Path)
    batch.add_argument(
        "--orders", type=Path, required=True, help="CSV: name,email,order[,skip_pages]"
    )
    batch.add_argument("--skip-pages", type=_count, default=None, help="pages left unstamped (1)")
    batch.set_defaults(run=do_stamp_batch)
    add_trace(commands)
    add_check(commands, _count)


def parser(
    prog: str = "python -m worker", kind: type[argparse.ArgumentParser] = argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """The file commands alone, under a program's name and with its kind of parser."""
    main = kind(prog=prog, description=__doc__.split("\n")[0])
    add_file_commands(main.add_subparsers(dest="command", required=True, parser_class=kind))
    return main


def _text(text: str) -> str:
    """Buyer data: a copy stamped for nobody would trace back to nobody."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    return text


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def run_file_command(args: argparse.Namespace) -> int:
    """Run a parsed file command; its exit status."""
    try:
        status: int = args.run(args)
    except OSError as exc:  # a missing input or an unwritable output: say which, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return status


def main(argv: list[str] | None = None) -> int:
    configure_cli_logging()
    return run_file_command(parser().parse_args(argv))
