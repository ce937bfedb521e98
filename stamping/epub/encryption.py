"""META-INF/encryption.xml: font obfuscation is fine, anything else is DRM and cannot be stamped.

OCF lets a book obfuscate fonts, keyed by the package's unique identifier:
the IDPF algorithm (http://www.idpf.org/2008/embedding: the first 1040 bytes
XORed with the SHA-1 of the identifier, whitespace removed) and Adobe's older
one (http://ns.adobe.com/pdf/enc#RC: the first 1024 bytes XORed with the
16 bytes of the identifier's UUID). The stamper keeps the identifier and the
font bytes, so both keep working. Any other algorithm (Adobe ADEPT, Readium
LCP, Apple FairPlay: AES over the content) means a DRM-protected book whose
documents the stamper cannot read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import stamping.epub.xmltext as xmltext
from stamping.epub.archive import Archive
from stamping.stamp import StampError

NAME = "META-INF/encryption.xml"
IDPF = "http://www.idpf.org/2008/embedding"
ADOBE = "http://ns.adobe.com/pdf/enc#RC"
OBFUSCATION = {IDPF: "IDPF font obfuscation", ADOBE: "Adobe font obfuscation"}
_ENC = "{http://www.w3.org/2001/04/xmlenc#}"


@dataclass(frozen=True)
class Encrypted:
    path: str  # the zip entry
    algorithm: str


def read_encryption(archive: Archive) -> tuple[Encrypted, ...]:
    """Every resource encryption.xml lists; StampError when one is DRM rather than obfuscation."""
    if not archive.has(NAME):
        return ()
    try:
        root = xmltext.parse(archive.read(NAME, limit=16 << 20), NAME)
    except ET.ParseError as exc:
        raise StampError(f"{NAME} is not well-formed XML: {exc}") from None
    listed = tuple(_entries(root))
    drm = [e for e in listed if e.algorithm not in OBFUSCATION]
    if drm:
        raise StampError(
            f"this EPUB is DRM-encrypted: {NAME} lists {len(drm)} resource(s) encrypted with "
            f"{drm[0].algorithm or 'an unnamed algorithm'} (e.g. {drm[0].path}); "
            "export the book without DRM (font obfuscation is fine) and upload that"
        )
    return listed


def _entries(root: ET.Element) -> list[Encrypted]:
    found = []
    for data in root.iter(f"{_ENC}EncryptedData"):
        method = data.find(f"{_ENC}EncryptionMethod")
        reference = data.find(f"{_ENC}CipherData/{_ENC}CipherReference")
        algorithm = (method.get("Algorithm") or "").strip() if method is not None else ""
        uri = reference.get("URI", "") if reference is not None else ""
        found.append(Encrypted(uri, algorithm))
    return found
