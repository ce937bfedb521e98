"""Request helpers the buyer pages share: HTML or JSON, who is asking, and the rate limits.

The limits are built once per app (app.py) from the service's clock and kept
on the app, so every page of one instance counts against the same limiters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Request, current_app

from service.ratelimit import RateLimiter

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class PageLimits:
    """Per-instance limits (see ratelimit.py for why in memory is enough here)."""

    links_per_address: RateLimiter
    links_per_client: RateLimiter
    verify_per_client: RateLimiter  # the 404/400 split must not become a MAC-guessing oracle
    # /thanks refreshes every 5 s while a copy is made (12 a minute); a reference is 16+
    # random characters, so this bounds the storage reads a client costs, not guessing.
    thanks_per_client: RateLimiter
    # Send to Kindle mails a whole book: a few tries per file (a mistyped address, a
    # second device), and a Kindle address is not a target to flood from many links.
    kindle_per_link: RateLimiter
    kindle_per_address: RateLimiter


def build_limits(clock: Callable[[], float]) -> PageLimits:
    return PageLimits(
        links_per_address=RateLimiter(3, HOUR, clock),
        links_per_client=RateLimiter(10, HOUR, clock),
        verify_per_client=RateLimiter(60, HOUR, clock),
        thanks_per_client=RateLimiter(30, MINUTE, clock),
        kindle_per_link=RateLimiter(3, HOUR, clock),
        kindle_per_address=RateLimiter(5, HOUR, clock),
    )


def limits() -> PageLimits:
    """The limiters of the app handling the current request."""
    limiters: PageLimits = current_app.extensions["exlibris_limits"]
    return limiters


def client_address(request: Request) -> str:
    """The caller's IP: the socket peer, or Cloud Run's front end's word (ProxyFix in app.py)."""
    return request.remote_addr or "unknown"


def wants_json(request: Request) -> bool:
    """JSON when the caller prefers it over HTML; a browser's */* gets the page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
