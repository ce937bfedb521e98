"""`exlibris`: the author's console (README, "Operating your shop", has every command).

    exlibris orders [--email ADDR] [--product SLUG] [--status S] [--since DATE] [--json]
    exlibris order ID [--json]        exlibris resend ID        exlibris revoke ID --reason TEXT
    exlibris reissue PRODUCT [--dry-run] [--only ID…]           exlibris dead-letters [--json]
    exlibris replay ID…|--all         exlibris export --csv FILE
    exlibris paddle connect --url URL                           exlibris paddle products
    exlibris stripe connect --url URL                           exlibris stripe products
    exlibris stamp|stamp-batch|trace|check …   the author's file commands (console/files/),
                                               the arguments and exit codes of `python -m worker …`

Settings come from the environment exactly as the apps read them. Every
error is one line on stderr: exit 1 when the command failed, 2 for a usage
mistake, 130 when interrupted (a re-issue resumes when run again).
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any, TextIO

from common.catalog import CatalogError
from common.publish import PublishError
from common.settings import Settings, SettingsError
from common.storage import InvalidName, StorageError
from console.bootstrap import build_console_deps
from console.cli import parser
from console.errors import ConsoleError, UsageError
from console.files import FILE_COMMANDS, run_file_command


def run(
    argv: list[str] | None,
    settings: Settings | None = None,
    *,
    stderr: TextIO | None = None,
    **overrides: Any,
) -> int:
    """Parse, build the adapters, run one command; the exit status."""
    err = stderr or sys.stderr
    try:
        args = parser().parse_args(argv)
        if args.command in FILE_COMMANDS:  # files on disk: no storage or publisher to build
            return run_file_command(args)
        settings = settings or Settings.from_env()
        deps = build_console_deps(settings, **overrides)
        status: int = args.run(args, deps)
        return status
    except UsageError as exc:
        return _fail(err, str(exc), 2)
    except (ConsoleError, SettingsError, CatalogError) as exc:
        return _fail(err, str(exc), 1)
    except PublishError as exc:
        return _fail(err, f"could not publish: {exc}", 1)
    except InvalidName as exc:  # an id no object can be named after: nothing to wait for
        return _fail(err, str(exc), 1)
    except StorageError as exc:
        return _fail(err, f"storage did not answer: {exc}", 1)
    except KeyboardInterrupt:
        return _fail(err, "interrupted; run the same command again to carry on", 130)
    except Exception as exc:  # an outage or a bug nobody foresaw: still one line, no traceback
        if settings is not None and settings.log_level.upper() == "DEBUG":
            traceback.print_exception(exc, file=err)
        return _fail(
            err, f"unexpected {type(exc).__name__}: {exc} (LOG_LEVEL=DEBUG shows where)", 1
        )


def _fail(err: TextIO, message: str, status: int) -> int:
    print(f"exlibris: {' '.join(message.split())}", file=err)
    return status


def main(argv: list[str] | None = None) -> int:
    # The commands say what happened themselves, in one line; library logs would add more.
    logging.basicConfig(level=logging.CRITICAL, format="exlibris: %(message)s", stream=sys.stderr)
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
