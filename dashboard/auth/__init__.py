"""Who is asking: Identity-Aware Proxy's signed assertion, or the laptop's loopback.

`build_gate(settings)` gives the gate DASHBOARD_AUTH names; the app asks it
about every request (dashboard/app.py) and records the answer as the actor
of every action.
"""

from dashboard.auth._gate import (
    Denied,
    Gate,
    IapGate,
    LocalGate,
    build_gate,
    is_loopback,
    refuse_public_binds,
)
from dashboard.auth._keys import IAP_ISSUER, KeySet, KeysUnavailable

__all__ = [
    "IAP_ISSUER",
    "Denied",
    "Gate",
    "IapGate",
    "KeySet",
    "KeysUnavailable",
    "LocalGate",
    "build_gate",
    "is_loopback",
    "refuse_public_binds",
]
