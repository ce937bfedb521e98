"""Gathering a Case from the file and its trace: what every caller of the report does alike.

The console's `trace --report` and the dashboard both start here, then add
what their own store says (`orders_to_look_up` names the orders to read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from stamping.formats import detect_format
from stamping.report._facts import Case
from stamping.report._report import pages_to_show
from stamping.report._thumbnails import thumbnails
from stamping.trace import Trace

MAX_LOOKUPS = 12  # orders read from the store: as many as the report lists findings


def describe(
    name: str, data: bytes, trace: Trace, made_at: datetime, notes: Iterable[str] = ()
) -> Case:
    """The Case of a traced file, with pictures of its stamped pages (a PDF's, where poppler
    is installed); the store not yet consulted."""
    case = Case(
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=detect_format(data) or "file",
        trace=trace,
        made_at=made_at,
        notes=tuple(notes),
    )
    if case.format != "pdf":
        return case
    pictures, why = thumbnails(data, pages_to_show(case))
    return Case(**{**case.__dict__, "thumbnails": pictures, "thumbnails_note": why})


def orders_to_look_up(trace: Trace) -> list[str]:
    """The orders the file's codes belong to: an authentic finding's, a forged one's owner."""
    ids = [(f.order_id or f.owner) if f.authentic else f.owner for f in trace.findings]
    return list(dict.fromkeys(i for i in ids if i))[:MAX_LOOKUPS]
