"""Composition root of the dashboard: the console's deps and the sign-in gate, built once.

The dashboard acts through the console's functions, so it takes the console's
composition root (console/bootstrap.py) whole: same storage, publisher, dead
letters and catalog from the same settings. What the console would print goes
nowhere; pages show what the functions return. Tests pass ready-built
adapters by keyword (storage, publisher, letters) and `gate`.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from common.settings import Settings
from console.bootstrap import build_console_deps
from dashboard.auth import build_gate
from dashboard.deps import DashboardDeps


def build_dashboard_deps(settings: Settings, **overrides: Any) -> DashboardDeps:
    gate = overrides.pop("gate", None) or build_gate(settings)
    clock = overrides.get("clock")
    # The console's lines have no reader in a web app; pages show what functions return.
    out = Console(file=io.StringIO(), highlight=False, soft_wrap=True, quiet=True)
    console = build_console_deps(settings, out=out, **overrides)
    if clock is not None:
        return DashboardDeps(settings, console, gate, clock)
    return DashboardDeps(settings, console, gate)
