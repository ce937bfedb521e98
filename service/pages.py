"""The buyer pages, /links and /verify: what they share and how they are registered.

Each page lives in its own module (links_page.py, verify_page.py); this one
builds their rate limiters once per app, from the service's clock, and
decides between HTML and JSON answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Request, current_app

from service.bootstrap import ServiceDeps
from service.ratelimit import RateLimiter

HOUR = 3600.0


@dataclass(frozen=True)
class PageLimits:
    """Per-instance limits (see ratelimit.py for why in memory is enough here)."""

    links_per_address: RateLimiter
    links_per_client: RateLimiter
    verify_per_client: RateLimiter  # the 404/400 split must not become a MAC-guessing oracle


def build_limits(deps: ServiceDeps) -> PageLimits:
    return PageLimits(
        links_per_address=RateLimiter(3, HOUR, deps.clock),
        links_per_client=RateLimiter(10, HOUR, deps.clock),
        verify_per_client=RateLimiter(60, HOUR, deps.clock),
    )


def register_pages(app: Flask) -> None:
    """Register both pages and their limiters on an app whose deps are already built."""
    from service import links_page, verify_page

    app.extensions["exlibris_limits"] = build_limits(app.extensions["exlibris"])
    app.register_blueprint(links_page.bp)
    app.register_blueprint(verify_page.bp)


def limits() -> PageLimits:
    return current_app.extensions["exlibris_limits"]


def client_address(request: Request) -> str:
    """The caller's IP: the socket peer, or Cloud Run's front end's word (ProxyFix in app.py)."""
    return request.remote_addr or "unknown"


def wants_json(request: Request) -> bool:
    """JSON when the caller prefers it over HTML; a browser's */* gets the page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
