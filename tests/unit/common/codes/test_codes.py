"""Stamp codes and link tokens: what we mint reads back; anything else is refused cleanly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.codes import (
    SERIAL_ATTEMPTS,
    InvalidCode,
    InvalidToken,
    LinkClaim,
    check_code,
    code_for_serial,
    derive_key,
    issued_for,
    make_code,
    make_token,
    read_token,
    serial_for,
)

SECRET = "test-stamp-secret"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_SHAPE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
CLAIM = LinkClaim(order_id="txn_01hv8x", file_index=0, expires=1_900_000_000)


def code_with(*chars: str) -> tuple[str, str]:
    """An order id whose code contains every one of chars, found deterministically."""
    for n in range(10_000):
        order = f"order-{n}"
        code = make_code(SECRET, order)
        if all(c in code for c in chars):
            return order, code
    raise AssertionError(f"no code with {chars} in 10000 orders")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(payload: bytes, key: bytes) -> str:
    """A token in our format for any payload, signed with any key."""
    body = b64(payload)
    return f"{body}.{b64(hmac.new(key, body.encode(), hashlib.sha256).digest()[:16])}"


# --- stamp codes ---


@pytest.mark.parametrize("order", ["txn_01hv8x", "552312", "ördér ✓", ""])
def test_a_code_round_trips_to_its_serial(order: str) -> None:
    code = make_code(SECRET, order)
    assert CODE_SHAPE.match(code)
    assert check_code(SECRET, code) == serial_for(SECRET, order)


def test_codes_differ_between_orders_and_secrets() -> None:
    assert make_code(SECRET, "a") != make_code(SECRET, "b")
    assert make_code(SECRET, "a") != make_code("another-secret", "a")
    assert make_code(SECRET, "a") == make_code(SECRET, "a")


@pytest.mark.parametrize(
    "spell",
    [
        str.lower,
        lambda c: c.replace("-", ""),
        lambda c: c.replace("-", " "),
        lambda c: f"  {c.lower().replace('-', '')}  ",
        lambda c: c.replace("-", "."),
        lambda c: c.replace("-", "_"),
    ],
    ids=["lower", "no-dashes", "spaces", "lower-padded", "dots", "underscores"],
)
def test_case_and_separators_are_ignored(spell) -> None:
    order, code = code_with()
    assert check_code(SECRET, spell(code)) == serial_for(SECRET, order)


@pytest.mark.parametrize(
    ("digit", "letters"), [("0", "Oo"), ("1", "IiLl")], ids=["zero-as-O", "one-as-I-or-L"]
)
def test_look_alike_letters_read_as_digits(digit: str, letters: str) -> None:
    order, code = code_with(digit)
    for letter in letters:
        assert check_code(SECRET, code.replace(digit, letter)) == serial_for(SECRET, order)


@pytest.mark.parametrize("position", [0, 3, 5, 7, 8, 10, 12, 13])
def test_an_altered_character_is_rejected(position: int) -> None:
    _, code = code_with()
    assert code[position] != "-"
    other = ALPHABET[(ALPHABET.index(code[position]) + 1) % len(ALPHABET)]
    with pytest.raises(InvalidCode):
        check_code(SECRET, code[:position] + other + code[position + 1 :])


@pytest.mark.parametrize(
    "cut",
    [lambda c: c[:-1], lambda c: c[:9], lambda c: c + "7", lambda c: "", lambda c: c[:4]],
    ids=["one-short", "two-groups", "one-long", "empty", "one-group"],
)
def test_a_truncated_or_padded_code_is_rejected(cut) -> None:
    with pytest.raises(InvalidCode):
        check_code(SECRET, cut(make_code(SECRET, "txn_01hv8x")))


@pytest.mark.parametrize("letter", ["U", "u", "!", "é"])
def test_a_letter_outside_the_alphabet_is_rejected(letter: str) -> None:
    code = make_code(SECRET, "txn_01hv8x")
    with pytest.raises(InvalidCode):
        check_code(SECRET, letter + code[1:])


def test_a_code_forged_with_another_secret_is_rejected() -> None:
    forged = make_code("someone-elses-secret", "txn_01hv8x")
    with pytest.raises(InvalidCode, match="not issued by this shop"):
        check_code(SECRET, forged)


@given(st.text(max_size=40))
def test_random_text_is_a_code_or_invalid_code(text: str) -> None:
    try:
        serial = check_code(SECRET, text)
    except InvalidCode:
        return
    assert len(serial) == 7


@given(st.text(alphabet=ALPHABET + "ILOilo- ", min_size=12, max_size=16))
def test_random_code_shaped_text_is_a_code_or_invalid_code(text: str) -> None:
    try:
        serial = check_code(SECRET, text)
    except InvalidCode:
        return
    assert len(serial) == 7


# --- link tokens ---


@pytest.mark.parametrize(
    "claim",
    [CLAIM, LinkClaim('ördér/✓ "quoted"', 7, 0), LinkClaim("552312", 0, 2**40)],
)
def test_a_token_round_trips(claim: LinkClaim) -> None:
    token = make_token(SECRET, claim)
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token), "URL-safe, no padding"
    assert read_token(SECRET, token) == claim


def test_an_expired_token_still_reads() -> None:
    """Expiry is the caller's decision (a 410), not a forgery (a 403)."""
    claim = LinkClaim("txn_1", 0, 1)
    assert read_token(SECRET, make_token(SECRET, claim)) == claim


def test_a_tampered_payload_is_rejected() -> None:
    sig = make_token(SECRET, CLAIM).partition(".")[2]
    other = b64(json.dumps({"o": "txn_someone_else", "f": 0, "e": CLAIM.expires}).encode())
    with pytest.raises(InvalidToken, match="altered"):
        read_token(SECRET, f"{other}.{sig}")


