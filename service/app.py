"""The public service: Paddle webhooks, durable download links, buyer pages.

`create_app(settings, **overrides)` is the factory gunicorn calls
(`service.app:create_app()`); tests pass settings and ready-built adapters.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from common.logging import configure_logging
from common.settings import Settings
from common.web import health, register_error_handlers
from service import downloads, webhooks
from service.bootstrap import build_service_deps

MAX_BODY = 1024 * 1024  # Paddle's payloads are a few KiB; anything near 1 MiB is not Paddle


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["exlibris"] = build_service_deps(settings, **overrides)
    app.register_blueprint(health)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(downloads.bp)
    register_error_handlers(app)

    @app.context_processor
    def _branding() -> dict[str, str]:
        return {"shop_name": settings.shop_name, "support_email": settings.support_email}

    return app
