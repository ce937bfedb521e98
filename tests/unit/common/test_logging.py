"""JSON-line logs: the shape Cloud Logging reads, and no buyer's full address anywhere."""

from __future__ import annotations

import io
import json
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pikepdf
import pytest

from common.logging import JsonFormatter, configure_cli_logging, configure_logging, mask_email

EMAIL = "ada.lovelace@example.com"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """A logger of its own that writes JSON lines to a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("exlibris.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield buffer
    logger.removeHandler(handler)
    logger.propagate = True


@pytest.fixture
def log() -> logging.Logger:
    return logging.getLogger("exlibris.test")


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    text = buffer.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_a_record_is_one_json_line(stream: io.StringIO, log: logging.Logger) -> None:
    log.info("order mailed", extra={"order_id": "txn_1", "files": 2, "ok": True})
    [entry] = lines(stream)
    assert entry == {
        "severity": "INFO",
        "message": "order mailed",
        "logger": "exlibris.test",
        "order_id": "txn_1",
        "files": 2,
        "ok": True,
    }


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        (logging.DEBUG, "DEBUG"),
        (logging.INFO, "INFO"),
        (logging.WARNING, "WARNING"),
        (logging.ERROR, "ERROR"),
        (logging.CRITICAL, "CRITICAL"),
    ],
)
def test_severity_is_the_level_name(
    stream: io.StringIO, log: logging.Logger, level: int, severity: str
) -> None:
    log.log(level, "x")
    assert lines(stream)[0]["severity"] == severity


def test_arguments_are_interpolated(stream: io.StringIO, log: logging.Logger) -> None:
    log.info("order already %s after %d tries", "mailed", 3)
    assert lines(stream)[0]["message"] == "order already mailed after 3 tries"


def test_a_multi_line_message_stays_one_line(stream: io.StringIO, log: logging.Logger) -> None:
    log.warning("first\nsecond\n")
    assert stream.getvalue().count("\n") == 1
    assert lines(stream)[0]["message"] == "first\nsecond\n"


def test_unicode_is_kept_readable(stream: io.StringIO) -> None:
    logging.getLogger("exlibris.test").info("Zoë bought «Python»")
    assert "Zoë bought «Python»" in stream.getvalue()


def test_email_in_the_message_is_masked(stream: io.StringIO, log: logging.Logger) -> None:
    log.info("mailing %s and %s", EMAIL, "Bob@Mail.Example.co.uk")
    [entry] = lines(stream)
    assert entry["message"] == "mailing a***@e***.com and B***@M***.uk"
    assert "lovelace" not in stream.getvalue()


def test_email_in_a_string_extra_is_masked(stream: io.StringIO, log: logging.Logger) -> None:
    log.warning("will retry", extra={"reason": f"mail to {EMAIL} bounced", "to": EMAIL})
    [entry] = lines(stream)
    assert entry["reason"] == "mail to a***@e***.com bounced"
    assert entry["to"] == "a***@e***.com"


def test_email_nested_in_an_extra_is_masked(stream: io.StringIO, log: logging.Logger) -> None:
    log.error(
        "dead-lettered",
        extra={"payload": {"buyer": {"email": EMAIL}, "cc": [EMAIL]}, "emails": (EMAIL,)},
    )
    assert "lovelace" not in stream.getvalue()
    [entry] = lines(stream)
    assert entry["payload"] == {"buyer": {"email": "a***@e***.com"}, "cc": ["a***@e***.com"]}
    assert entry["emails"] == ["a***@e***.com"]


def test_email_in_an_object_extra_is_masked(stream: io.StringIO, log: logging.Logger) -> None:
    class Buyer:
        def __str__(self) -> str:
            return f"Buyer({EMAIL})"

    log.info("x", extra={"buyer": Buyer()})
    assert lines(stream)[0]["buyer"] == "Buyer(a***@e***.com)"


def test_email_in_a_stack_trace_is_masked(stream: io.StringIO, log: logging.Logger) -> None:
    try:
        raise ValueError(f"no customer with address {EMAIL}")
    except ValueError:
        log.exception("lookup failed", extra={"order_id": "txn_1"})
    [entry] = lines(stream)
    assert entry["severity"] == "ERROR"
    assert "ValueError: no customer with address a***@e***.com" in entry["stack_trace"]
    assert "Traceback" in entry["stack_trace"]
    assert "lovelace" not in stream.getvalue()


def test_no_stack_trace_without_an_exception(stream: io.StringIO, log: logging.Logger) -> None:
    log.error("plain")
    assert "stack_trace" not in lines(stream)[0]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("a@b.io", "a***@b***.io"),
        ("demo+ctm_01@example.com", "d***@e***.com"),
        ("x.y_z%1@sub-domain.example.org", "x***@s***.org"),
        ("to: <ada@example.com>, bob@example.net", "to: <a***@e***.com>, b***@e***.net"),
        ("no address here @ all", "no address here @ all"),
        ("order 552312-9001", "order 552312-9001"),
        (
            "svc@exlibris-prod.iam.gserviceaccount.com lacks a role; ada@example.com asked",
            "svc@exlibris-prod.iam.gserviceaccount.com lacks a role; a***@e***.com asked",
        ),
        ("ada@gserviceaccount.com.evil.io", "a***@g***.io"),
    ],
)
def test_mask_email(text: str, masked: str) -> None:
    assert mask_email(text) == masked


@pytest.fixture
def root_handlers() -> Iterator[None]:
    """configure_logging replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    yield
    root.handlers[:] = saved
    root.setLevel(level)


@pytest.mark.usefixtures("root_handlers")
def test_configure_logging_sends_json_lines_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning")
    configure_logging("warning")  # idempotent: still one handler, one line per record
    logging.getLogger("any.module").info("not shown at WARNING")
    logging.getLogger("any.module").warning("shown", extra={"order_id": "txn_9"})
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["message"] for line in out] == ["shown"]
    assert json.loads(out[0])["order_id"] == "txn_9"
    assert len(logging.getLogger().handlers) == 1


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ada.lovelace@exämple.com", "a***@e***.com"),
        ("x@example.c0m", "x***@e***.c0m"),
        ("o'brien@example.ie.", "o***@e***.ie."),
        ("Ada (ada@example.com)", "Ada (a***@e***.com)"),
        ("no address here", "no address here"),
    ],
    ids=["international", "digit-tld", "apostrophe-and-full-stop", "in-parentheses", "none"],
)
def test_addresses_that_the_links_page_accepts_are_masked(text: str, masked: str) -> None:
    assert mask_email(text) == masked


@pytest.mark.usefixtures("root_handlers")
def test_library_warnings_are_kept_at_debug(capsys: pytest.CaptureFixture[str]) -> None:
    """qpdf's notes on a damaged file and pikepdf's PageCopyWarning never reach stderr."""
    configure_cli_logging()
    logging.getLogger("pikepdf._core").error("Pages tree includes non-dictionary object")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("form widgets not reachable", pikepdf.PageCopyWarning, stacklevel=1)
    logging.getLogger("worker").warning("ours")
    assert capsys.readouterr().err.splitlines() == ["ours"]
    configure_logging("debug")
    logging.getLogger("pikepdf._core").warning("kept for whoever debugs")
    assert json.loads(capsys.readouterr().out)["severity"] == "DEBUG"
    logging.captureWarnings(False)
