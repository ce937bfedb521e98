"""`python -m worker stamp-batch`: one book, many buyers, one process, one plan per skip_pages.

Reads a CSV with the columns name, email, order (and optionally skip_pages),
prepares the book once per skip_pages value (a PDF's plan, read from its file
as qpdf goes) and writes OUTDIR/<order>.pdf or .epub (the format's name) per
row, streaming each copy to its file so memory stays flat whatever the number
of rows. The re-issue of a new edition and the benchmarks stamp through the
same plan. Order ids become file names: a row whose id is not a plain file
name is refused before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from common.memory import release_free_memory
from stamping.formats import Limits, Prepared, format_for
from stamping.stamp import Stamp
from stamping.style import StampStyle

REQUIRED = ("name", "email", "order")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class BatchError(ValueError):
    """The orders file cannot be used; the message names the row."""


@dataclass(frozen=True)
class Row:
    name: str
    email: str
    order: str
    skip_pages: int | None


def read_orders(path: Path) -> list[Row]:
    """Every row of the orders CSV, checked before any copy is written."""
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise BatchError(f"{path}: the header lacks {', '.join(missing)} (name,email,order)")
    rows = [_row(n, raw) for n, raw in enumerate(reader, start=2)]
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        if row.order.lower() in seen:
            raise BatchError(f"{path}, line {n}: order {row.order} appears twice")
        seen.add(row.order.lower())
    return rows


def _text(path: Path) -> str:
    """The CSV's text: UTF-8, with or without the byte-order mark spreadsheets write."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BatchError(
            f"{path}, line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save it as CSV UTF-8"
        ) from None


def _row(line: int, raw: dict[str, str | None]) -> Row:
    values = {k: (raw.get(k) or "").strip() for k in (*REQUIRED, "skip_pages")}
    if not all(values[k] for k in REQUIRED):
        raise BatchError(f"line {line}: name, email and order are all required")
    if not _FILE_NAME.fullmatch(values["order"]):
        raise BatchError(f"line {line}: order {values['order']!r} is not usable as a file name")
    skip = values["skip_pages"]
    if skip and not skip.isdigit():
        raise BatchError(f"line {line}: skip_pages must be a whole number, got {skip!r}")
    return Row(values["name"], values["email"], values["order"], int(skip) if skip else None)


def stamp_batch(
    original: bytes | Path,
    rows: list[Row],
    outdir: Path,
    code_for: Callable[[str], str],
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> Iterator[Path]:
    """Write each row's copy; yield each path as it is written (for a progress bar)."""
    engine = format_for(original)  # a file is read only as far as telling its format needs
    outdir.mkdir(parents=True, exist_ok=True)
    plans: dict[int, Prepared] = {}
    for row in rows:
        skip = style.skip_pages if row.skip_pages is None else row.skip_pages
        if skip not in plans:
            plans[skip] = engine.prepare(original, replace(style, skip_pages=skip), limits)
            release_free_memory()
        path = outdir / f"{row.order}.{engine.name}"
        stamp = Stamp(row.name, row.email, row.order, code_for(row.order))
        partial = path.with_name(f".{path.name}.part")
        with partial.open("wb") as out:
            plans[skip].write(stamp, out)
        partial.replace(path)
        yield path
