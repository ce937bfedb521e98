"""`python -m worker trace FILE`: every order a leaked copy names, for support.

Reads the hidden marks, the visible stamp, the body mark and, for pages that
are only pictures, the footer by OCR; checks every code against the shop's
code MAC (STAMP_SECRET, through Settings, as `stamp` makes them), and that the
code was issued for the order the file names beside it: through the code's
derivation from the order id always, and through the code index
(`codes/<serial>`) where this machine reaches the shop's storage (the
embedded stack's folder when it exists, or the bucket under
STORAGE_BACKEND=gcs). A copy whose order id was rewritten is reported as
forged. One line per order found, or `--json`. Everything the file says is
printed quoted and cut (stamping/trace.py's `shown`): the file is the
leaker's. Exit status: 0 when an authentic order was found, 1 when none was
(or only forgeries), 2 when the file cannot be read (as a PDF, an EPUB, or at
all, a password included). `--report OUT.pdf` also writes an evidence report
with a takedown-notice draft (console/files/_report.py); for exit 2 it writes
none: there is nothing to report on a file that could not be read.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common.codes import InvalidCode, check_code, code_for_serial, issued_for
from common.settings import Settings
from stamping.formats import trace_file
from stamping.ocr import read_footers
from stamping.raster import render_pages
from stamping.stamp import TraceError
from stamping.trace import CodeCheck, Original, format_finding, printable, trace_json

if TYPE_CHECKING:
    from common.storage import Storage

FOUND, NONE, UNREADABLE = 0, 1, 2
log = logging.getLogger(__name__)

CodeIndex = Callable[[str], str | None]  # serial -> the order `codes/<serial>` names


def authentic_with(secret: str, index: CodeIndex | None = None) -> CodeCheck:
    """The checker trace needs: does this shop's secret vouch for the code, and for its order?"""

    def authentic(code: str) -> bool:
        try:
            check_code(secret, code)
        except InvalidCode:
            return False
        return True

    def owner(code: str) -> str | None:
        if index is None:
            return None
        try:
            return index(check_code(secret, code))
        except InvalidCode:
            return None

    return CodeCheck(authentic, partial(issued_for, secret), owner)


def do_trace(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    index_notes: list[str] = []
    store = _shop_store(settings, index_notes)
    index = _code_index(store, settings.delivery_bucket, index_notes)
    check = authentic_with(settings.stamp_secret, index)
    ocr = None if args.no_ocr else partial(read_footers, limit=args.ocr_pages)
    name = printable(str(args.file))  # a leaked file's name is the leaker's too
    try:
        data = args.file.read_bytes()
        original = _original(args.original, settings, store, index_notes)
        trace = trace_file(data, check, ocr, settings.limits, original)
    except (TraceError, OSError) as exc:
        print(f"{name}: {printable(_reason(exc))}", file=sys.stderr)
        return UNREADABLE
    except Exception as exc:  # a bug of ours must not look like a fault of the file, nor crash
        log.debug("trace failed", exc_info=True)
        print(f"{name}: trace failed ({type(exc).__name__}); please report it", file=sys.stderr)
        return UNREADABLE
    notes = [*trace.notes, *index_notes]
    if args.json:
        found = {**trace_json(trace), "notes": [printable(n) for n in notes]}
        # ASCII JSON: C1 controls and bidi overrides come out as \u escapes, like C0 ones.
        print(json.dumps({"file": str(args.file), **found}, ensure_ascii=True))
    else:
        for finding in trace.findings:
            print(format_finding(finding))
        if not trace.findings:
            print(f"{name}: no exlibris marks found ({trace.pages} pages read)")
        for note in notes:
            print(f"note: {printable(note)}", file=sys.stderr)
    if args.report is not None:
        from console.files._report import write_report  # here: only a report reads records

        shop = store if isinstance(store, str) else (store, settings.delivery_bucket)
        write_report(args.report, args.file.name, data, trace, shop, notes)
        print(f"{printable(str(args.report))}: evidence report written", file=sys.stderr)
    return FOUND if trace.found_authentic else NONE


def _shop_store(settings: Settings, notes: list[str]) -> Storage | str:
    """The shop's storage where this machine reaches it; else why not (and a note)."""
    if settings.storage_backend == "local" and not (settings.local_data_dir / "storage").is_dir():
        # No embedded shop here: creating its folder would only leave litter.
        return "no shop's store on this machine (STORAGE_BACKEND is local, and no shop ran here)"
    # Here: the file commands (`stamp` above all) start without the adapters and the records.
    from common.adapters import build_storage

    try:
        return build_storage(settings)
    except Exception as exc:  # the cloud client's many faults: derivation still decides
        notes.append(f"the code index was not read ({type(exc).__name__}: {exc})")
        return f"the store could not be opened ({type(exc).__name__})"


def _code_index(store: Storage | str, bucket: str, notes: list[str]) -> CodeIndex | None:
    """The shop's code index where its store was reached; None if not."""
    if isinstance(store, str):
        return None
    from common.orders import code_owner
    from common.storage import StorageError

    unreachable: list[str] = []

    def owner(serial: str) -> str | None:
        if unreachable:
            return None
        try:
            return code_owner(store, bucket, serial)
        except StorageError as exc:
            unreachable.append(str(exc))
            notes.append(f"the code index was not read ({exc})")
            return None

    return owner


def _original(
    path: Path | None, settings: Settings, store: Storage | str, notes: list[str]
) -> Original | None:
    """The author's original for the line-shift mark, scoring every code the shop issued."""
    if path is None:
        return None

    def candidates() -> list[str]:
        serials = _issued_serials(store, settings.delivery_bucket, notes)
        return [code_for_serial(settings.stamp_secret, serial) for serial in serials]

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TraceError(f"cannot read the original {path}: {exc.strerror or exc}") from None
    return Original(data, candidates, render_pages)


def _issued_serials(store: Storage | str, bucket: str, notes: list[str]) -> list[str]:
    """Every serial in the shop's code index, where its store was reached."""
    if isinstance(store, str):
        notes.append(f"the line-shift mark was scored only against the codes found: {store}")
        return []
    from common.orders import code_name  # as in _code_index: file commands start light

    prefix = code_name("")
    try:
        names = store.list(bucket, prefix)
    except Exception as exc:  # the cloud client's many faults: the other marks still decide
        notes.append(f"the code index was not listed ({type(exc).__name__}: {exc})")
        return []
    return [name.removeprefix(prefix) for name in names]


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"cannot read the file: {exc.strerror or exc}"
    return str(exc)


def add_trace(commands: argparse._SubParsersAction[Any]) -> None:
    trace = commands.add_parser("trace", help="name every order a (leaked) copy was issued for")
    trace.add_argument("file", type=Path)
    trace.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    trace.add_argument(
        "--ocr-pages",
        type=int,
        default=40,
        metavar="N",
        help="pages without text read by OCR, spread over the book (0: all; default 40)",
    )
    trace.add_argument("--no-ocr", action="store_true", help="never run OCR")
    trace.add_argument(
        "--report",
        type=Path,
        metavar="OUT.pdf",
        help="also write an evidence report (PDF) with a takedown-notice draft",
    )
    trace.add_argument(
        "--original",
        type=Path,
        metavar="BOOK.pdf",
        help="the unstamped book: read the line-shift mark against it (survives a cropped scan)",
    )
    trace.set_defaults(run=do_trace)
