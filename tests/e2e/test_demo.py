"""`make demo` and `make demo MERCHANT=<store>`: one signed sale of each store, end to end.

The demo is what a new author runs first, so each store's sale goes through the
real command (the stack under gunicorn, the store's signature, the worker, the
outbox) exactly as `make demo MERCHANT=…` runs it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from demo.stack import free_port_pair
from tests.conftest import ROOT

ORDER_PREFIX = {
    "paddle": "txn_demo",
    "stripe": "stripe-cs_test_exlibris_demo_",
    "lemonsqueezy": "lemonsqueezy-",
    "shopify": "shopify-",
    "woocommerce": "woocommerce-",
}


@pytest.mark.parametrize("merchant", sorted(ORDER_PREFIX))
def test_the_demo_delivers_one_signed_sale_of_each_store(merchant: str, tmp_path: Path) -> None:
    env = {**os.environ, "LOCAL_DATA_DIR": str(tmp_path / "var"), "PORT": str(free_port_pair())}
    done = subprocess.run(
        [sys.executable, "-m", "demo", "--merchant", merchant],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "webhook answered 200" in done.stdout
    [mail] = (tmp_path / "var" / "outbox").glob("*.eml")
    assert f"-{ORDER_PREFIX[merchant]}" in mail.name
    assert done.stdout.count("link: ") == 2  # the sample product's PDF and EPUB
    # The stores whose checkout returns a reference get the thank-you page too.
    thanks = [line for line in done.stdout.splitlines() if line.startswith("thank-you page: ")]
    if merchant in ("paddle", "stripe", "lemonsqueezy"):
        [line] = thanks
        assert re.fullmatch(r"thank-you page: http://127\.0\.0\.1:\d+/thanks\?ref=[\w-]{16,}", line)
    else:
        assert thanks == []


def test_an_unknown_store_is_refused_in_words(tmp_path: Path) -> None:
    env = {**os.environ, "LOCAL_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "demo", "--merchant", "gumroad"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "invalid choice: 'gumroad'" in done.stderr


def test_a_busy_port_is_said_and_the_links_name_the_port_used(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # a port no other test can take between choosing and binding
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "LOCAL_DATA_DIR": str(tmp_path / "var"), "PORT": str(port)}
        done = subprocess.run(
            [sys.executable, "-m", "demo"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    said = next(line for line in done.stdout.splitlines() if "are busy" in line)
    used = int(said.split("serves on ")[1].split()[0])
    assert used != port and f"PORT={used} make run" in said
    assert all(
        f"127.0.0.1:{used}/d/" in line for line in done.stdout.splitlines() if "link:" in line
    )
