"""Render the README's picture of an evidence report: page 1 of `trace --report` on a copy.

    .venv/bin/python tools/render_report.py   # docs/trace-report.png

Stamps the 48-page sample book for a made-up buyer with the real engine,
traces it with a shop's checker, and draws the report as `exlibris trace FILE
--report OUT.pdf` does (the store's record is made up too, and the date fixed,
so the picture changes only when the report does). Rendered with poppler's
pdftoppm at 70 dpi, as docs/stamped-page.png is, and saved grey.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from render_stamped import render  # tools/ is this script's folder: on sys.path

from common.codes import make_code
from console.files._trace import authentic_with
from demo.sample_book import make_sample_book
from stamping.formats import stamp_file, trace_file
from stamping.report import OrderFacts, describe, render_report
from stamping.stamp import Stamp

ROOT = Path(__file__).resolve().parent.parent
SECRET = "render-report-secret"  # noqa: S105 - a made-up shop's, for a picture
ORDER = "txn_01hv8wptq8987qeep44cyrewp9"
BUYER = Stamp("Ada Lovelace", "ada@example.com", ORDER, make_code(SECRET, ORDER))


def main() -> None:
    copy = stamp_file(make_sample_book(pages=48), BUYER)
    trace = trace_file(copy, authentic_with(SECRET))  # the checker `trace` uses
    facts = OrderFacts(ORDER, "2026-11-02T09:15:00+00:00", "paddle", "Practical Python", "mailed")
    made_at = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)
    case = describe("practical-python (1).pdf", copy, trace, made_at)
    case = replace(case, orders={ORDER: facts}, store_unread="")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.pdf"
        report.write_bytes(render_report(case))
        out = ROOT / "docs" / "trace-report.png"
        render(report, 1, 70, out).convert("L").save(out, optimize=True)  # grey: a third the size


if __name__ == "__main__":
    main()
