"""The console's one failure type: a sentence for the author, printed as one line on stderr.

Commands raise ConsoleError for anything the author can act on (a typo in an
order id, a missing original, Paddle refusing the key); console/__main__.py
prints it after `exlibris: ` and exits 1. Usage mistakes exit 2.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """What went wrong and, where we know it, what to do about it; exit status 1."""


class UsageError(ConsoleError):
    """The command line itself is wrong; exit status 2."""
