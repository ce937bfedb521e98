"""The console's commands on the shop: orders, resend, revoke, reissue, letters, export, paddle.

Settings come from the environment exactly as the apps read them, the adapters
are built once (console/bootstrap.py), and every error is one line on stderr:
exit 1 when the command failed, 2 for a usage mistake, 130 when interrupted
(a re-issue resumes when run again). console/__main__.py hands over every
command line that is not one of the file commands.
"""

from __future__ import annotations

import traceback
from typing import Any, TextIO

from common.catalog import CatalogError
from common.publish import PublishError
from common.settings import Settings, SettingsError
from common.storage import InvalidName, StorageError
from console.bootstrap import build_console_deps
from console.cli import parser
from console.errors import ConsoleError, UsageError, fail
from console.files import FILE_COMMANDS, run_file_command


def run_shop_command(
    argv: list[str], settings: Settings | None, err: TextIO, **overrides: Any
) -> int:
    """Parse, build the adapters, run one command; the exit status."""
    try:
        args = parser().parse_args(argv)
        if args.command in FILE_COMMANDS:  # __main__ routes these first; the parser knows them too
            return run_file_command(args)
        settings = settings or Settings.from_env()
        deps = build_console_deps(settings, **overrides)
        status: int = args.run(args, deps)
        return status
    except UsageError as exc:
        return fail(err, str(exc), 2)
    except (ConsoleError, SettingsError, CatalogError) as exc:
        return fail(err, str(exc), 1)
    except PublishError as exc:
        return fail(err, f"could not publish: {exc}", 1)
    except InvalidName as exc:  # an id no object can be named after: nothing to wait for
        return fail(err, str(exc), 1)
    except StorageError as exc:
        return fail(err, f"storage did not answer: {exc}", 1)
    except KeyboardInterrupt:
        return fail(err, "interrupted; run the same command again to carry on", 130)
    except Exception as exc:  # an outage or a bug nobody foresaw: still one line, no traceback
        if settings is not None and settings.log_level.upper() == "DEBUG":
            traceback.print_exception(exc, file=err)
        return fail(err, f"unexpected {type(exc).__name__}: {exc} (LOG_LEVEL=DEBUG shows where)", 1)
