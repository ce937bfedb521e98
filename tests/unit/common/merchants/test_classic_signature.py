"""Paddle Classic signature checks, by real signing with our own RSA keys.

One failure reason per case; every wrong way to build the signed bytes
(unsorted, character lengths, JSON, SHA-256, another key) must be refused.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Mapping

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from hypothesis import given
from hypothesis import strategies as st

from common.merchants import SignatureError, load_public_key, verify_classic
from common.merchants._paddle_classic import php_serialize, sign_classic
from tests.support.paddle_payloads import (
    classic_fulfilment,
    classic_payment_succeeded,
    public_pem,
    rsa_test_key,
    signed_form,
)

KEY = rsa_test_key()
PUBLIC = KEY.public_key()
FIELDS = classic_payment_succeeded(customer_name="Zoë Ångström-山田")


def _sign_bytes(data: bytes, algorithm: hashes.HashAlgorithm | None = None) -> str:
    signature = KEY.sign(data, padding.PKCS1v15(), algorithm or hashes.SHA1())  # noqa: S303
    return base64.b64encode(signature).decode()


def _serialize(items: list[tuple[str, str]], *, length=lambda s: len(s.encode())) -> bytes:
    body = "".join(f's:{length(k)}:"{k}";s:{length(v)}:"{v}";' for k, v in items)
    return f"a:{len(items)}:{{{body}}}".encode()


def test_php_serialize_known_answer():
    fields = {"b": "2", "a": "ä", "c": "", "p_signature": "ignored"}
    assert php_serialize(fields) == b'a:3:{s:1:"a";s:2:"\xc3\xa4";s:1:"b";s:1:"2";s:1:"c";s:0:"";}'


def test_php_serialize_of_nothing():
    assert php_serialize({}) == b"a:0:{}"


def test_valid_signature_passes():
    verify_classic(signed_form(FIELDS, KEY), PUBLIC)


def test_fulfilment_webhook_signature_passes():
    verify_classic(signed_form(classic_fulfilment(), KEY), PUBLIC)


def test_blank_values_are_signed_and_kept():
    fields = {**FIELDS, "coupon": "", "passthrough": ""}
    verify_classic(signed_form(fields, KEY), PUBLIC)


def test_post_order_does_not_matter():
    form = signed_form(FIELDS, KEY)
    verify_classic(dict(reversed(list(form.items()))), PUBLIC)


@pytest.mark.parametrize("name", ["Zoë", "Ñandú Ōtsuka", "山田太郎", "🦜 Parrot", 'O\'Brien "Ed"'])
def test_unicode_and_quoted_names_pass(name):
    verify_classic(signed_form({**FIELDS, "customer_name": name}, KEY), PUBLIC)


def _with(**changes: str | None) -> dict[str, str]:
    form = signed_form(FIELDS, KEY)
    for key, value in changes.items():
        if value is None:
            form.pop(key)
        else:
            form[key] = value
    return form


def _signed_over(data: bytes, algorithm: hashes.HashAlgorithm | None = None) -> dict[str, str]:
    return {**FIELDS, "p_signature": _sign_bytes(data, algorithm)}


_ITEMS = list(FIELDS.items())
_SORTED = sorted(_ITEMS)
_OTHER_KEY = rsa_test_key("another")

MISMATCHES = {
    "extra field": _with(extra="1"),
    "dropped field": _with(quantity=None),
    "dropped blank field": _with(coupon=None),
    "changed value": _with(product_id="552313"),
    "changed unicode name": _with(customer_name="Zoe Angstrom-山田"),
    "unsorted serialisation": _signed_over(_serialize(_ITEMS[::-1])),
    "character-length serialisation": _signed_over(_serialize(_SORTED, length=len)),
    "json": _signed_over(json.dumps(dict(_SORTED)).encode()),
    "sha-256": _signed_over(php_serialize(FIELDS), hashes.SHA256()),
    "another key": {**FIELDS, "p_signature": sign_classic(FIELDS, _OTHER_KEY)},
    "truncated signature": _with(p_signature=_with()["p_signature"][:-8]),
    "base64 of garbage": _with(p_signature=base64.b64encode(b"garbage").decode()),
}


@pytest.mark.parametrize("form", MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_rejected(form):
    with pytest.raises(SignatureError) as err:
        verify_classic(form, PUBLIC)
    assert err.value.reason == "signature does not match"


BAD_SIGNATURES = {
    "missing p_signature": (_with(p_signature=None), "missing p_signature"),
    "empty p_signature": (_with(p_signature=""), "empty p_signature"),
    "non-base64 p_signature": (_with(p_signature="not base64!"), "p_signature is not base64"),
    "badly padded p_signature": (_with(p_signature="abc"), "p_signature is not base64"),
    "non-ascii p_signature": (_with(p_signature="é" * 8), "p_signature is not base64"),
    "lone surrogate in a field": (_with(customer_name="\udc80"), "fields are not valid UTF-8"),
}


@pytest.mark.parametrize(("form", "reason"), BAD_SIGNATURES.values(), ids=BAD_SIGNATURES.keys())
def test_bad_signature_field_is_rejected(form, reason):
    with pytest.raises(SignatureError) as err:
        verify_classic(form, PUBLIC)
    assert err.value.reason == reason


_field_text = st.text(max_size=30)


@given(
    fields=st.dictionaries(_field_text, _field_text, max_size=8),
    signature=st.one_of(
        st.none(),
        st.text(max_size=80),
        st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()),
    ),
)
def test_random_forms_raise_only_signature_error(fields, signature):
    form: Mapping[str, str] = fields if signature is None else {**fields, "p_signature": signature}
    with contextlib.suppress(SignatureError):
        verify_classic(form, PUBLIC)


@given(fields=st.dictionaries(_field_text, _field_text, max_size=8))
def test_whatever_we_sign_verifies(fields):
    fields.pop("p_signature", None)
    try:
        signed = signed_form(fields, KEY)
    except UnicodeEncodeError:
        return  # lone surrogates cannot be posted as UTF-8 at all
    verify_classic(signed, PUBLIC)


# --- loading the public key ----------------------------------------------------


def test_public_key_from_pem_text():
    assert load_public_key(public_pem(KEY)).public_numbers() == PUBLIC.public_numbers()


def test_public_key_from_a_file(tmp_path):
    path = tmp_path / "paddle.pem"
    path.write_text(public_pem(KEY))
    assert load_public_key(str(path)).public_numbers() == PUBLIC.public_numbers()


def test_public_key_with_escaped_newlines_as_in_env_files():
    flattened = public_pem(KEY).replace("\n", "\\n")
    assert load_public_key(flattened).public_numbers() == PUBLIC.public_numbers()


def _ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _private_pem() -> str:
    return KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


BAD_KEYS = {
    "missing file": ("/nonexistent/paddle.pem", "neither PEM text nor a readable file"),
    "empty": ("", "neither PEM text nor a readable file"),
    "truncated pem": (public_pem(KEY)[:120], "not a valid PEM public key"),
    "private key": (_private_pem(), "not a valid PEM public key"),
    "ec key": (_ec_pem(), "not an RSA key"),
}


@pytest.mark.parametrize(("value", "message"), BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_bad_public_key_is_a_clear_value_error(value, message):
    with pytest.raises(ValueError, match=message):
        load_public_key(value)


def test_bad_public_key_file_is_a_clear_value_error(tmp_path):
    path = tmp_path / "paddle.pem"
    path.write_text("this is not a key")
    with pytest.raises(ValueError, match="not a valid PEM public key"):
        load_public_key(str(path))
