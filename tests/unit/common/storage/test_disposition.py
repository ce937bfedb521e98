"""Content-Disposition for downloads (RFC 6266, RFC 8187 for non-ASCII names)."""

from __future__ import annotations

import pytest

from common.storage import attachment


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("Practical Python - Jane.pdf", 'attachment; filename="Practical Python - Jane.pdf"'),
        (
            "Book - Zoë.pdf",
            "attachment; filename=\"Book - Zoe.pdf\"; filename*=UTF-8''Book%20-%20Zo%C3%AB.pdf",
        ),
        (
            "книга.pdf",
            "attachment; filename=\"_____.pdf\"; filename*=UTF-8''"
            "%D0%BA%D0%BD%D0%B8%D0%B3%D0%B0.pdf",
        ),
        ('a "quoted" \\ name\r\n.pdf', 'attachment; filename="a _quoted_ _ name__.pdf"'),
        ("../../etc/passwd", 'attachment; filename=".._.._etc_passwd"'),
        ("", 'attachment; filename="download"'),
    ],
)
def test_attachment_names_the_download_safely(filename: str, expected: str) -> None:
    assert attachment(filename) == expected
