"""Write pikepdf objects as PDF object syntax with numbers of our choosing, encrypted if need be.

A copy's own objects (footer, fonts, marks) are built with pikepdf in a
scratch document and then written here, under the object numbers the plan
reserved for them, so they slot into bytes qpdf laid out once. References to
other scratch objects are renumbered through `number_of`.

Encryption: a plan of an encrypted book is saved by qpdf with AES-256 (R6,
AESV3), whose key is the same for every object (ISO 32000-2 7.6.3.2), so a
copy's strings and streams are encrypted with that key, each under a fresh
random IV. Cross-reference streams and /ID are never encrypted.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pikepdf

ObjGen = tuple[int, int]


class Aes256:
    """The AESV3 cipher of one document: AES-256-CBC, a random IV before each value."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("AESV3 needs a 32-byte file key")
        self._key = key

    def encrypt(self, data: bytes) -> bytes:
        # Imported here: only an encrypted book needs it, and it costs a plain one's start-up.
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(iv)).encryptor()
        padded = padder.update(data) + padder.finalize()
        return iv + encryptor.update(padded) + encryptor.finalize()


def object_bytes(
    number: int,
    obj: pikepdf.Object,
    number_of: Callable[[ObjGen], int],
    cipher: Aes256 | None = None,
    *,
    compress: bool = True,
) -> bytes:
    """`N 0 obj … endobj` for one indirect object (unfiltered stream data compressed with Flate)."""
    write = _Writer(number_of, cipher)
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        dictionary: dict[str, Any] = {
            str(k): v for k, v in obj.items() if k not in ("/Length", "/Filter")
        }
        filters = obj.get("/Filter")
        if filters is None and compress:
            raw, filters = zlib.compress(raw, 6), pikepdf.Name.FlateDecode
        data = cipher.encrypt(raw) if cipher else raw
        if filters is not None:
            dictionary["/Filter"] = filters
        dictionary["/Length"] = len(data)
        head = write.dictionary(dictionary)
        return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, head, data)
    return b"%d 0 obj\n%s\nendobj\n" % (number, write.direct(obj))


def referenced(obj: pikepdf.Object) -> list[pikepdf.Object]:
    """Every indirect object reachable from obj (not obj itself), each once, in order."""
    seen: set[ObjGen] = {obj.objgen}
    found: list[pikepdf.Object] = []
    stack = [obj]
    while stack:
        for child in _children(stack.pop()):
            if child.is_indirect:
                if child.objgen not in seen:
                    seen.add(child.objgen)
                    found.append(child)
                    stack.append(child)
            else:
                stack.append(child)
    return found


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return [v for v in obj.values() if isinstance(v, pikepdf.Object)]
    if isinstance(obj, pikepdf.Array):
        return [v for v in obj if isinstance(v, pikepdf.Object)]
    return []


class _Writer:
    def __init__(self, number_of: Callable[[ObjGen], int], cipher: Aes256 | None) -> None:
        self._number_of = number_of
        self._cipher = cipher

    def value(self, value: Any) -> bytes:
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return b"%d 0 R" % self._number_of(value.objgen)
        return self.direct(value)

    def direct(self, value: Any) -> bytes:
        if isinstance(value, pikepdf.Dictionary):
            return self.dictionary({str(k): v for k, v in value.items()})
        if isinstance(value, pikepdf.Array):
            return b"[ " + b" ".join(self.value(v) for v in value) + b" ]"
        if isinstance(value, pikepdf.String):
            raw = bytes(value)
            return (
                b"<" + self._cipher.encrypt(raw).hex().encode() + b">"
                if self._cipher
                else value.unparse()
            )
        if isinstance(value, pikepdf.Object):
            return value.unparse()  # Name, Operator and the like
        return _scalar(value)

    def dictionary(self, entries: dict[str, Any]) -> bytes:
        body = b" ".join(
            pikepdf.Name(k).unparse() + b" " + self.value(v) for k, v in entries.items()
        )
        return b"<< " + body + b" >>"


def _scalar(value: Any) -> bytes:
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, Decimal | float):
        text = f"{Decimal(value):f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text).encode() or b"0"
    raise TypeError(f"cannot write {type(value).__name__} as a PDF object")
