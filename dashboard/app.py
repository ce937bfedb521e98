"""The author's dashboard: the shop at a glance and its fixes, in a browser, behind IAP.

`create_app(settings, deps)` is the factory gunicorn calls (`APP=dashboard`,
`dashboard.app:create_app()`); tests pass settings and ready-built deps or
adapters. Every request first passes the gate (dashboard/auth): the actor it
names is recorded with every action; every POST must carry the form's CSRF
token (dashboard/csrf.py). Pages are server-rendered HTML under the buyer
pages' strict CSP (common/web.py): no script, nothing from elsewhere.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from common.logging import configure_logging
from common.settings import Settings
from common.web import add_security_headers, health, json_error, register_error_handlers
from dashboard import gifts, home, leaks, letters, orders, reissue
from dashboard.auth import Denied, KeysUnavailable
from dashboard.bootstrap import build_dashboard_deps
from dashboard.csrf import FIELD, CsrfError, check_token, make_token
from dashboard.deps import DashboardDeps

log = logging.getLogger(__name__)

FORM_MARGIN = 64 * 1024  # the upload's multipart framing and the form's other fields
OPEN_PATHS = frozenset({"/healthz"})  # Cloud Run's probes reach the container without IAP


def create_app(
    settings: Settings | None = None, deps: DashboardDeps | None = None, **overrides: Any
) -> Flask:
    settings = (settings or Settings.from_env()).check_dashboard()
    configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.dashboard_max_upload + FORM_MARGIN
    if not settings.embedded:
        # Cloud Run's front end is the one proxy (see service/app.py for why x_for=1).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    deps = deps or build_dashboard_deps(settings, **overrides)
    app.extensions["exlibris_dashboard"] = deps
    for blueprint in (health, home.bp, orders.bp, letters.bp, reissue.bp, gifts.bp, leaks.bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    _install_gate(app, deps, settings.stamp_secret)
    _install_pages(app, settings)
    return app


def _install_gate(app: Flask, deps: DashboardDeps, secret: str) -> None:
    @app.before_request
    def _admit() -> tuple[Response, int] | None:
        if request.path in OPEN_PATHS:
            return None
        try:
            g.actor = deps.gate.actor(request.headers, request.remote_addr or "")
        except Denied as denied:
            return json_error(denied.status, denied.reason)
        except KeysUnavailable as exc:
            log.error("IAP keys unavailable", extra={"why": str(exc)})
            return json_error(503, "sign-in cannot be checked right now; try again shortly")
        g.csrf = make_token(secret, g.actor, deps.clock())
        if request.method == "POST":
            try:
                check_token(secret, g.actor, request.form.get(FIELD, ""), deps.clock())
            except CsrfError as exc:
                return json_error(403, str(exc))
        return None


def _install_pages(app: Flask, settings: Settings) -> None:
    @app.after_request
    def _secure(response: Response) -> Response:
        add_security_headers(response, https=request.is_secure)
        response.headers.setdefault("Cache-Control", "no-store")  # pages hold buyer data
        return response

    @app.errorhandler(HTTPException)
    def _page(exc: HTTPException) -> tuple[Response | str, int]:
        status, reason = exc.code or 500, exc.description or exc.name
        if request.path.startswith("/api/") or not request.accept_mimetypes.accept_html:
            return json_error(status, reason)
        return render_template("error.html", status=status, reason=reason), status

    @app.context_processor
    def _page_globals() -> dict[str, str]:
        return {
            "shop_name": settings.shop_name,
            "actor": g.get("actor", ""),
            "csrf_field": FIELD,
            "csrf_token": g.get("csrf", ""),
        }
