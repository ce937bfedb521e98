"""The dashboard on the unit tier's shop, signed in locally or through IAP's assertion."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard.app import create_app
from tests.support.iap_frontend import AUDIENCE, IapFrontEnd, IapIssuer
from tests.support.shop import Shop

TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def dashboard_of(shop: Shop, **changes: object) -> Flask:
    """The dashboard on the shop's storage, publishing into its worker."""
    settings = shop.settings.with_overrides(**({"dashboard_auth": "local"} | changes))
    return create_app(
        settings, storage=shop.storage, publisher=shop.publisher, sleep=lambda seconds: None
    )


@pytest.fixture
def dashboard(shop: Shop) -> Flask:
    return dashboard_of(shop)


@pytest.fixture
def client(dashboard: Flask) -> FlaskClient:
    return dashboard.test_client()


@pytest.fixture
def issuer() -> IapIssuer:
    return IapIssuer()


@pytest.fixture
def iap(issuer: IapIssuer) -> Iterator[IapFrontEnd]:
    """IAP's key set over HTTP (the front end's proxying is not used by the test client)."""
    with IapFrontEnd("http://127.0.0.1:9", issuer) as front:
        assert isinstance(front, IapFrontEnd)
        yield front


@pytest.fixture
def iap_dashboard(shop: Shop, iap: IapFrontEnd) -> Flask:
    return dashboard_of(
        shop, dashboard_auth="iap", iap_audience=AUDIENCE, iap_certs_url=iap.jwks_url
    )


def csrf_of(client: FlaskClient, path: str = "/orders", **headers: str) -> str:
    """The CSRF token a page's forms carry."""
    page = client.get(path, headers=headers)
    assert page.status_code == 200, page.data
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, "the page has no form token"
    return found.group(1)