def test_a_longer_expiry_is_rejected() -> None:
    sig = make_token(SECRET, CLAIM).partition(".")[2]
    payload = {"o": CLAIM.order_id, "f": CLAIM.file_index, "e": CLAIM.expires + 10**6}
    forged = b64(json.dumps(payload, separators=(",", ":")).encode())
    with pytest.raises(InvalidToken):
        read_token(SECRET, f"{forged}.{sig}")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda sig: ("A" if sig[0] != "A" else "B") + sig[1:],
        lambda sig: sig[:-1],
        lambda sig: sig + "AA",
        lambda sig: sig[::-1],
    ],
    ids=["first-char", "truncated", "extended", "reversed"],
)
def test_a_tampered_signature_is_rejected(tamper) -> None:
    body, _, sig = make_token(SECRET, CLAIM).partition(".")
    with pytest.raises(InvalidToken):
        read_token(SECRET, f"{body}.{tamper(sig)}")


@pytest.mark.parametrize("purpose", ["stamp-code", "stamp-serial", "local-url"])
def test_a_token_signed_with_another_purpose_key_is_rejected(purpose: str) -> None:
    body = make_token(SECRET, CLAIM).partition(".")[0]
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    forged = signed(payload, derive_key(SECRET, purpose))
    assert read_token(SECRET, signed(payload, derive_key(SECRET, "link-token"))) == CLAIM
    with pytest.raises(InvalidToken, match="altered"):
        read_token(SECRET, forged)


def test_a_token_from_another_secret_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        read_token(SECRET, make_token("another-shop", CLAIM))


@pytest.mark.parametrize(
    "token",
    ["", ".", "abc", "abc.", ".abc", "!!!.???", "a.b.c", "é.é"],
)
def test_malformed_tokens_are_rejected(token: str) -> None:
    with pytest.raises(InvalidToken):
        read_token(SECRET, token)


@pytest.mark.parametrize(
    "payload",
    [
        b"[1, 2]",
        b'"text"',
        b"{}",
        b'{"o": "x", "f": "first", "e": 1}',
        b'{"o": "x", "f": 0, "e": Infinity}',
        b'{"o": "x", "f": 0, "e": 1e400}',
        b'{"o": "x", "f": NaN, "e": 1}',
        b"\xff\xfe",
        b"null",
    ],
    ids=[
        "array",
        "string",
        "empty-object",
        "bad-index",
        "infinity",
        "huge",
        "nan",
        "not-utf8",
        "null",
    ],
)
def test_a_genuinely_signed_but_malformed_payload_is_invalid(payload: bytes) -> None:
    with pytest.raises(InvalidToken):
        read_token(SECRET, signed(payload, derive_key(SECRET, "link-token")))


@given(st.text(max_size=80))
def test_random_text_is_a_token_or_invalid_token(text: str) -> None:
    try:
        claim = read_token(SECRET, text)
    except InvalidToken:
        return
    assert isinstance(claim, LinkClaim)


@given(st.text(alphabet="ABCDEFabcdef0123456789-_=.", max_size=80))
def test_random_base64_shaped_text_is_a_token_or_invalid_token(text: str) -> None:
    try:
        claim = read_token(SECRET, text)
    except InvalidToken:
        return
    assert isinstance(claim, LinkClaim)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@given(st.fixed_dictionaries({}, optional={"o": _JSON, "f": _JSON, "e": _JSON, "x": _JSON}) | _JSON)
def test_any_signed_json_is_a_claim_or_invalid_token(payload: object) -> None:
    """Even a payload we signed ourselves can only give a claim or InvalidToken."""
    token = signed(json.dumps(payload).encode(), derive_key(SECRET, "link-token"))
    try:
        claim = read_token(SECRET, token)
    except InvalidToken:
        return
    assert isinstance(claim.order_id, str)
    assert isinstance(claim.file_index, int)
    assert isinstance(claim.expires, int)


def test_a_deeply_nested_unsigned_token_is_refused_before_parsing() -> None:
    import base64 as b64

    body = b64.urlsafe_b64encode(b"[" * 5000).rstrip(b"=").decode()
    with pytest.raises(InvalidToken, match="altered"):
        read_token("k", f"{body}.AAAAAAAAAAAAAAAAAAAAAA")


@pytest.mark.parametrize(
    "respell",
    [lambda t: t + "=", lambda t: t + "==", lambda t: t.replace(".", "=.", 1), lambda t: t + "\n"],
    ids=["padded-signature", "double-padded", "padded-body", "trailing-newline"],
)
def test_a_token_has_one_spelling(respell) -> None:
    token = make_token(SECRET, CLAIM)
    assert read_token(SECRET, token) == CLAIM
    with pytest.raises(InvalidToken, match="malformed"):
        read_token(SECRET, respell(token))


def test_a_code_is_issued_for_its_order_and_no_other() -> None:
    code = make_code(SECRET, "ord-ALICE")
    assert issued_for(SECRET, code, "ord-ALICE")
    assert not issued_for(SECRET, code, "ord-BOB")
    assert not issued_for("another-shop", code, "ord-ALICE")
    assert not issued_for(SECRET, "not a code", "ord-ALICE")


def test_a_code_the_worker_moved_past_a_collision_is_still_its_orders() -> None:
    """The worker tries SERIAL_ATTEMPTS serials when one is taken (worker/use_cases/_delivery)."""
    last = code_for_serial(SECRET, serial_for(SECRET, "ord-ALICE", SERIAL_ATTEMPTS - 1))
    assert issued_for(SECRET, last, "ord-ALICE")
    beyond = code_for_serial(SECRET, serial_for(SECRET, "ord-ALICE", SERIAL_ATTEMPTS))
    assert not issued_for(SECRET, beyond, "ord-ALICE")
