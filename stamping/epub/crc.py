"""CRC-32 of a concatenation from the CRCs of its parts, as zlib's crc32_combine computes it.

A stamped document is static parts with the buyer's bytes between them; the
static parts' CRCs are computed once (segments.py) and combined per copy in
a few microseconds instead of hashing the whole text again. The arithmetic is
zlib's (crc32.c, multmodp and x2nmodp: polynomials over GF(2) modulo the
CRC-32 polynomial, reflected), which Python's zlib module does not expose.
"""

from __future__ import annotations

_POLY = 0xEDB88320  # the CRC-32 polynomial, reflected


def multmodp(a: int, b: int) -> int:
    """a times b modulo the polynomial (both reflected, x^0 in the top bit)."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if a & (m - 1) == 0:
                return product
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> tuple[int, ...]:
    """x^(2^k) modulo the polynomial, k = 0..31."""
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(multmodp(table[-1], table[-1]))
    return tuple(table)


_X2N = _powers()


def shift(length: int) -> int:
    """x^(8 * length) modulo the polynomial: the operator that moves a CRC past `length` bytes."""
    power, k = 1 << 31, 3  # x^0; each byte is 2^3 bits
    while length:
        if length & 1:
            power = multmodp(_X2N[k & 31], power)
        length >>= 1
        k += 1
    return power


def combine(first: int, second: int, operator: int) -> int:
    """CRC of A+B from crc(A), crc(B) and shift(len(B))."""
    return multmodp(operator, first) ^ second
