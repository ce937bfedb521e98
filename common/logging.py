"""JSON-line logs in the shape Cloud Logging reads from a container's stdout.

Each record is one line with `severity`, `message`, the order id when there is
one, and any extra fields. Email addresses are masked wherever they appear, so
a log line never carries a buyer's full address; Google service accounts
(`…@….gserviceaccount.com`) are machines, and a log naming a missing IAM
grant must say which account lacks it, so they stay whole.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

# Deliberately loose: anything around an @ that an address could be made of,
# in any script, since /links accepts internationalised addresses. Masking a
# non-address that merely contains an @ costs nothing; missing one leaks it.
_EMAIL = re.compile(r"""[^\s@<>"(),;:\[\]]+@[^\s@<>"'(),;:\[\]]+""")
_SERVICE_ACCOUNT_DOMAIN = ".gserviceaccount.com"  # Google service accounts, never buyers
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def mask_email(text: str) -> str:
    """Replace every email address in text with a masked form: j***@e***.com."""
    return _EMAIL.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    if domain.rstrip(".").endswith(_SERVICE_ACCOUNT_DOMAIN):
        return match.group(0)  # a machine identity, no person's; an IAM fix needs its name
    trail = domain[len(domain.rstrip(".")) :]  # a full stop ending the sentence stays
    domain = domain.rstrip(".")
    tld = domain.rsplit(".", 1)[1] if "." in domain else ""
    return f"{local[0]}***@{domain[:1]}***{'.' + tld if tld else ''}{trail}"


class JsonFormatter(logging.Formatter):
    """Formats a record as one Cloud Logging structured-log line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": mask_email(record.getMessage()),
            "logger": record.name,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = _masked(value)
        if record.exc_info:
            entry["stack_trace"] = mask_email(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=lambda o: mask_email(str(o)))


def _masked(value: Any) -> Any:
    """Mask emails in strings, however deep in dicts and sequences an extra holds them."""
    if isinstance(value, str):
        return mask_email(value)
    if isinstance(value, dict):
        return {_masked(k) if isinstance(k, str) else k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(v) for v in value]
    return value


class LibraryNotes(logging.Filter):
    """pikepdf's and qpdf's messages (a damaged file repaired, a PageCopyWarning, an XMP
    oddity) describe an author's file, not a fault of ours: they are kept at DEBUG. qpdf
    logs what it then raises at ERROR; the exception is what the caller puts in words."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(_LIBRARIES) and record.levelno < logging.CRITICAL:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


_LIBRARIES = ("pikepdf", "py.warnings", "fontTools", "PIL")


def configure_logging(level: str = "INFO") -> None:
    """Send every logger to stdout as JSON lines; idempotent."""
    _install(logging.StreamHandler(sys.stdout), JsonFormatter(), level)


def configure_cli_logging(level: str = "WARNING") -> None:
    """The command line's log: plain lines on stderr, library warnings at DEBUG like the apps'."""
    _install(logging.StreamHandler(sys.stderr), logging.Formatter("%(message)s"), level)


def _install(handler: logging.Handler, formatter: logging.Formatter, level: str) -> None:
    handler.setFormatter(formatter)
    handler.addFilter(LibraryNotes())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # warnings.warn from libraries become py.warnings records
