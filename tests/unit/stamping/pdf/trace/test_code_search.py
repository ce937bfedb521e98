"""Finding stamp codes in text layers and OCR readings; the MAC decides what a misread means."""

from __future__ import annotations

import pytest

from common.codes import make_code
from console.files._trace import authentic_with
from stamping.pdf.trace import canonical
from stamping.pdf.trace._code_search import codes_in_ocr, codes_in_text, readings

SECRET = "search-test-secret"
CODE = make_code(SECRET, "txn_01hx")


authentic = authentic_with(SECRET)  # what `trace` checks codes with


def misread(code: str, place: int, wrong: str) -> str:
    raw = code.replace("-", "")
    raw = raw[:place] + wrong + raw[place + 1 :]
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def test_a_text_layer_code_is_found_strictly() -> None:
    line = f"Prepared exclusively for Ada (ada@example.com) · Order txn_01hx · {CODE}"
    assert codes_in_text(line) == [CODE]
    assert codes_in_text(CODE.replace("-", "")) == []  # undashed text is not a printed code
    assert codes_in_text(f"X{CODE}") == []  # part of a longer word


def test_lower_case_and_crockford_look_alikes_read_as_the_code() -> None:
    assert canonical("kqmv-2f9w-szey") == "KQMV-2F9W-SZEY"
    assert canonical("IL0O-UUUU-1111") == "1100-VVVV-1111"
    assert canonical("KQMV-2F9W") is None


def test_a_code_split_by_a_kerning_gap_counts_only_when_authentic() -> None:
    split = f"Order txn_01hx · {CODE[:6]} {CODE[6:]}"
    assert codes_in_text(split) == []
    assert codes_in_text(split, authentic) == [CODE]
    assert codes_in_text("ABCD-EF GH-JKMN", authentic) == []


@pytest.mark.parametrize(
    "reading",
    [
        CODE,
        CODE.lower(),
        CODE.replace("-", " — "),
        CODE.replace("-", ""),
        CODE[:2] + " " + CODE[2:],
    ],
)
def test_ocr_readings_with_noise_still_find_the_code(reading: str) -> None:
    assert codes_in_ocr(f"Order txn_Olhx - {reading}\n", authentic) == ([CODE], [])


@pytest.mark.parametrize("order", ["TRACE-48151623", "TRACE-4815", "AB12-CD34-EF56"])
def test_ocr_finds_the_code_after_an_order_id_ending_in_groups_of_four(order: str) -> None:
    """What tesseract reads in such a footer: the order id's last group(s) and the code's
    first make a reading of their own, which overlaps the code's."""
    code = make_code(SECRET, order)
    line = f"Prepared exclusively for Ada Lovelace (ada@example.com) : Order {order} - {code}\n"
    assert codes_in_ocr(line, authentic) == ([code], [])


def test_ocr_look_alikes_are_swapped_until_the_mac_agrees() -> None:
    raw = CODE.replace("-", "")
    look = {"0": "O", "1": "I", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2"}
    places = [n for n, ch in enumerate(raw) if ch in look][:2]
    wrong = CODE
    for place in places:
        wrong = misread(wrong, place, look[raw[place]])
    assert codes_in_ocr(wrong, authentic) == ([CODE], [])


def test_a_misread_no_swap_explains_is_not_a_match() -> None:
    wrong = misread(misread(misread(CODE, 0, "U"), 5, "U"), 10, "U")  # three wrong letters
    found, unread = codes_in_ocr(wrong, authentic)
    assert found == [] and unread == [wrong]


def test_readings_start_with_the_reading_itself_and_stay_few() -> None:
    tried = list(readings(CODE))
    assert tried[0] == CODE
    assert len(tried) < 1000  # with a 25-bit MAC: a false match stays far below 1e-4
