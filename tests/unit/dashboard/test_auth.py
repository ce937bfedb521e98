"""Who may use the dashboard: IAP's signed assertion (401 for anything else), or loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
import requests
from flask import Flask

from common.settings import SettingsError
from dashboard.app import create_app
from dashboard.auth import refuse_public_binds
from tests.support.iap_frontend import (
    AUDIENCE,
    AUTHOR,
    IapFrontEnd,
    IapIssuer,
    unsigned,
)
from tests.support.served import served
from tests.support.shop import Shop
from tests.unit.dashboard.conftest import csrf_of, dashboard_of

ASSERTION = "X-Goog-IAP-JWT-Assertion"


def _hs256(issuer: IapIssuer) -> str:
    """Alg confusion: HS256 keyed with the public key a verifier might hand to HMAC."""
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.kid}
    body = unsigned(issuer.claims(AUDIENCE, AUTHOR), header)[:-1]
    secret = json.dumps(issuer.jwks()["keys"][0]).encode()
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return f"{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


REFUSED = {
    "no token": lambda issuer: {},
    "alg none": lambda issuer: {
        ASSERTION: unsigned(issuer.claims(AUDIENCE, AUTHOR), {"alg": "none", "kid": issuer.kid})
    },
    "HS256": lambda issuer: {ASSERTION: _hs256(issuer)},
    "another key": lambda issuer: {ASSERTION: IapIssuer(kid=issuer.kid).mint()},
    "a kid IAP does not publish": lambda issuer: {ASSERTION: IapIssuer(kid="other").mint()},
    "a wrong audience": lambda issuer: {
        ASSERTION: issuer.mint(audience="/projects/1/locations/x/services/another-app")
    },
    "expired": lambda issuer: {
        ASSERTION: issuer.mint(exp=int(time.time()) - 3600, iat=int(time.time()) - 4200)
    },
    "another issuer": lambda issuer: {ASSERTION: issuer.mint(iss="https://accounts.google.com")},
    "no email": lambda issuer: {ASSERTION: issuer.mint(email="", sub="x")},
    "in Authorization instead": lambda issuer: {"Authorization": f"Bearer {issuer.mint()}"},
    "IAP's unsigned headers only": lambda issuer: {
        "X-Goog-Authenticated-User-Email": f"accounts.google.com:{AUTHOR}",
        "X-Goog-Authenticated-User-Id": "accounts.google.com:1",
    },
    "garbage": lambda issuer: {ASSERTION: "not.a.jwt"},
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_request_without_a_valid_assertion_is_401(
    iap_dashboard: Flask, issuer: IapIssuer, case: str
) -> None:
    answer = iap_dashboard.test_client().get("/orders", headers=REFUSED[case](issuer))
    assert answer.status_code == 401, answer.data
    assert "error" in answer.get_json()


def test_a_valid_assertion_passes_and_names_the_author(
    iap_dashboard: Flask, issuer: IapIssuer
) -> None:
    answer = iap_dashboard.test_client().get("/orders", headers={ASSERTION: issuer.mint()})
    assert answer.status_code == 200
    assert AUTHOR in answer.get_data(as_text=True)


def test_the_signed_in_email_is_recorded_with_the_action(
    iap_dashboard: Flask, issuer: IapIssuer, shop: Shop
) -> None:
    shop.buy("552312-1")
    client = iap_dashboard.test_client()
    signed = {ASSERTION: issuer.mint()}
    token = csrf_of(client, "/orders/552312-1", **signed)
    answer = client.post(
        "/orders/552312-1/revoke",
        data={"csrf": token, "reason": "refunded by hand"},
        headers=signed,
    )
    assert answer.status_code == 303
    assert shop.record("552312-1").revoked_by == AUTHOR


def test_an_email_outside_dashboard_members_is_403(
    shop: Shop, iap: IapFrontEnd, issuer: IapIssuer
) -> None:
    app = dashboard_of(
        shop,
        dashboard_auth="iap",
        iap_audience=AUDIENCE,
        iap_certs_url=iap.jwks_url,
        dashboard_members=("editor@example.com", AUTHOR),
    )
    client = app.test_client()
    assert client.get("/", headers={ASSERTION: issuer.mint()}).status_code == 200
    stranger = client.get("/", headers={ASSERTION: issuer.mint(email="mallory@example.com")})
    assert stranger.status_code == 403


def test_the_health_probe_needs_no_assertion(iap_dashboard: Flask) -> None:
    assert iap_dashboard.test_client().get("/healthz").status_code == 200


def test_an_unknown_kid_refetches_the_keys_at_most_once_a_minute(
    iap_dashboard: Flask, iap: IapFrontEnd
) -> None:
    client = iap_dashboard.test_client()
    stranger = IapIssuer(kid="rotated-or-made-up")
    for _ in range(5):
        assert client.get("/", headers={ASSERTION: stranger.mint()}).status_code == 401
    fetched = [r for r in iap.requests if r.path.endswith("public_key-jwk")]
    assert len(fetched) == 1


def test_through_iap_client_sent_iap_headers_are_replaced(shop: Shop, issuer: IapIssuer) -> None:
    with IapFrontEnd("http://127.0.0.1:9", issuer) as keys:
        assert isinstance(keys, IapFrontEnd)
        app = dashboard_of(
            shop, dashboard_auth="iap", iap_audience=AUDIENCE, iap_certs_url=keys.jwks_url
        )
        with served(app) as upstream, IapFrontEnd(upstream.url, issuer) as front:
            forged = IapIssuer(kid=issuer.kid).mint(email="mallory@example.com")
            answer = requests.get(
                f"{front.url}/orders",
                headers={ASSERTION: forged, "X-Goog-Authenticated-User-Email": "mallory"},
                timeout=30,
            )
            assert answer.status_code == 200
            assert AUTHOR in answer.text and "mallory" not in answer.text
            sent = upstream.recorder.calls[-1].headers
            assert sent["X-Goog-Iap-Jwt-Assertion"] != forged


class TestLocal:
    def test_a_peer_beyond_loopback_is_refused(self, dashboard: Flask) -> None:
        client = dashboard.test_client()
        assert client.get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
        assert client.get("/", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
        assert client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403

    @pytest.mark.parametrize(
        "address",
        [("", 8082), ("0.0.0.0", 8082), ("::", 8082), ("192.0.2.7", 8082), 3],  # noqa: S104
    )
    def test_it_refuses_to_start_on_anything_but_loopback(self, shop: Shop, address) -> None:
        settings = shop.settings.with_overrides(dashboard_auth="local")
        with pytest.raises(RuntimeError, match="DASHBOARD_AUTH=local"):
            refuse_public_binds(settings, [address])

    @pytest.mark.parametrize(
        "address", [("127.0.0.1", 8082), ("::1", 8082), ("localhost", 8082), "/run/app.sock"]
    )
    def test_it_starts_on_loopback(self, shop: Shop, address) -> None:
        refuse_public_binds(shop.settings.with_overrides(dashboard_auth="local"), [address])

    def test_iap_binds_anywhere(self, shop: Shop) -> None:
        refuse_public_binds(shop.settings.with_overrides(dashboard_auth="iap"), [("", 8080)])


def test_iap_without_an_audience_does_not_start(shop: Shop) -> None:
    with pytest.raises(SettingsError, match="IAP_AUDIENCE"):
        create_app(shop.settings.with_overrides(dashboard_auth="iap"), storage=shop.storage)


def test_an_unknown_auth_mode_does_not_start(shop: Shop) -> None:
    with pytest.raises(SettingsError, match="DASHBOARD_AUTH"):
        shop.settings.with_overrides(dashboard_auth="none")


@pytest.mark.parametrize("url", ["http://keys.example/jwk", "file:///etc/keys", "ftp://x/jwk"])
def test_iap_keys_come_over_https_or_from_loopback(shop: Shop, url: str) -> None:
    settings = shop.settings.with_overrides(
        dashboard_auth="iap", iap_audience=AUDIENCE, iap_certs_url=url
    )
    with pytest.raises(SettingsError, match="IAP_CERTS_URL"):
        settings.check_dashboard()
