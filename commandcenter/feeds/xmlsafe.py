"""XML from untrusted backends: defusedxml (no DTDs, no entity expansion, no external entities)."""
from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

from .base import FeedError, looks_like_html, snippet


def parse_xml(body: bytes, content_type: str = "") -> Element:
    """A whole XML document; anything unsafe or malformed → FeedError (a feed error, not a crash)."""
    if looks_like_html(body, content_type):
        raise FeedError(f"HTML instead of XML: {snippet(body)}")
    try:
        root: Element = DET.fromstring(body, forbid_dtd=True)
        return root
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(f"unsafe XML refused ({type(exc).__name__})") from None
    except (ParseError, ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"invalid XML ({exc}): {snippet(body)}") from None
    except RecursionError:
        raise FeedError("XML nested too deeply") from None


def local(tag: object) -> str:
    """'{urn:oasis:names:tc:emergency:cap:1.2}info' → 'info'."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: Element, name: str) -> Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def text(el: Element, name: str, default: str = "") -> str:
    c = child(el, name)
    if c is None or c.text is None:
        return default
    return c.text.strip()


def to_bytes(el: Element) -> bytes:
    from xml.etree.ElementTree import tostring
    try:
        raw: bytes = tostring(el, encoding="utf-8")
        return raw
    except Exception:  # noqa: BLE001 - only for the quarantine's raw copy
        return repr(el).encode()
