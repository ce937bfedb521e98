"""The catalog: which files a Paddle product or price id delivers, and how each is stamped.

A TOML file (path or gs:// URI) in the shape docs/architecture.md gives. It is parsed once
at start-up; a mistake in it is a CatalogError naming the product and key, so
an author learns of a typo before the first sale rather than after it.

Imprints (`[imprints.<slug>]`, docs/imprints.md) are the names a press or an author's pen
names sell under: a product naming one is mailed and shown under its name, sender, support
address, colour and logo. Each sender must be on a domain the mail provider authenticated
(MAIL_DOMAINS), checked wherever the services, the console or the deploy read a catalog.

A file's templates (`template`, `footer_template`, `exlibris_template`) are the author's
words; an optional `templates` table per file translates them, one table per language
(`[products.<slug>.files.templates]` with `de = { exlibris_template = "…" }`), each
checked like the template itself, and a buyer's copy is stamped in the order's language
when the author wrote one for it (FileSpec.style_for).
"""

from __future__ import annotations

import base64
import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from common.i18n import LANGUAGES
from common.settings import domain_of, parse_sender
from common.storage import StorageError
from stamping.style import FOOTERS, StampStyle

_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
# Which stamp options each stampable format reads (color: the PDF footer and the EPUB footers).
_PDF_KEYS = frozenset({"template", "font_size", "opacity", "margin", "skip_pages"})
_EPUB_KEYS = frozenset({"footer", "footer_template", "exlibris_template"})
_STYLE_KEYS = _PDF_KEYS | _EPUB_KEYS | {"color"}
_OTHER_FORMAT = {".pdf": (_EPUB_KEYS, "EPUB"), ".epub": (_PDF_KEYS, "PDF")}
_TEMPLATES = ("template", "footer_template", "exlibris_template")


class CatalogError(ValueError):
    """The catalog is malformed; the message names the product and key."""


