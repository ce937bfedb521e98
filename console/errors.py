"""The console's one failure type: a sentence for the author, printed as one line on stderr.

Commands raise ConsoleError for anything the author can act on (a typo in an
order id, a missing original, Paddle refusing the key); console/__main__.py
prints it after `exlibris: ` and exits 1. Usage mistakes exit 2: `Parser`
turns argparse's into a UsageError.
"""

from __future__ import annotations

import argparse
from typing import NoReturn, TextIO


class ConsoleError(Exception):
    """What went wrong and, where we know it, what to do about it; exit status 1."""


class UsageError(ConsoleError):
    """The command line itself is wrong; exit status 2."""


class Parser(argparse.ArgumentParser):
    """The console's argument parser: a mistake is a UsageError, not argparse's exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def fail(err: TextIO, message: str, status: int) -> int:
    """Say what went wrong as one `exlibris: …` line; the exit status."""
    print(f"exlibris: {' '.join(message.split())}", file=err)
    return status
