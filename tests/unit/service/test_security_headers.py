"""Every service response carries the security headers; CORS answers listed origins only."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.codes import make_code, serial_for
from common.orders import code_name
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from common.web import BUYER_CSP, CSP
from service.app import create_app
from tests.conftest import STAMP_SECRET

ALLOWED = "https://author.example"


@pytest.fixture
def app(settings: Settings) -> Flask:
    publisher = LocalPushPublisher("http://127.0.0.1:9/", settings.local_data_dir, max_attempts=1)
    cors = settings.with_overrides(cors_origins=(ALLOWED, "https://shop.example/"))
    return create_app(cors, publisher=publisher)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


REQUESTS = [
    ("GET", "/links", {}),
    ("POST", "/links", {"data": {"email": "ada@example.com"}}),
    ("POST", "/links", {"json": {"email": "nope"}}),
    ("GET", "/verify", {}),
    ("GET", "/verify?code=7K3M-Q9TX-2B4F", {"headers": {"Accept": "application/json"}}),
    ("GET", "/static/site.css", {}),
    ("GET", "/healthz", {}),
    ("GET", "/d/not-a-token", {}),
    ("GET", "/no-such-page", {}),
    ("DELETE", "/links", {}),
    ("POST", "/webhooks/paddle", {"data": "{}", "content_type": "application/json"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), REQUESTS)
def test_every_response_carries_the_headers(
    client: FlaskClient, method: str, path: str, kwargs: dict
) -> None:
    response = client.open(path, method=method, **kwargs)
    assert response.headers["Content-Security-Policy"] == BUYER_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http on a laptop


STRICT = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
}


def test_the_policy_is_strict() -> None:
    assert dict(d.split(" ", 1) for d in CSP.split("; ")) == STRICT


def test_the_buyer_pages_add_data_images_alone_for_an_imprints_logo() -> None:
    directives = dict(d.split(" ", 1) for d in BUYER_CSP.split("; "))
    assert directives == STRICT | {"img-src": "'self' data:"}


def test_https_requests_also_get_hsts(client: FlaskClient) -> None:
    response = client.get("/links", base_url="https://books.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("template_page", ["/links", "/verify"])
def test_pages_load_nothing_the_policy_forbids(client: FlaskClient, template_page: str) -> None:
    html = client.get(template_page).text
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert 'href="/static/site.css"' in html
    assert "//" not in html.replace("http://www.w3.org", "").split("<body")[0]


def test_an_unexpected_error_is_a_500_without_a_stack_trace(
    app: Flask, client: FlaskClient, settings: Settings
) -> None:
    storage = app.extensions["exlibris"].storage
    name = code_name(serial_for(STAMP_SECRET, "x"))
    storage.write(settings.delivery_bucket, name, b"\xff\xfe not an order id")  # corrupt index
    response = client.get("/verify", query_string={"code": make_code(STAMP_SECRET, "x")})
    assert response.status_code == 500
    assert response.json == {"error": "internal error"}
    assert "Traceback" not in response.text and "UnicodeDecodeError" not in response.text
    assert response.headers["Content-Security-Policy"] == BUYER_CSP


@pytest.mark.parametrize("path", ["/links", "/verify"])
@pytest.mark.parametrize("origin", [ALLOWED, "https://shop.example"])
def test_an_allowed_origin_gets_its_preflight_answered(
    client: FlaskClient, path: str, origin: str
) -> None:
    response = client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_an_allowed_origin_reads_the_json_answer(client: FlaskClient) -> None:
    response = client.post("/links", json={"email": "ada@example.com"}, headers={"Origin": ALLOWED})
    assert response.status_code == 202
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://author.example.evil.example",
        "http://author.example",
        "https://author.example:8443",
        "null",
        "",
    ],
)
@pytest.mark.parametrize("method", ["OPTIONS", "POST"])
def test_other_origins_get_no_cors_headers(client: FlaskClient, origin: str, method: str) -> None:
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    response = client.open(
        "/links", method=method, json={"email": "a@example.com"}, headers=headers
    )
    assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/healthz", "/d/not-a-token", "/webhooks/paddle"])
def test_cors_stays_off_the_other_routes(client: FlaskClient, path: str) -> None:
    response = client.options(
        path, headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_without_configured_origins_nobody_gets_cors(settings: Settings) -> None:
    publisher = LocalPushPublisher("http://127.0.0.1:9/", settings.local_data_dir, max_attempts=1)
    client = create_app(settings, publisher=publisher).test_client()
    response = client.options("/links", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response.headers
