"""`python -m worker trace FILE`: every order a leaked copy names, for support.

Reads the hidden marks, the visible stamp, the body mark and, for pages that
are only pictures, the footer by OCR; checks every code against the shop's
code MAC (STAMP_SECRET, through Settings, as `stamp` makes them). One line per
order found, or `--json`. Exit status: 0 when an authentic order was found,
1 when none was, 2 when the file cannot be read (as a PDF, an EPUB, or at all).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from common.codes import InvalidCode, check_code
from common.settings import Settings
from stamping.formats import trace_file
from stamping.ocr import read_footers
from stamping.stamp import TraceError
from stamping.trace import format_finding, trace_json

FOUND, NONE, UNREADABLE = 0, 1, 2


def authentic_with(secret: str) -> Callable[[str], bool]:
    """The checker trace needs: does this shop's secret vouch for the code?"""

    def check(code: str) -> bool:
        try:
            check_code(secret, code)
        except InvalidCode:
            return False
        return True

    return check


def do_trace(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    check = authentic_with(settings.stamp_secret)
    ocr = None if args.no_ocr else partial(read_footers, limit=args.ocr_pages)
    try:
        trace = trace_file(args.file.read_bytes(), check, ocr, settings.limits)
    except (TraceError, OSError) as exc:
        print(f"{args.file}: {_reason(exc)}", file=sys.stderr)
        return UNREADABLE
    if args.json:
        print(json.dumps({"file": str(args.file), **trace_json(trace)}, ensure_ascii=False))
    else:
        for finding in trace.findings:
            print(format_finding(finding))
        if not trace.findings:
            print(f"{args.file}: no exlibris marks found ({trace.pages} pages read)")
        for note in trace.notes:
            print(f"note: {note}", file=sys.stderr)
    return FOUND if trace.found_authentic else NONE


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
    trace.set_defaults(run=do_trace)