@dataclass(frozen=True)
class FileSpec:
    source: str
    stamp: bool = False
    style: StampStyle = field(default_factory=StampStyle)
    # The author's templates in other languages: (language, the style with them), by language.
    translated: tuple[tuple[str, StampStyle], ...] = ()

    @property
    def filename(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    def style_for(self, language: str) -> StampStyle:
        """The style whose templates speak `language` if the author wrote them, else the style."""
        return dict(self.translated).get(language, self.style)


# The merchants a catalog id may name: `ids = ["paddle:pri_…", "stripe:price_…"]`. Each is
# the prefix of one module in common/merchants (tests/unit check the two agree).
MERCHANT_PREFIXES = ("paddle", "stripe", "lemonsqueezy", "shopify", "woocommerce")


def gift_id(slug: str) -> str:
    """The product id a gift of this product names (the catalog's slug, as `gift:<slug>`)."""
    return f"gift:{slug}"


@dataclass(frozen=True)
class Imprint:
    """A name the shop sells under: a press's imprint or an author's pen name."""

    slug: str
    shop_name: str
    mail_from: str  # "Name <address>" or an address, as MAIL_FROM
    support_email: str = ""  # blank: the sender's address
    accent_color: str = ""  # #rrggbb; blank: the pages' and mails' own
    logo: str = ""  # an object in the source bucket (PNG or JPEG)
    logo_data_url: str = field(default="", repr=False)  # filled in by with_logos

    @property
    def sender(self) -> tuple[str, str]:
        """(display name, address) its mails come from: mail_from's own name wins."""
        name, address = parse_sender(self.mail_from)
        return (name or self.shop_name), address

    @property
    def support(self) -> str:
        return self.support_email or self.sender[1]


def text_color_on(background: str) -> str:
    """#ffffff or #000000, whichever contrasts more with a #rrggbb background (WCAG 2.x).

    An author's accent fills the pages' and mails' buttons: white on a light one would be
    unreadable. Relative luminance and contrast ratio as WCAG 2.2 defines them
    (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance).
    """
    channels = [int(background[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    on_white, on_black = 1.05 / (luminance + 0.05), (luminance + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#000000"


@dataclass(frozen=True)
class Product:
    slug: str
    title: str
    ids: tuple[str, ...]  # merchant-qualified: "paddle:pri_…"
    files: tuple[FileSpec, ...]
    imprint: str = ""  # the slug of the imprint it is sold under; "": the shop's own name

    @property
    def paddle_ids(self) -> tuple[str, ...]:
        """Its Paddle ids as Paddle spells them (`paddle_ids = [...]` in the catalog)."""
        return tuple(i.removeprefix("paddle:") for i in self.ids if i.startswith("paddle:"))


@dataclass(frozen=True)
class Catalog:
    products: tuple[Product, ...]
    imprints: tuple[Imprint, ...] = ()

    def imprint(self, slug: str) -> Imprint | None:
        """The imprint of this slug; None for "" or one the catalog no longer has."""
        return next((i for i in self.imprints if slug and i.slug == slug), None)

    def imprint_of(self, product_slugs: tuple[str, ...] | list[str]) -> str:
        """The imprint an order of these products is sold under: the first product's that has one.

        An order mixing two imprints is mailed and shown under the first one's name
        (catalog order of the products bought); a product without one stays the shop's.
        """
        wanted = set(product_slugs)
        return next((p.imprint for p in self.products if p.slug in wanted and p.imprint), "")

    def sold_under(self, recorded: str, product_slugs: tuple[str, ...]) -> Imprint | None:
        """The imprint of an order: the one its record names, else (a record of before
        imprints) the catalog's for its products; None: the shop's own name."""
        return self.imprint(recorded or self.imprint_of(product_slugs))

    def find(self, product_ids: tuple[str, ...] | list[str]) -> list[Product]:
        """Products matching any of the merchant-qualified ids, each once, in catalog order.

        A gift (`exlibris give`) has no merchant's id to name: it names its product
        `gift:<slug>` (gift_id), which no catalog may list, as no merchant is called gift.
        """
        wanted = set(product_ids)
        return [p for p in self.products if wanted.intersection((*p.ids, gift_id(p.slug)))]

    def style_of(self, source: str, language: str = "") -> StampStyle | None:
        """How the catalog stamps this original today, for a buyer reading `language`;
        None if no product names it."""
        return next(
            (f.style_for(language) for p in self.products for f in p.files if f.source == source),
            None,
        )


def parse_catalog(text: str, *, sender_domains: Collection[str] | None = None) -> Catalog:
    """Parse catalog TOML, or raise CatalogError.

    With `sender_domains` (Settings.sender_domains), each imprint's sender must be on one.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog is not valid TOML: {exc}") from None
    raw_products = doc.get("products")
    if not isinstance(raw_products, dict) or not raw_products:
        raise CatalogError("catalog has no [products.<slug>] tables")
    raw_imprints = doc.get("imprints", {})
    if not isinstance(raw_imprints, dict):
        raise CatalogError("imprints: must be [imprints.<slug>] tables")
    imprints = tuple(_imprint(slug, body, sender_domains) for slug, body in raw_imprints.items())
    products = tuple(_product(slug, body) for slug, body in raw_products.items())
    known = {i.slug for i in imprints}
    for product in products:
        if product.imprint and product.imprint not in known:
            raise CatalogError(
                f"products.{product.slug}.imprint: no [imprints.{product.imprint}] in the catalog"
            )
    seen: dict[str, str] = {}
    for product in products:
        for pid in product.ids:
            if pid in seen:
                raise CatalogError(f"id {pid!r} is in both {seen[pid]} and {product.slug}")
            seen[pid] = product.slug
    return Catalog(products, imprints)


def _product(slug: str, body: Any) -> Product:
    where = f"products.{slug}"
    if not isinstance(body, dict):
        raise CatalogError(f"{where}: must be a table")
    ids = _ids(where, body)
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CatalogError(f"{where}.title: required")
    files = body.get("files")
    if not isinstance(files, list) or not files:
        raise CatalogError(f"{where}.files: at least one file is required")
    imprint = body.get("imprint", "")
    if not isinstance(imprint, str):
        raise CatalogError(f"{where}.imprint: must be the slug of an [imprints.<slug>] table")
    return Product(
        slug=slug,
        title=title.strip(),
        ids=ids,
        files=tuple(_file(f"{where}.files[{n}]", f) for n, f in enumerate(files)),
        imprint=imprint,
    )


_IMPRINT_KEYS = frozenset({"shop_name", "mail_from", "support_email", "accent_color", "logo"})
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # it names a URL path: /imprints/<slug>.css


def _imprint(slug: str, body: Any, sender_domains: Collection[str] | None) -> Imprint:
    where = f"imprints.{slug}"
    if not isinstance(body, dict):
        raise CatalogError(f"{where}: must be a table")
    if not _SLUG.fullmatch(slug):
        raise CatalogError(f"{where}: a slug is lower-case letters, digits and '-' (64 at most)")
    if unknown := sorted(set(body) - _IMPRINT_KEYS):
        raise CatalogError(f"{where}: unknown keys {unknown}")
    if any(not isinstance(value, str) for value in body.values()):
        raise CatalogError(f"{where}: every value is text")
    name = body.get("shop_name", "").strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise CatalogError(f"{where}.shop_name: required, one line of at most 100 characters")
    _, address = _address(f"{where}.mail_from", body.get("mail_from", ""))
    support = body.get("support_email", "").strip()
    if support and _address(f"{where}.support_email", support)[0]:
        raise CatalogError(f"{where}.support_email: an address alone, got {support!r}")
    if sender_domains is not None and domain_of(address) not in sender_domains:
        raise CatalogError(
            f"{where}.mail_from: {domain_of(address)} is not a sender domain the mail provider "
            f"authenticated (MAIL_DOMAINS: {', '.join(sender_domains)})"
        )
    color = body.get("accent_color", "")
    if color and not _HEX_COLOR.fullmatch(color):
        raise CatalogError(f"{where}.accent_color: must look like #rrggbb, got {color!r}")
    return Imprint(slug, name, body["mail_from"].strip(), support, color, body.get("logo", ""))


def _address(where: str, value: str) -> tuple[str, str]:
    try:
        return parse_sender(value)
    except ValueError as exc:
        raise CatalogError(f"{where}: {exc}") from None


def _ids(where: str, body: dict[str, Any]) -> tuple[str, ...]:
    """`ids` (merchant-qualified) and `paddle_ids` (Paddle's own) together, each once."""
    found: dict[str, None] = {}
    for key, prefix in (("paddle_ids", "paddle:"), ("ids", "")):
        values = body.get(key, [])
        if not isinstance(values, list) or not all(isinstance(i, str | int) for i in values):
            raise CatalogError(f"{where}.{key}: a list of ids is required")
        for value in values:
            found[_qualified(f"{where}.{key}", f"{prefix}{value}".strip())] = None
    if not found:
        raise CatalogError(f"{where}.ids: a non-empty list of ids is required")
    return tuple(found)


def _qualified(where: str, value: str) -> str:
    merchant, sep, own = value.partition(":")
    if not sep or not own.strip():
        raise CatalogError(f'{where}: {value!r} is not merchant:id (e.g. "paddle:pri_…")')
    if merchant not in MERCHANT_PREFIXES:
        known = ", ".join(MERCHANT_PREFIXES)
        raise CatalogError(f"{where}: unknown merchant {merchant!r} in {value!r} (known: {known})")
    return value


def _file(where: str, body: Any) -> FileSpec:
    if not isinstance(body, dict) or not isinstance(body.get("source"), str):
        raise CatalogError(f"{where}.source: required")
    stamp = body.get("stamp", False)
    if not isinstance(stamp, bool):
        raise CatalogError(f"{where}.stamp: must be true or false")
    unknown = set(body) - _STYLE_KEYS - {"source", "stamp", "templates"}
    if unknown:
        raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
    extension = PurePosixPath(body["source"]).suffix.lower()
    if stamp and extension not in _OTHER_FORMAT:
        raise CatalogError(
            f"{where}.stamp: only .pdf and .epub files can be stamped, not {body['source']!r} "
            "(deliver it unstamped: leave stamp out)"
        )
    other_keys, other = _OTHER_FORMAT.get(extension, (frozenset(), ""))
    if misplaced := sorted(other_keys & set(body)):
        raise CatalogError(f"{where}.{misplaced[0]}: applies to {other} files only")
    style = StampStyle(**{k: body[k] for k in _STYLE_KEYS if k in body})
    _check_style(where, style)
    translated = _translated(f"{where}.templates", body.get("templates", {}), style, extension)
    return FileSpec(source=body["source"], stamp=stamp, style=style, translated=translated)


def _translated(
    where: str, body: Any, style: StampStyle, extension: str
) -> tuple[tuple[str, StampStyle], ...]:
    """`templates`: per language, the file's templates in it, each checked as the template is."""
    if not isinstance(body, dict):
        raise CatalogError(f'{where}: must be a table such as {{ de = {{ template = "…" }} }}')
    own = {".pdf": {"template"}, ".epub": {"footer_template", "exlibris_template"}}.get(
        extension, set()
    )
    translated = []
    for language, words in body.items():
        if language not in LANGUAGES:
            raise CatalogError(f"{where}.{language}: not one of {', '.join(LANGUAGES)}")
        if not isinstance(words, dict) or not words:
            raise CatalogError(f"{where}.{language}: must be a table of templates")
        if unknown := sorted(set(words) - own):
            known = ", ".join(sorted(own)) or "nothing: the file is not stamped"
            raise CatalogError(f"{where}.{language}.{unknown[0]}: this file translates {known}")
        translation = replace(style, **words)
        _check_style(f"{where}.{language}", translation)
        translated.append((language, translation))
    return tuple(translated)


def _check_style(where: str, style: StampStyle) -> None:
    for key in ("font_size", "opacity", "margin"):
        value = getattr(style, key)
        if not isinstance(value, int | float) or value < 0:
            raise CatalogError(f"{where}.{key}: must be a non-negative number")
    if not isinstance(style.skip_pages, int) or style.skip_pages < 0:
        raise CatalogError(f"{where}.skip_pages: must be a non-negative integer")
    if not 0 < style.opacity <= 1:
        raise CatalogError(f"{where}.opacity: must be in (0, 1]")
    if not (isinstance(style.color, str) and _HEX_COLOR.fullmatch(style.color)):
        raise CatalogError(f"{where}.color: must look like #rrggbb")
    if style.footer not in FOOTERS:
        raise CatalogError(f"{where}.footer: must be one of {', '.join(map(repr, FOOTERS))}")
    for key in _TEMPLATES:
        template = getattr(style, key)
        if not isinstance(template, str):
            raise CatalogError(f"{where}.{key}: must be text")
        try:
            template.format(name="", email="", order="", code="")
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise CatalogError(f"{where}.{key}: unknown placeholder {exc}") from None


# A logo is a small mark beside the name, inlined in every page as a data: URL (the CSP
# allows no other origin): 64 KiB keeps a page light. PNG and JPEG only, told by their
# first bytes: both are pictures and nothing else, where an SVG is a document that may
# hold script (harmless as an <img>, not if anyone ever serves it as a page).
MAX_LOGO_BYTES = 64 * 1024
_LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def with_logos(catalog: Catalog, read_object: Callable[[str], bytes]) -> Catalog:
    """The catalog with each imprint's logo read (from the source bucket) and inlined.

    CatalogError, naming the imprint, for a logo that is missing, too big or no PNG or JPEG.
    """
    imprints = []
    for imprint in catalog.imprints:
        if imprint.logo:
            where = f"imprints.{imprint.slug}.logo"
            try:
                data = read_object(imprint.logo)
            except StorageError as exc:
                raise CatalogError(f"{where}: cannot read {imprint.logo!r}: {exc}") from None
            imprint = replace(imprint, logo_data_url=logo_data_url(where, data))
        imprints.append(imprint)
    return replace(catalog, imprints=tuple(imprints))


def logo_data_url(where: str, data: bytes) -> str:
    """A data: URL of a PNG or JPEG logo; CatalogError for anything else or anything bigger."""
    if len(data) > MAX_LOGO_BYTES:
        raise CatalogError(f"{where}: {len(data)} bytes, over {MAX_LOGO_BYTES} (64 KiB)")
    kind = next((t for magic, t in _LOGO_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise CatalogError(f"{where}: not a PNG or JPEG image (by its first bytes)")
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def load_catalog(
    location: str,
    read_object: Callable[[str, str], bytes] | None = None,
    *,
    sender_domains: Collection[str] | None = None,
) -> Catalog:
    """Load the catalog from a path or a gs://bucket/name URI (read through storage)."""
    if location.startswith("gs://"):
        bucket, _, name = location.removeprefix("gs://").partition("/")
        if read_object is None or not bucket or not name:
            raise CatalogError(f"CATALOG: cannot read {location}")
        try:
            text = read_object(bucket, name).decode()
        except (StorageError, UnicodeDecodeError) as exc:
            raise CatalogError(f"CATALOG: cannot read {location}: {exc}") from None
    else:
        try:
            text = Path(location).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogError(f"CATALOG: cannot read {location}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise CatalogError(f"CATALOG: {location} is not UTF-8: {exc}") from None
    return parse_catalog(text, sender_domains=sender_domains)
