"""What every buyer page shares: the icon browsers ask for, and legible colours in both schemes."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from common.settings import Settings
from service.app import create_app
from tests.conftest import ROOT

CSS = (ROOT / "service" / "static" / "site.css").read_text()


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


def test_the_favicon_is_served_and_named_by_every_page(client: FlaskClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml" and icon.data.startswith(b"<svg")
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/links").text


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_button_text_meets_wcag_aa_in_both_schemes(scheme: str) -> None:
    light = _variables(CSS.split("@media")[0])
    dark = light | _variables(CSS.split("prefers-color-scheme: dark")[1].split("}")[1])
    colours = light if scheme == "light" else dark
    assert "var(--on-accent)" in CSS and "background: var(--accent)" in CSS
    assert _contrast(colours["accent"], colours["on-accent"]) >= 4.5


def test_the_stylesheet_lays_out_right_to_left_too() -> None:
    """Arabic pages say dir="rtl": a physical left or right would sit on the wrong side."""
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b|(?:text-align|float|clear):\s*(?:left|right)"
        r"|[{;\s](?:left|right):",
        CSS,
    )
    assert physical == []
