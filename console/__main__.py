"""`exlibris`: the author's console (README, "Operating your shop", has every command).

    exlibris orders [--email ADDR] [--product SLUG] [--status S] [--since DATE] [--json]
    exlibris order ID [--json]        exlibris revoke ID --reason TEXT [--by WHO]
    exlibris resend ID [--to ADDRESS --reason TEXT [--by WHO]]  (--to: a corrected address)
    exlibris reissue PRODUCT [--dry-run] [--only ID…]           exlibris dead-letters [--json]
    exlibris replay ID…|--all         exlibris export --csv FILE
    exlibris catalog push FILE [--region R]                     (checked, uploaded, services rolled)
    exlibris paddle connect --url URL                           exlibris paddle products
    exlibris stripe connect --url URL                           exlibris stripe products
    exlibris lemonsqueezy connect --url URL --store ID          exlibris lemonsqueezy products
    exlibris stamp|stamp-batch|trace|check …   the author's file commands (console/files/),
                                               the arguments and exit codes of `python -m worker …`

Settings come from the environment exactly as the apps read them. Every
error is one line on stderr: exit 1 when the command failed, 2 for a usage
mistake, 130 when interrupted (a re-issue resumes when run again). A file
command needs neither settings nor adapters, so it is routed before the
shop's modules (console/shop.py) are imported: `exlibris stamp` starts as
fast as `python -m worker stamp` (bench/cli.py).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

from common.settings import Settings, SettingsError
from console.errors import Parser, UsageError, fail
from console.files import FILE_COMMANDS, parser, run_file_command


def run(
    argv: list[str] | None,
    settings: Settings | None = None,
    *,
    stderr: TextIO | None = None,
    **overrides: Any,
) -> int:
    """Run one command line: a file command by itself, any other on the shop; the exit status."""
    err = stderr or sys.stderr
    words = sys.argv[1:] if argv is None else argv
    if words[:1] and words[0] in FILE_COMMANDS:
        return _file_command(words, err)
    from console.shop import run_shop_command  # here: a file command never loads the shop's code

    return run_shop_command(words, settings, err, **overrides)


def _file_command(words: list[str], err: TextIO) -> int:
    """stamp, stamp-batch, trace or check: python -m worker's, with the console's error lines."""
    try:
        return run_file_command(parser("exlibris", Parser).parse_args(words))
    except UsageError as exc:
        return fail(err, str(exc), 2)
    except SettingsError as exc:
        return fail(err, str(exc), 1)
    except KeyboardInterrupt:
        return fail(err, "interrupted", 130)
    except Exception as exc:  # a bug nobody foresaw: still one line, no traceback
        return fail(err, f"unexpected {type(exc).__name__}: {exc}", 1)


def main(argv: list[str] | None = None) -> int:
    # The commands say what happened themselves, in one line; library logs would add more.
    logging.basicConfig(level=logging.CRITICAL, format="exlibris: %(message)s", stream=sys.stderr)
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
