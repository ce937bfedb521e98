"""What the dashboard's routes are handed: settings, the console's deps, and who signs in.

The dashboard adds no action of its own: every page calls the console's
functions (console/actions.py, listing.py, letters.py, reissue_plan.py) with
the console's deps, built by dashboard/bootstrap.py from the same settings.
`current_deps()` gives a route the deps of the app handling the request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from common.settings import Settings
from console.deps import ConsoleDeps
from dashboard.auth import Gate


@dataclass(frozen=True)
class DashboardDeps:
    settings: Settings
    console: ConsoleDeps
    gate: Gate
    clock: Callable[[], float] = time.time


def current_deps() -> DashboardDeps:
    """The deps of the app handling the current request (set by dashboard/app.py)."""
    deps: DashboardDeps = current_app.extensions["exlibris_dashboard"]
    return deps
