"""The emulators for integration tests: one implementation, shared with `make run-emulators`.

Start, readiness and stop live in demo/emulators (the operator tool uses them
too); this module names them for the tests. tests/support/fixtures.py starts
them once per session and skips a test, with the reason, where one is missing.
"""

from __future__ import annotations

from demo.emulators import (
    PROJECT,
    EmulatorUnavailable,
    PubSubEmulator,
    StorageEmulator,
    free_port,
)
from demo.emulators.topology import PushTopology, create_push_topology

__all__ = [
    "PROJECT",
    "EmulatorUnavailable",
    "PubSubEmulator",
    "PushTopology",
    "StorageEmulator",
    "create_push_topology",
    "free_port",
]
