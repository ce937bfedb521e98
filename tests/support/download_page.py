"""Reading the service's download page as a browser without JavaScript would: its forms.

The page behind a mailed link (`/d/<token>`) holds one `<form method="post">`
per file, with a hidden signed field, and a Send to Kindle form per EPUB
(`/d/<token>/kindle`, the same field plus `kindle_email`). Tests (unit, e2e) find the form for a
link, post its fields back and follow the 303, exactly what the Download
button does; `download` does it over real HTTP (the e2e and browser tiers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms:
            self._button = []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            self.forms[-1].buttons.append(" ".join("".join(self._button).split()))
            self._button = None


def all_forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def forms_of(html: str) -> list[Form]:
    """The Download forms, one per file that can be downloaded."""
    return [f for f in all_forms(html) if not f.action.endswith("/kindle")]


def kindle_forms(html: str) -> list[Form]:
    """The Send to Kindle forms, one per EPUB that fits in a mail."""
    return [f for f in all_forms(html) if f.action.endswith("/kindle")]


def form_for(html: str, path: str) -> Form:
    """The form that posts to `path` (the link's own /d/<token>)."""
    [form] = [f for f in forms_of(html) if f.action == path]
    return form


def download(link: str, session: requests.Session | None = None) -> requests.Response:
    """Open a mailed link over HTTP and press its Download button; the file's response."""
    http = session or requests.Session()
    page = http.get(link, timeout=30)
    page.raise_for_status()
    path = urlsplit(link).path
    form = form_for(page.text, path)
    return http.post(urljoin(link, form.action), data=form.fields, timeout=60)
