"""The public service: the stores' webhooks, durable download links, buyer pages.

`create_app(settings, **overrides)` is the factory gunicorn calls
(`service.app:create_app()`); tests pass settings and ready-built adapters.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from common.logging import configure_logging
from common.settings import Settings
from common.web import health, register_error_handlers
from service import (
    downloads,
    imprints,
    kindle_page,
    links_page,
    local_files,
    thanks_page,
    verify_page,
    webhooks,
)
from service.bootstrap import build_service_deps
from service.language import install_language
from service.request_context import build_limits
from service.security import install_security

MAX_BODY = 1024 * 1024  # Paddle's payloads are a few KiB; anything near 1 MiB is not Paddle


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = (settings or Settings.from_env()).check_service()
    configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    if not settings.embedded:
        # Cloud Run's front end appends the peer it saw to X-Forwarded-For; anything to its
        # left is the client's word. So trust the rightmost hop only (x_for=1). Behind an
        # external HTTPS load balancer the LB adds its own IP last: that would need x_for=2.
        # The embedded stack has no proxy in front, so there the header is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    deps = build_service_deps(settings, **overrides)
    app.extensions["exlibris"] = deps
    app.extensions["exlibris_limits"] = build_limits(deps.clock)
    blueprints = (
        health,
        webhooks.bp,
        downloads.bp,
        kindle_page.bp,
        local_files.bp,
        links_page.bp,
        verify_page.bp,
        thanks_page.bp,
        imprints.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    install_security(app, settings.cors_origins)
    install_language(app)

    @app.get("/favicon.ico")
    def _favicon() -> Response:
        """Browsers ask for /favicon.ico on every page; an SVG answers it (current ones draw it)."""
        icon = send_from_directory(app.static_folder or "static", "favicon.svg")
        icon.mimetype = "image/svg+xml"
        icon.cache_control.max_age = 86400
        return icon

    @app.context_processor
    def _branding() -> dict[str, str]:
        # The shop's own; a page of an order under an imprint passes its own (imprints.py).
        return {
            "shop_name": settings.shop_name,
            "support_email": settings.support_email,
            "imprint_css": "",
            "logo": "",
        }

    return app
