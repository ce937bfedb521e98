"""`exlibris` parsing and errors: every mistake is one line on stderr and a non-zero exit.

Usage mistakes exit 2, a command that cannot be done exits 1; neither prints
a traceback or touches anything. The shop is in-process (tests/support/shop.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.orders import save_record
from tests.conftest import SAMPLE_CATALOG
from tests.support.shop import Shop

# Each test runs whole processes: the slow tier, which `make test` runs and `make unit` skips.
pytestmark = pytest.mark.slow

USAGE = [
    ((), "the following arguments are required"),
    (("bogus",), "invalid choice"),
    (("orders", "--status", "lost"), "invalid choice: 'lost'"),
    (("orders", "--since", "yesterday"), "expected a date like 2026-05-01"),
    (("orders", "--limit", "-3"), "expected a whole number"),
    (("orders", "--colour"), "unrecognized arguments: --colour"),
    (("order",), "the following arguments are required: ID"),
    (("resend",), "the following arguments are required: ID"),
    (("resend", "552312-1", "--wait", "soon"), "expected seconds"),
    (("resend", "552312-1", "--to", "x@", "--reason", "typo"), "not a single email address"),
    (("resend", "552312-1", "--to", "ada@example.com"), "--to needs --reason"),
    (("resend", "552312-1", "--reason", "typo"), "--reason goes with --to"),
    (("revoke", "552312-1"), "the following arguments are required: --reason"),
    (("reissue",), "the following arguments are required: PRODUCT"),
    (("reissue", "practical-python", "--rate", "0"), "must be more than 0"),
    (("reissue", "practical-python", "--only"), "expected at least one argument"),
    (("replay",), "letter ids or --all"),
    (("replay", "x", "--all"), "letter ids or --all"),
    (("export",), "the following arguments are required: --csv"),
    (("paddle",), "the following arguments are required"),
    (("paddle", "connect"), "the following arguments are required: --url"),
]

FAILURES = [
    (("order", "nope"), "no order nope"),
    (("order", "../x"), "not an object name"),
    (("resend", "nope"), "no order nope"),
    (("revoke", "nope", "--reason", "refund"), "no order nope"),
    (("revoke", "552312-1", "--reason", "  "), "--reason: say why"),
    (("reissue", "no-such-book"), "no product 'no-such-book' in the catalog"),
    (("reissue", "practical-python", "--only", "stranger-1"), "not orders of practical-python"),
    (("replay", "nope"), "no dead letter nope"),
    (("export", "--csv", "/no/such/folder/orders.csv"), "cannot write /no/such/folder"),
    (
        ("paddle", "connect", "--url", "http://shop.example/webhooks/paddle"),
        "--url: the service's https",
    ),
    (("paddle", "connect", "--url", "https://shop.example/"), "ending in /webhooks/paddle"),
    (("paddle", "products"), "PADDLE_API_KEY: required"),
]


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("exlibris: ")
    return lines[0]


@pytest.mark.parametrize(("argv", "says"), USAGE, ids=[" ".join(a) or "nothing" for a, _ in USAGE])
def test_a_usage_mistake_is_one_line_and_exit_2(
    shop: Shop, argv: tuple[str, ...], says: str
) -> None:
    ran = shop.console(*argv)
    assert ran.status == 2
    assert says in one_line(ran.err)
    assert ran.out == ""


@pytest.mark.parametrize(("argv", "says"), FAILURES, ids=[" ".join(a) for a, _ in FAILURES])
def test_a_command_that_cannot_be_done_is_one_line_and_exit_1(
    shop: Shop, argv: tuple[str, ...], says: str
) -> None:
    shop.buy("552312-1")
    published = len(shop.publisher.published)
    ran = shop.console(*argv)
    assert ran.status == 1
    assert says in one_line(ran.err)
    assert len(shop.publisher.published) == published  # nothing was sent


def test_a_revoked_order_has_nothing_to_re_send(shop: Shop) -> None:
    shop.buy("552312-1")
    record = shop.record("552312-1")
    generation = shop.storage.generation(shop.settings.delivery_bucket, "orders/552312-1.json")
    revoked = record.revoked(reason="refund", at="now")
    save_record(shop.storage, shop.settings.delivery_bucket, revoked, generation)
    ran = shop.console("resend", "552312-1")
    assert ran.status == 1
    assert one_line(ran.err) == "exlibris: order 552312-1 is revoked: nothing to re-send"


def test_a_missing_original_stops_a_re_issue_before_anything_is_sent(shop: Shop) -> None:
    shop.buy("552312-1")
    (shop.original() / "practical-python.pdf").unlink()
    ran = shop.console("reissue", "practical-python")
    assert ran.status == 1
    assert "practical-python.pdf is missing; upload it" in one_line(ran.err)


def test_the_installed_script_reads_the_same_settings_as_the_apps(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("exlibris")
    env = {**os.environ, "LOCAL_DATA_DIR": str(tmp_path), "STORAGE_BACKEND": "floppy"}
    done = subprocess.run([script, "orders"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == ("exlibris: STORAGE_BACKEND: expected one of local, gcs, got 'floppy'\n")
    help_text = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0
    for command in ("orders", "order", "resend", "revoke", "reissue", "dead-letters", "replay",
                    "export", "paddle"):  # fmt: skip
        assert command in help_text.stdout


def test_orders_piped_from_the_installed_script_print_every_id_whole(shop: Shop) -> None:
    ids = ["txn_01hv8xq2m3k4n5p6r7s8t9v0w1", "txn_01hv8xq2m3k4n5p6r7s8t9v0w2"]
    for order_id in ids:
        shop.buy(order_id)
    script = Path(sys.executable).with_name("exlibris")
    env = {
        **os.environ,
        "LOCAL_DATA_DIR": str(shop.settings.local_data_dir),
        "CATALOG": str(SAMPLE_CATALOG),
        "COLUMNS": "40",  # what rich fitted a piped table to, cutting the ids
    }
    done = subprocess.run([script, "orders"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert [row[0] for row in rows if row and row[0].startswith("txn_")] == ids


class BrokenStorage:
    """Storage whose every listing fails in a way no handler expects."""

    def list(self, bucket: str, prefix: str) -> list[str]:
        raise RuntimeError("disk on fire")


def test_an_unforeseen_failure_is_still_one_line(shop: Shop) -> None:
    ran = shop.console("orders", storage=BrokenStorage())
    assert ran.status == 1
    assert one_line(ran.err).startswith("exlibris: unexpected RuntimeError: disk on fire")


def test_with_debug_logging_the_traceback_comes_too(shop: Shop) -> None:
    shop.settings = shop.settings.with_overrides(log_level="DEBUG")
    ran = shop.console("orders", storage=BrokenStorage())
    assert ran.status == 1
    assert "Traceback" in ran.err and ran.err.rstrip().splitlines()[-1].startswith("exlibris: ")


def test_a_stopped_embedded_stack_is_said_plainly_before_anything_is_spooled(shop: Shop) -> None:
    shop.buy("552312-1")
    shop.settings = shop.settings.with_overrides(worker_push_url="http://127.0.0.1:9/pubsub/push")
    ran = shop.console("resend", "552312-1", publisher=None)
    assert ran.status == 1
    assert one_line(ran.err) == (
        "exlibris: the worker at http://127.0.0.1:9/healthz does not answer: "
        "start the stack first (make run)"
    )
    assert not list((shop.settings.local_data_dir / "spool").glob("*.json"))
