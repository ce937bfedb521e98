"""`exlibris` end to end: the installed console script against both apps under gunicorn.

Each test runs `.venv/bin/exlibris …` as a subprocess with the stack's own
environment, as an author would on the laptop running `make run`: a purchase
and what the console shows of it, a re-send, a re-send to a corrected
address, a revoke, a re-issue after
replacing the original (each buyer mailed once, a second run mails nobody), a
dead letter replayed after the catalog is fixed and the apps restarted, the
CSV export, and a gift copy traced, its reader's data listed and then erased.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import requests

from demo.sample_book import make_sample_book
from demo.stack import running_stack
from tests.conftest import SAMPLE_CATALOG, STAMP_SECRET, WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack
from tests.support.download_page import download
from tests.support.paddle_payloads import (
    billing_request,
    billing_transaction_completed,
    classic_fulfilment,
    signed_form,
)
from worker.mail._outbox import download_links, plain_text, read_mail

EXLIBRIS = Path(sys.executable).with_name("exlibris")
PRICE, PRODUCT = "pri_01demopracticalpython00000", "pro_01demopracticalpython00000"
LATE_PRICE, LATE_PRODUCT = "pri_01latebook0000000000000000", "pro_01latebook0000000000000000"
LATE_TXN = "txn_01e2elatebook000000000000"


def exlibris(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXLIBRIS), *argv], env=env, capture_output=True, text=True, timeout=300
    )


def buy_classic(live: LiveStack, order_id: str, email: str, name: str) -> None:
    fields = classic_fulfilment(
        order_id=order_id, product_id="552312", email=email, customer_name=name
    )
    answer = requests.post(
        f"{live.url}/webhooks/paddle-classic",
        data=signed_form(fields, live.classic_key),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def buy_billing(url: str, txn: str, price: str, product: str) -> None:
    payload = billing_transaction_completed(
        txn, "ctm_01e2econsole0000000000000", [price], [product]
    )
    body, headers = billing_request(payload, WEBHOOK_SECRET, int(time.time()))
    answer = requests.post(f"{url}/webhooks/paddle", data=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text


def mails_of(data_dir: Path, count: int, timeout: float = 90.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted((data_dir / "outbox").glob("*.eml"))
        if len(found) >= count:
            return [read_mail(p) for p in found]
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} mails after {timeout:.0f} s")


def test_a_purchase_seen_re_sent_and_revoked_from_the_console(live: LiveStack) -> None:
    env = live.stack.env
    buy_classic(live, "9101-1", "ada@example.com", "Ada Lovelace")
    [delivery] = mails_of(live.data_dir, 1)
    live.settle()

    [row] = json.loads(exlibris(env, "orders", "--json").stdout)
    assert (row["order_id"], row["status"], row["buyer_email"]) == (
        "9101-1",
        "mailed",
        "a***@e***.com",
    )
    view = json.loads(exlibris(env, "order", "9101-1", "--json").stdout)
    assert view["buyer_email"] == "ada@example.com" and view["mails"][0]["kind"] == "delivery"

    resent = exlibris(env, "resend", "9101-1")
    assert resent.returncode == 0, resent.stderr
    _, again = mails_of(live.data_dir, 2)
    assert again["To"] == delivery["To"]
    assert again["Subject"] == "Fresh download links for Practical Python Projects"

    revoked = exlibris(env, "revoke", "9101-1", "--reason", "refunded by hand")
    assert revoked.returncode == 0, revoked.stderr
    link, _epub = download_links(again)  # the sample product: a PDF and an EPUB
    assert requests.get(link, allow_redirects=False, timeout=10).status_code == 410
    code = view["code"]
    check = requests.get(
        f"{live.url}/verify",
        params={"code": code},
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert check.json()["valid"] is False and check.json()["revoked_at"]
    copies = live.data_dir / "storage" / "exlibris-deliveries" / "copies" / "9101-1"
    assert not copies.exists() or not any(copies.iterdir())
    after = json.loads(exlibris(env, "order", "9101-1", "--json").stdout)
    assert (after["status"], after["revoked_reason"], after["revoked_by"]) == (
        "revoked",
        "refunded by hand",
        "author",
    )
    assert len(mails_of(live.data_dir, 2)) == 2


def test_a_resend_to_a_corrected_address_mails_it_from_then_on(live: LiveStack) -> None:
    env = live.stack.env
    buy_classic(live, "9151-1", "ada@exmaple.com", "Ada Lovelace")  # a typo at checkout
    mails_of(live.data_dir, 1)
    live.settle()

    bad = exlibris(env, "resend", "9151-1", "--to", "ada at example", "--reason", "typo")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    fixed = exlibris(
        env, "resend", "9151-1", "--to", "ada@example.com", "--reason", "typo in the domain"
    )
    assert fixed.returncode == 0, fixed.stderr
    assert exlibris(env, "resend", "9151-1").returncode == 0  # later: the corrected address
    for email in ("ada@exmaple.com", "ada@example.com"):  # /links by the old, then the new
        answer = requests.post(f"{live.url}/links", data={"email": email}, timeout=10)
        assert answer.status_code == 200, answer.text
    sent = mails_of(live.data_dir, 4)
    time.sleep(1.0)  # the old address's request is handled by now: it mailed nothing
    sent = mails_of(live.data_dir, 4)
    assert [m["To"].addresses[0].addr_spec for m in sent] == ["ada@exmaple.com"] + [
        "ada@example.com"
    ] * 3

    view = json.loads(exlibris(env, "order", "9151-1", "--json").stdout)
    assert (view["buyer_email"], view["mail_to"]) == ("ada@exmaple.com", "ada@example.com")
    [change] = view["email_changes"]
    assert (change["reason"], change["by"]) == ("typo in the domain", "author")
    assert any("typo in the domain" in h["note"] for h in view["history"])


def test_a_re_issue_mails_each_entitled_buyer_once_and_a_second_run_nobody(
    live: LiveStack,
) -> None:
    env = live.stack.env
    buyers = [
        ("9201-1", "ada@example.com", "Ada Lovelace"),
        ("9201-2", "bob@example.com", "Bob Byte"),
        ("9201-3", "eve@example.com", "Eve Refunded"),
    ]
    for order_id, email, name in buyers:
        buy_classic(live, order_id, email, name)
    mails_of(live.data_dir, 3)
    live.settle()
    assert exlibris(env, "revoke", "9201-3", "--reason", "refund").returncode == 0
    original = live.data_dir / "storage" / "exlibris-originals" / "practical-python.pdf"
    original.write_bytes(make_sample_book(pages=52))  # the corrected edition

    dry = exlibris(env, "reissue", "practical-python", "--dry-run", "--show-buyers")
    assert dry.returncode == 0, dry.stderr
    assert "2 to mail; left out: 1 revoked" in dry.stdout
    assert "ada@example.com" in dry.stdout and "eve@example.com" not in dry.stdout

    ran = exlibris(env, "reissue", "practical-python")
    assert ran.returncode == 0, ran.stderr
    assert "done 2" in ran.stdout and "remaining 0" in ran.stdout
    new = [m for m in mails_of(live.data_dir, 5) if "new edition" in m["Subject"]]
    assert sorted(m["To"].addresses[0].addr_spec for m in new) == [
        "ada@example.com",
        "bob@example.com",
    ]
    link, _epub = download_links(new[0])
    copy = download(link)
    assert copy.status_code == 200
    assert len(pypdf.PdfReader(io.BytesIO(copy.content)).pages) == 52

    again = exlibris(env, "reissue", "practical-python")
    assert again.returncode == 0, again.stderr
    assert "0 to mail" in again.stdout and "2 done already" in again.stdout
    time.sleep(1.0)
    assert len(mails_of(live.data_dir, 5)) == 5


def test_a_dead_letter_is_replayed_after_the_catalog_is_fixed_and_mails_once(
    tmp_path: Path, sample_book: bytes
) -> None:
    data_dir = tmp_path / "var"
    originals = data_dir / "storage" / "exlibris-originals"
    originals.mkdir(parents=True)
    (originals / "practical-python.pdf").write_bytes(sample_book)
    env = {"CATALOG": str(SAMPLE_CATALOG), "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "STAMP_SECRET": STAMP_SECRET}  # fmt: skip
    with running_stack(data_dir, extra_env=env) as stack:
        buy_billing(stack.service_url, LATE_TXN, LATE_PRICE, LATE_PRODUCT)
        [letter] = json.loads(exlibris(stack.env, "dead-letters", "--json").stdout)
        assert (letter["kind"], letter["order_id"]) == ("unknown-product", LATE_TXN)
        refused = exlibris(stack.env, "replay", letter["id"])
        assert refused.returncode == 1 and "still no catalog product" in refused.stderr

    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        SAMPLE_CATALOG.read_text()
        + f'\n[products.late-book]\npaddle_ids = ["{LATE_PRODUCT}", "{LATE_PRICE}"]\n'
        + 'title = "The Late Book"\nfiles = [{ source = "practical-python.pdf", stamp = true }]\n'
    )
    # The apps read the catalog when they start: fixed, they are started again.
    with running_stack(data_dir, extra_env={**env, "CATALOG": str(catalog)}) as stack:
        replayed = exlibris(stack.env, "replay", letter["id"])
        assert replayed.returncode == 0, replayed.stderr
        [mail] = mails_of(data_dir, 1)
        assert mail["Subject"] == "Your copy of The Late Book is ready"
        assert exlibris(stack.env, "replay", "--all").stdout.strip() == "replayed 0 of 0 letters"
        assert json.loads(exlibris(stack.env, "dead-letters", "--json").stdout) == []
        again = exlibris(stack.env, "orders", "--json", "--product", "late-book")
        assert [r["order_id"] for r in json.loads(again.stdout)] == [LATE_TXN]
        time.sleep(1.0)
        assert len(mails_of(data_dir, 1)) == 1


def test_the_csv_export_has_a_row_per_order(live: LiveStack, tmp_path: Path) -> None:
    buy_classic(live, "9301-1", "ada@example.com", "Ada Lovelace")
    buy_billing(live.url, "txn_01e2eexport00000000000000", PRICE, PRODUCT)
    mails_of(live.data_dir, 2)
    live.settle()
    target = tmp_path / "orders.csv"
    ran = exlibris(live.stack.env, "export", "--csv", str(target))
    assert ran.returncode == 0, ran.stderr
    rows = {r["order_id"]: r for r in csv.DictReader(io.StringIO(target.read_text()))}
    assert set(rows) == {"9301-1", "txn_01e2eexport00000000000000"}
    classic, billing = rows["9301-1"], rows["txn_01e2eexport00000000000000"]
    assert (classic["paddle_ids"], classic["buyer_email"], classic["status"]) == (
        "552312",
        "ada@example.com",
        "mailed",
    )
    assert billing["paddle_ids"] == f"{PRICE} {PRODUCT}"
    assert billing["customer_id"] == "ctm_01e2econsole0000000000000"
    assert billing["product"] == "practical-python" and billing["code"] and billing["mailed_at"]


def test_a_gift_traces_like_a_sale_and_its_reader_is_seen_then_forgotten(
    live: LiveStack, tmp_path: Path
) -> None:
    env = live.stack.env
    given = exlibris(
        env, "give", "practical-python", "--name", "Rita Reviewer", "--email",
        "rita@example.com", "--note", "Thank you for reading it early",
    )  # fmt: skip
    assert given.returncode == 0, given.stderr
    gift_id = given.stdout.splitlines()[0]
    assert gift_id.startswith("gift-")
    [mail] = mails_of(live.data_dir, 1)
    assert "Thank you for reading it early" in plain_text(mail)
    pdf_link, _epub = download_links(mail)
    found = tmp_path / "found-on-a-forum.pdf"
    found.write_bytes(download(pdf_link).content)
    traced = exlibris(env, "trace", str(found), "--json", "--no-ocr")
    assert traced.returncode == 0, traced.stderr
    [finding] = json.loads(traced.stdout)["orders"]
    assert (finding["order_id"], finding["authentic"]) == (gift_id, True)
    [row] = json.loads(exlibris(env, "orders", "--json").stdout)
    assert row["order_id"] == gift_id

    held = json.loads(exlibris(env, "buyer", "rita@example.com", "--json").stdout)
    [order] = held["orders"]
    assert (order["order_id"], order["merchant"], order["buyer_name"]) == (
        gift_id,
        "gift",
        "Rita Reviewer",
    )
    forgot = exlibris(env, "forget", "rita@example.com", "--by", "Rita's request of 1 May")
    assert forgot.returncode == 0, forgot.stderr
    check = requests.get(
        f"{live.url}/verify",
        params={"code": order["code"]},
        headers={"Accept": "application/json"},
        timeout=10,
    ).json()
    assert (check["authentic"], check["erased"], check["buyer_email"]) == (True, True, "")
    assert json.loads(exlibris(env, "buyer", "rita@example.com", "--json").stdout)["orders"] == []
    copies = live.data_dir / "storage" / "exlibris-deliveries" / "copies" / gift_id
    assert not copies.exists() or not any(copies.iterdir())
    after = json.loads(exlibris(env, "order", gift_id, "--json").stdout)
    assert (after["order_id"], after["code"], after["buyer_email"]) == (gift_id, order["code"], "")
    again = exlibris(env, "forget", "rita@example.com")
    assert again.returncode == 0 and "nothing is held" in again.stdout, again.stderr


def test_a_list_of_readers_is_given_once_however_often_it_runs(
    live: LiveStack, tmp_path: Path
) -> None:
    env = live.stack.env
    readers = tmp_path / "readers.csv"
    readers.write_text("name,email,note\nRita,rita@example.com,Enjoy\nSam,sam@example.com,\n")
    first = exlibris(env, "give", "practical-python", "--csv", str(readers), "--rate", "50")
    assert first.returncode == 0, first.stderr
    assert "2 gifts stamped and mailed" in first.stdout
    again = exlibris(env, "give", "practical-python", "--csv", str(readers))
    assert again.returncode == 0 and "0 to give, 2 given before" in again.stdout, again.stderr
    live.settle()
    assert sorted(m["To"] for m in mails_of(live.data_dir, 2)) == [
        "Rita <rita@example.com>",
        "Sam <sam@example.com>",
    ]
    assert len(live.mails()) == 2
