"""`python -m worker check FILE`: the preflight an author runs before launch.

Takes the options `stamp` takes (--skip-pages), or the catalog's for the file
(--catalog: the entry whose source is the file's name, or --source NAME), so
the verdict is about the copies buyers will get. Never prints a traceback:
every fault of the file is a sentence in the report; a fault of ours is one
line that says so, with the details in the log at DEBUG.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from common.settings import Settings
from stamping.formats import check_file
from stamping.style import StampStyle

log = logging.getLogger(__name__)


def do_check(args: argparse.Namespace) -> int:
    style = StampStyle()
    if args.catalog:
        from common.catalog import CatalogError  # here: the catalog is read for --catalog only

        try:
            style = _catalog_style(args)
        except CatalogError as exc:
            print(f"cannot use the catalog: {exc}", file=sys.stderr)
            return 2
    if args.skip_pages is not None:
        style = replace(style, skip_pages=args.skip_pages)
    try:
        report = check_file(args.file.read_bytes(), style, Settings.from_env().limits)
        print(report.text)
        out = args.file.parent if args.out is None else args.out  # beside the book by default
        for path in report.write_previews(out, args.file.stem):
            print(f"wrote {path}")
    except OSError as exc:
        print(f"{args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug of ours must not look like a fault of the author's file
        log.debug("preflight failed", exc_info=True)
        print(f"{args.file}: the preflight failed ({type(exc).__name__}); please report it")
        return 1
    return 0 if report.clean else 1


def _catalog_style(args: argparse.Namespace) -> StampStyle:
    """The style the catalog gives the file (its name, or --source); CatalogError if none."""
    from common.catalog import CatalogError, load_catalog

    settings = Settings.from_env()  # the catalog as the services check it: senders too
    catalog = load_catalog(settings.catalog, sender_domains=settings.sender_domains)
    source = args.source or args.file.name
    found = catalog.style_of(source)
    if found is None:
        raise CatalogError(f"no file with source {source!r} in the catalog")
    return found


def add_check(commands: argparse._SubParsersAction[Any], count: Callable[[str], int]) -> None:
    check = commands.add_parser("check", help="preflight a book before launch")
    check.add_argument("file", type=Path)
    check.add_argument(
        "--out", type=Path, default=None, help="folder for the previews (the book's folder)"
    )
    check.add_argument("--skip-pages", type=count, default=None, help="pages left unstamped (1)")
    check.add_argument(
        "--catalog", action="store_true", help="stamp as the catalog (CATALOG) says for this file"
    )
    check.add_argument("--source", help="the file's source in the catalog (default: its name)")
    check.set_defaults(run=do_check)
