"""What trace prints: text from a leaked file is the leaker's, so it is quoted, escaped and cut."""

from __future__ import annotations

import pytest

from stamping.trace import MAX_SHOWN, Finding, Trace, format_finding, printable, shown, trace_json

CODE = "AAAA-BBBB-CCCC"
HOSTILE = {
    "ESC sequence": "ord-1\x1b[2J\x1b]0;pwned\x07",
    "BEL": "ord\x07",
    "CR": "ord-BOB\rord-ALICE",
    "LF": "ord-BOB\norder ord-EVE  code AAAA-BBBB-CCCC  authentic",
    "C1 CSI": "ord\x9b31m",
    "NEL": "ord\x85x",
    "bidi override": "ord-\u202eECILA",
    "bidi isolate": "ord-\u2066x\u2069",
    "line separator": "a\u2028b",
}


def controls(text: str) -> list[str]:
    return [ch for ch in text if not ch.isprintable()]


@pytest.mark.parametrize("order", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_order_id_prints_quoted_with_no_control_character(order: str) -> None:
    line = format_finding(Finding(order, CODE, True, ("docinfo",), (2,)))
    assert controls(line) == []
    assert f"order {order!r}  code" in line  # quoted as Python writes it: what the file says


def test_an_order_id_of_the_usual_shape_prints_bare() -> None:
    assert shown("paddle-txn_01hx.v2") == "paddle-txn_01hx.v2"
    line = format_finding(Finding("o7", CODE, True, ("docinfo",), (2,)))
    assert line.startswith("order o7  code AAAA-BBBB-CCCC  authentic")


def test_whatever_is_printed_from_a_file_is_cut() -> None:
    long = "x" * 100_000
    assert len(shown(long)) < MAX_SHOWN + 40
    assert shown(long).endswith(f"…(+{100_000 - MAX_SHOWN} characters)")
    line = format_finding(Finding(long, CODE, False, ("xmp",), (), owner="\x1b" * 5000))
    assert len(line) < 3 * MAX_SHOWN + 200 and controls(line) == []
    assert len(printable("y" * 10_000)) < 4 * MAX_SHOWN + 40


def test_json_cuts_what_the_file_says_and_escapes_notes() -> None:
    trace = Trace((Finding("x" * 1000, CODE, True, ("opf",), ()),), 0, ("read \x1b[31m",))
    found = trace_json(trace)
    assert len(found["orders"][0]["order_id"]) == MAX_SHOWN
    assert found["notes"] == ["read \\x1b[31m"]
