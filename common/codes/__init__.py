"""Stamp codes and link tokens: the keyed values a copy and a mail carry (STAMP_SECRET)."""

from common.codes._form_values import (
    FormValueMalformed,
    FormValueRefused,
    form_value,
    form_value_age,
)
from common.codes._keys import derive_key
from common.codes._link_tokens import InvalidToken, LinkClaim, make_token, read_token
from common.codes._stamp_codes import (
    SERIAL_ATTEMPTS,
    ForgedCode,
    InvalidCode,
    check_code,
    code_for_serial,
    issued_for,
    make_code,
    normalise_code,
    serial_for,
)

__all__ = [
    "SERIAL_ATTEMPTS",
    "ForgedCode",
    "FormValueMalformed",
    "FormValueRefused",
    "InvalidCode",
    "InvalidToken",
    "LinkClaim",
    "check_code",
    "code_for_serial",
    "derive_key",
    "form_value",
    "form_value_age",
    "issued_for",
    "make_code",
    "make_token",
    "normalise_code",
    "read_token",
    "serial_for",
]
