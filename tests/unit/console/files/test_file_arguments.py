"""What the file commands refuse before they touch a book: blank buyer data, a CSV not in UTF-8.

In process (argparse and the CSV reader), so these run in the unit tier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.files import parser
from console.files._batch import BatchError, read_orders


@pytest.mark.parametrize("blank", ["--name", "--email", "--order"])
@pytest.mark.parametrize("value", ["", "   "])
def test_stamp_refuses_blank_buyer_data_as_a_usage_error(
    blank: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    given = {"--name": "Ada", "--email": "ada@example.com", "--order": "o-1", blank: value}
    args = ["stamp", str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf")]
    with pytest.raises(SystemExit) as exited:
        parser().parse_args([*args, *(x for pair in given.items() for x in pair)])
    assert exited.value.code == 2  # as argparse exits for any usage error
    assert f"argument {blank}: must not be blank" in capsys.readouterr().err


def test_an_orders_file_not_in_utf8_is_refused_in_words(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_bytes("name,email,order\nJosé Müller,j@example.com,o-1\n".encode("latin-1"))
    with pytest.raises(BatchError, match=r"orders\.csv, line 2: .*not UTF-8"):
        read_orders(orders)
