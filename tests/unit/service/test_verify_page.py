"""/verify: an authentic code shows its copy, masked; anything else is refused clearly.

Order records and the code index are written to embedded storage exactly as
the worker writes them (common/orders.py), then checked through the route.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.codes import make_code, serial_for
from common.orders import OrderRecord, Status, code_name, save_record
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from common.storage import Storage
from service.app import create_app
from service.verify_page import mask_address, mask_name
from tests.conftest import STAMP_SECRET

JSON = {"Accept": "application/json"}
ORDER = "9001-1"
CODE = make_code(STAMP_SECRET, ORDER)


@pytest.fixture
def app(settings: Settings) -> Flask:
    publisher = LocalPushPublisher("http://127.0.0.1:9/", settings.local_data_dir, max_attempts=1)
    return create_app(settings.with_overrides(shop_name="Practical Books"), publisher=publisher)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def storage(app: Flask) -> Storage:
    return app.extensions["exlibris"].storage


def issue(storage: Storage, settings: Settings, order_id: str = ORDER, **changes: str) -> str:
    """Write an order record and its code index as the worker does; return the code."""
    code = make_code(STAMP_SECRET, order_id)
    record = OrderRecord(
        order_id=order_id,
        status=Status.MAILED,
        title="Practical Python Projects",
        buyer_name="Ada Lovelace",
        buyer_email="ada.lovelace@example.com",
        code=code,
        created_at="2026-03-14T09:26:53Z",
    )
    record = replace(record, **changes)
    save_record(storage, settings.delivery_bucket, record, 0)
    name = code_name(serial_for(STAMP_SECRET, order_id))
    storage.write(settings.delivery_bucket, name, order_id.encode())
    return code


def test_an_authentic_code_answers_with_the_copy_masked(
    client: FlaskClient, storage: Storage, settings: Settings
) -> None:
    issue(storage, settings)
    answer = client.get("/verify", query_string={"code": CODE}, headers=JSON)
    assert answer.status_code == 200
    assert answer.json == {
        "authentic": True,
        "code": CODE,
        "order_id": ORDER,
        "title": "Practical Python Projects",
        "buyer_name": "A*** L***",
        "buyer_email": "a***@e***.com",
        "issued_at": "2026-03-14T09:26:53Z",
        "valid": True,
        "revoked_at": "",
        "erased": False,
        "imprint": "",  # the shop's own; an imprint's slug when sold under one
    }


def test_the_page_shows_the_same_and_never_the_full_name_or_address(
    client: FlaskClient, storage: Storage, settings: Settings
) -> None:
    issue(storage, settings)
    page = client.get("/verify", query_string={"code": CODE})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.text
    assert "Authentic." in html and "is valid" in html
    for shown in (ORDER, "A*** L***", "a***@e***.com", "2026-03-14", CODE):
        assert shown in html
    assert "Lovelace" not in html and "ada.lovelace@example.com" not in html


@pytest.mark.parametrize(
    "typed",
    [CODE.lower(), CODE.replace("-", ""), f"  {CODE.replace('-', ' ')} ", CODE.replace("1", "I")],
)
def test_case_blanks_dashes_and_look_alikes_do_not_matter(
    client: FlaskClient, storage: Storage, settings: Settings, typed: str
) -> None:
    issue(storage, settings)
    answer = client.get("/verify", query_string={"code": typed}, headers=JSON)
    assert answer.status_code == 200 and answer.json["code"] == CODE


def test_a_refunded_copy_is_authentic_but_revoked(
    client: FlaskClient, storage: Storage, settings: Settings
) -> None:
    issue(storage, settings, status=Status.REVOKED, revoked_at="2026-04-01T10:00:00Z")
    answer = client.get("/verify", query_string={"code": CODE}, headers=JSON)
    assert answer.status_code == 200
    assert answer.json["authentic"] is True
    assert answer.json["valid"] is False and answer.json["revoked_at"] == "2026-04-01T10:00:00Z"
    page = client.get("/verify", query_string={"code": CODE}).text
    assert "Authentic, but revoked" in page and "Revoked by a refund" in page
    assert "2026-04-01" in page


def _altered(code: str) -> str:
    """Change the last MAC character to another valid one."""
    return code[:-1] + ("A" if code[-1] != "A" else "B")


NOT_AUTHENTIC = [
    ("forged", "7K3M-Q9TX-2B4F", "not issued by this shop"),
    ("altered mac", _altered(CODE), "not issued by this shop"),
    ("altered serial", ("B" if CODE[0] != "B" else "C") + CODE[1:], "not issued by this shop"),
    ("truncated", CODE[:-2], "twelve letters and digits"),
    ("too long", CODE + "7", "twelve letters and digits"),
    ("not base32", "UUUU-UUUU-UUUU", "twelve letters and digits"),
    ("markup", "<script>alert(1)</script>", "twelve letters and digits"),
]


def status_of(reason: str) -> int:
    """A forged code is a fair question (200, not authentic); text that is no code is a 400."""
    return 200 if reason == "not issued by this shop" else 400


@pytest.mark.parametrize(("case", "typed", "reason"), NOT_AUTHENTIC)
def test_a_code_that_is_not_authentic_is_said_so_in_json(
    client: FlaskClient, storage: Storage, settings: Settings, case: str, typed: str, reason: str
) -> None:
    issue(storage, settings)
    answer = client.get("/verify", query_string={"code": typed}, headers=JSON)
    assert answer.status_code == status_of(reason), case
    assert answer.json["authentic"] is False
    assert reason in answer.json["error"]


@pytest.mark.parametrize(("case", "typed", "reason"), NOT_AUTHENTIC)
def test_a_code_that_is_not_authentic_gets_a_clear_page(
    client: FlaskClient, storage: Storage, settings: Settings, case: str, typed: str, reason: str
) -> None:
    issue(storage, settings)
    page = client.get("/verify", query_string={"code": typed})
    assert page.status_code == status_of(reason), case
    assert "Not authentic." in page.text and reason in page.text
    assert "<script>" not in page.text  # the typed text comes back escaped
    assert ORDER not in page.text


@pytest.mark.parametrize(
    ("case", "setup"),
    [
        ("no index entry", lambda storage, settings: None),
        (
            "index without a record",
            lambda storage, settings: storage.write(
                settings.delivery_bucket,
                code_name(serial_for(STAMP_SECRET, ORDER)),
                ORDER.encode(),
            ),
        ),
    ],
)
def test_an_authentic_code_without_a_record_is_not_found(
    client: FlaskClient, storage: Storage, settings: Settings, case: str, setup
) -> None:
    setup(storage, settings)
    answer = client.get("/verify", query_string={"code": CODE}, headers=JSON)
    assert answer.status_code == 404, case
    assert answer.json == {"error": "no copy was issued with this code"}
    page = client.get("/verify", query_string={"code": CODE})
    assert page.status_code == 404 and "No copy was issued with this code" in page.text


@pytest.mark.parametrize("query", [{}, {"code": ""}, {"code": "   "}])
def test_json_without_a_code_is_a_400(client: FlaskClient, query: dict) -> None:
    answer = client.get("/verify", query_string=query, headers=JSON)
    assert answer.status_code == 400
    assert answer.json == {"error": "enter the stamp code printed in the footer"}


def test_the_bare_page_is_a_labelled_form(client: FlaskClient) -> None:
    page = client.get("/verify")
    assert page.status_code == 200
    assert '<label for="code">' in page.text and 'name="code"' in page.text
    assert 'method="get" action="/verify"' in page.text
    assert "Practical Books" in page.text


def test_an_empty_submission_re_renders_the_form_with_the_reason(client: FlaskClient) -> None:
    page = client.get("/verify", query_string={"code": ""})
    assert page.status_code == 400
    assert "Enter the stamp code" in page.text and 'aria-invalid="true"' in page.text


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("application/json, text/html;q=0.5", "application/json"),
    ],
)
def test_json_only_when_the_caller_prefers_it(
    client: FlaskClient, storage: Storage, settings: Settings, accept: str, mimetype: str
) -> None:
    issue(storage, settings)
    answer = client.get("/verify", query_string={"code": CODE}, headers={"Accept": accept})
    assert answer.mimetype == mimetype


def test_sixty_checks_an_hour_per_client(
    client: FlaskClient, storage: Storage, settings: Settings
) -> None:
    issue(storage, settings)
    for _ in range(60):
        client.get("/verify", query_string={"code": "7K3M-Q9TX-2B4F"}, headers=JSON)
    refused = client.get("/verify", query_string={"code": CODE}, headers=JSON)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other = {"REMOTE_ADDR": "198.51.100.8"}
    assert client.get("/verify?code=" + CODE, headers=JSON, environ_base=other).status_code == 200


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Ada Lovelace", "A*** L***"),
        ("Ada", "A***"),
        ("  Ada   King ", "A*** K***"),
        ("", ""),
        ("Dana Bloggs (Work)", "D*** B*** W***"),
        ("Ada & Co", "A*** C***"),
        ("(***)", ""),
    ],
)
def test_names_show_initials_only(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [("ada@example.com", "a***@e***.com"), ("ada@localhost", "a***@l***"), ("", "***")],
)
def test_addresses_are_masked_or_hidden(email: str, masked: str) -> None:
    assert mask_address(email) == masked
