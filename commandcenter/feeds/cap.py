"""OASIS CAP 1.2 warnings → alerts in the four Chinese colour levels.

`url` points at one CAP document or at an Atom/RSS index whose entries link to (or embed) CAP
documents. Rules:
- one `info` block is chosen per alert: zh-CN first, then any zh*, then en*, then the first;
- `msgType` Update/Cancel keep the id of the alert they reference (`references`), so the newer
  message replaces the older one (version = `sent` in epoch seconds); Cancel → status cancelled;
  Ack/Error messages and `status` System/Test/Draft carry no public warning and are skipped;
- `status = Exercise` → a drill alert (`drill_id = "cap-exercise"`), never a real one;
- level: a `parameter` naming a colour or level (colour/color/level/预警级别/预警颜色/awareness_level…)
  wins; otherwise severity Extreme → red, Severe → orange, Moderate → yellow, Minor/Unknown → blue,
  one level up when urgency is Immediate and certainty Observed;
- polygons ("lat,lon" pairs) become (lon, lat) rings; circles become 24-gons; areaDesc is kept.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TypeVar
from xml.etree.ElementTree import Element

import httpx

from ..config.schema import FeedSection
from ..domain import Alert, AlertLevel, AlertStatus, AlertType, InvalidRecord, Ring, parse_time
from ..domain.limits import check_record, fit_id
from .base import BatchBuilder, FeedBase, FeedError, Sink, log, utcnow
from .xmlsafe import child, children, local, parse_xml, text, to_bytes

EXERCISE_DRILL_ID = "cap-exercise"
MAX_ENTRIES = 500              # index entries fetched per poll, newest first; the rest on the next polls
MAX_INDEX = 10_000             # index entries considered at all (the newest, if an index lists more)
LEVEL_PARAMS = ("colour", "color", "level", "alert_level", "alertlevel", "warning_level", "awareness_level",
                "预警级别", "预警颜色", "预警等级", "级别", "颜色")
COLOUR_WORDS = {"red", "orange", "amber", "yellow", "blue", "红", "橙", "黄", "蓝"}
SEVERITY_LEVEL = {"extreme": AlertLevel.RED, "severe": AlertLevel.ORANGE, "moderate": AlertLevel.YELLOW,
                  "minor": AlertLevel.BLUE, "unknown": AlertLevel.BLUE}


def level_from_text(value: str) -> AlertLevel | None:
    v = value.strip().lower()
    for words, level in ((("red", "红"), AlertLevel.RED), (("orange", "橙", "amber"), AlertLevel.ORANGE),
                         (("yellow", "黄"), AlertLevel.YELLOW), (("blue", "蓝"), AlertLevel.BLUE)):
        if any(w in v for w in words):
            return level
    roman = v.replace("级", "").replace("level", "").strip()
    for tokens, level in ((("iv", "ⅳ", "4"), AlertLevel.BLUE), (("iii", "ⅲ", "3"), AlertLevel.YELLOW),
                          (("ii", "ⅱ", "2"), AlertLevel.ORANGE), (("i", "ⅰ", "1"), AlertLevel.RED)):
        if roman in tokens:
            return level
    return None


def pick_info(infos: list[Element]) -> Element | None:
    if not infos:
        return None
    langs = [(text(i, "language") or "en-US").lower().replace("_", "-") for i in infos]
    preferred: tuple[Callable[[str], bool], ...] = (
        lambda lang: lang == "zh-cn", lambda lang: lang.startswith("zh"), lambda lang: lang.startswith("en"))
    for pred in preferred:
        for info, lang in zip(infos, langs, strict=True):
            if pred(lang):
                return info
    return infos[0]


def parse_polygon(value: str) -> Ring:
    pts: list[tuple[float, float]] = []
    for pair in value.split():
        lat_s, _, lon_s = pair.partition(",")
        try:
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            raise InvalidRecord(f"polygon point {pair[:40]!r} is not lat,lon") from None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidRecord(f"polygon point {pair[:40]!r} out of range")
        pts.append((lon, lat))
        if len(pts) > 100_000:
            raise InvalidRecord("polygon with more than 100000 points")
    if len(pts) < 3:
        raise InvalidRecord("polygon with fewer than 3 points")
    return tuple(pts)


def parse_circle(value: str, sides: int = 24) -> Ring:
    centre, _, radius_s = value.strip().partition(" ")
    lat_s, _, lon_s = centre.partition(",")
    try:
        lat, lon, radius_km = float(lat_s), float(lon_s), float(radius_s)
    except ValueError:
        raise InvalidRecord(f"circle {value[:40]!r} is not 'lat,lon radius'") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and math.isfinite(radius_km)) or not -90 <= lat <= 90 \
            or not -180 <= lon <= 180 or not 0 <= radius_km <= 5000:
        raise InvalidRecord(f"circle {value[:40]!r} out of range")
    dlat = max(radius_km, 0.2) / 111.32     # a point (radius 0) still shows as a small disc
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return tuple((lon + dlon * math.cos(2 * math.pi * k / sides), lat + dlat * math.sin(2 * math.pi * k / sides))
                 for k in range(sides + 1))


def alert_type(categories: list[str], event: str) -> AlertType:
    e = event.lower()
    if any(w in e for w in ("forest", "wildfire", "bushfire", "森林", "草原", "山火")):
        return AlertType.FOREST_FIRE
    if any(w in e for w in ("flood", "洪", "汛", "内涝")):
        return AlertType.FLOOD
    if "Met" in categories:
        return AlertType.WEATHER
    return AlertType.OTHER


def parse_references(value: str) -> list[tuple[str, str, str]]:
    out = []
    for triple in value.split():
        parts = triple.split(",")
        if len(parts) >= 2 and parts[0] and parts[1]:
            out.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return out


def cap_alerts(root: Element) -> list[Element]:
    """The CAP <alert> elements of a document: a CAP alert itself, or embedded in an Atom/RSS index."""
    name = local(root.tag)
    if name == "alert":
        return [root]
    return [el for el in root.iter() if local(el.tag) == "alert" and el is not root]


def index_links(root: Element) -> list[tuple[str, str]]:
    """(link, updated) of an Atom feed's entries or an RSS channel's items that do not embed the CAP."""
    out: list[tuple[str, str]] = []
    name = local(root.tag)
    if name == "feed":
        for entry in children(root, "entry"):
            if any(local(el.tag) == "alert" for el in entry.iter()):
                continue
            href = ""
            for link in children(entry, "link"):
                rel, typ = link.get("rel", "alternate"), link.get("type", "")
                if "cap" in typ or "xml" in typ or rel in ("alternate", "related", "enclosure"):
                    href = link.get("href", "")
                    if "cap" in typ:
                        break
            if href:
                out.append((href.strip(), text(entry, "updated") or text(entry, "id")))
    elif name in ("rss", "RDF"):
        channel = child(root, "channel")
        items = children(channel if channel is not None else root, "item") + children(root, "item")
        for item in items:
            enclosure = child(item, "enclosure")
            href = (enclosure.get("url", "") if enclosure is not None else "") or text(item, "link")
            if href:
                out.append((href.strip(), text(item, "pubDate") or text(item, "guid")))
    return out


def entry_time(updated: str) -> float | None:
    """An index entry's time (Atom ISO 8601 or RSS RFC 822) as epoch seconds; None if it is not a usable time."""
    try:
        return parse_time(updated).timestamp()
    except (InvalidRecord, OverflowError, ValueError, TypeError):
        pass
    try:
        dt = parsedate_to_datetime(updated)
        return dt.timestamp() if dt.tzinfo is not None else None
    except (OverflowError, ValueError, TypeError, IndexError):
        return None


def newest_first(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Index entries ordered newest first, whichever way the index lists them: by their times when every entry
    has one, else in the index's order, reversed when its dated entries run oldest first."""
    times = [entry_time(updated) for _, updated in links]
    known = [t for t in times if t is not None]
    if len(known) == len(links):
        order = sorted(range(len(links)), key=lambda i: (-times[i], i))   # type: ignore[operator]
        return [links[i] for i in order]
    if len(known) >= 2 and known[0] < known[-1]:
        return links[::-1]
    return list(links)


def sent_key(el: Element) -> tuple[int, float]:
    """Sort key of a CAP <alert> by its `sent` time, oldest first; a missing, malformed or out-of-range time
    (year 9999 in a negative offset overflows the conversion to UTC) sorts last instead of failing the sort."""
    try:
        return (0, parse_time(text(el, "sent")).timestamp())
    except (InvalidRecord, OverflowError, ValueError, TypeError, OSError):
        return (1, 0.0)


K = TypeVar("K")
V = TypeVar("V")


def _put_bounded(memory: OrderedDict[K, V], key: K, value: V, bound: int = 20_000) -> None:
    """`key` → `value` as the newest entry; the oldest entries go past `bound`."""
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > bound:
        memory.popitem(last=False)


class CapParser:
    """Stateful across documents: maps (sender, identifier) of every message to the alert id it updates."""

    def __init__(self, feed_name: str) -> None:
        self.feed_name = feed_name
        self.roots: OrderedDict[tuple[str, str], str] = OrderedDict()
        # each alert's last message: a Cancel usually carries no <info>, and the cancelled warning keeps its
        # title, colour and area in the alert's history instead of becoming "Cancel <identifier>", blue
        self.last: OrderedDict[str, Alert] = OrderedDict()

    def _remember(self, key: tuple[str, str], alert: Alert) -> None:
        _put_bounded(self.roots, key, alert.id)
        _put_bounded(self.last, alert.id, alert)

    def to_alert(self, el: Element) -> Alert | None:
        """One <alert> → an Alert; None for messages that carry no public warning; else InvalidRecord."""
        identifier, sender = text(el, "identifier"), text(el, "sender")
        if not identifier or not sender:
            raise InvalidRecord("CAP alert without identifier or sender", "alert")
        own_key = (sender, identifier)
        try:
            sent_s = text(el, "sent")
            if not sent_s:
                raise InvalidRecord("missing sent")
            sent = parse_time(sent_s)
            status = text(el, "status")
            msg_type = text(el, "msgType")
            if status not in ("Actual", "Exercise", "System", "Test", "Draft"):
                raise InvalidRecord(f"unknown status {status[:20]!r}")
            if msg_type not in ("Alert", "Update", "Cancel", "Ack", "Error"):
                raise InvalidRecord(f"unknown msgType {msg_type[:20]!r}")
            if status in ("System", "Test", "Draft") or msg_type in ("Ack", "Error"):
                return None
            refs_raw = text(el, "references")
            refs = parse_references(refs_raw)
            if msg_type in ("Update", "Cancel") and not refs:
                raise InvalidRecord(f"{msg_type} without references")
            alert_id = f"{self.feed_name}:{identifier}"
            for ref_sender, ref_id, _ in refs:
                known = self.roots.get((ref_sender, ref_id))
                if known is not None:
                    alert_id = known
                    break
            else:
                if refs:
                    alert_id = f"{self.feed_name}:{refs[0][1]}"
            alert_id = fit_id(alert_id)     # within the store's id length on both engines
            info = pick_info(children(el, "info"))
            if info is None and msg_type != "Cancel":
                raise InvalidRecord("CAP alert without an info block")
            title = desc = area_desc = source = ""
            level = AlertLevel.BLUE
            kind = AlertType.OTHER
            issued_at, expires_at = sent, None
            polygons: list[Ring] = []
            if info is not None:
                event = text(info, "event")
                title = text(info, "headline") or event or identifier
                parts = [text(info, "description"), text(info, "instruction")]
                desc = "\n".join(p for p in parts if p)[:10_000]
                source = text(info, "senderName") or sender
                kind = alert_type([c.text or "" for c in children(info, "category")], f"{event} {title}")
                effective = text(info, "effective") or text(info, "onset")
                issued_at = parse_time(effective) if effective else sent
                expires = text(info, "expires")
                expires_at = parse_time(expires) if expires else None
                level = self._level(info)
                areas = children(info, "area")
                if not areas:   # polygons are often given once, in another language's info block
                    areas = [a for i in children(el, "info") for a in children(i, "area")]
                descs = []
                for area in areas[:200]:
                    d = text(area, "areaDesc")
                    if d and d not in descs:
                        descs.append(d)
                    for p in children(area, "polygon"):
                        if p.text and p.text.strip():
                            polygons.append(parse_polygon(p.text))
                    for c in children(area, "circle"):
                        if c.text and c.text.strip():
                            polygons.append(parse_circle(c.text))
                area_desc = "; ".join(descs)[:2000]
            elif (prev := self.last.get(alert_id)) is not None:
                title, desc, area_desc, source = prev.title, prev.description, prev.area_desc, prev.source
                level, kind, issued_at, expires_at = prev.level, prev.type, prev.issued_at, prev.expires_at
                polygons = list(prev.polygons)
            else:
                title = f"Cancel {identifier}"
                source = sender
            version = int(sent.timestamp())
            if version < 0:
                raise InvalidRecord("sent before 1970")
            alert = Alert(
                id=alert_id, version=version, updated_at=sent, level=level, type=kind, title=title[:300],
                status=AlertStatus.CANCELLED if msg_type == "Cancel" else AlertStatus.ACTIVE,
                issued_at=issued_at, expires_at=expires_at, description=desc, area_desc=area_desc,
                polygons=tuple(polygons), source=source[:200],
                drill_id=EXERCISE_DRILL_ID if status == "Exercise" else None,
                references=tuple(t for t in refs_raw.split() if t)[:100],
            )
            check_record(alert)
            self._remember(own_key, alert)
            return alert
        except InvalidRecord as exc:
            raise InvalidRecord(exc.reason, "alert", f"{self.feed_name}:{identifier}"[:300]) from None
        except (OverflowError, ValueError, OSError) as exc:
            raise InvalidRecord(f"{type(exc).__name__}: {exc}"[:200], "alert", f"{self.feed_name}:{identifier}"[:300]) from None

    @staticmethod
    def _level(info: Element) -> AlertLevel:
        for p in children(info, "parameter"):
            name = text(p, "valueName").lower().replace(" ", "_")
            value = text(p, "value")
            if name in LEVEL_PARAMS or any(w in name for w in ("colour", "color", "预警级别", "预警颜色")):
                found = level_from_text(value)
            else:   # any parameter whose value is just a colour (e.g. HSAS = ORANGE)
                bare = value.strip().lower().removesuffix("预警").removesuffix("色")
                found = level_from_text(bare) if bare in COLOUR_WORDS else None
            if found is not None:
                return found
        level = SEVERITY_LEVEL.get(text(info, "severity").lower(), AlertLevel.BLUE)
        if text(info, "urgency") == "Immediate" and text(info, "certainty") == "Observed" and level < AlertLevel.RED:
            level = AlertLevel(level + 1)
        return level

    def add_document(self, builder: BatchBuilder, root: Element) -> None:
        """Every CAP alert of a parsed document into the batch (bad ones into the quarantine)."""
        alerts = sorted(cap_alerts(root), key=sent_key)
        for el in alerts:
            try:
                alert = self.to_alert(el)
            except InvalidRecord as exc:
                builder.quarantine("alert", to_bytes(el), exc.reason, exc.record_id)
                continue
            except RecursionError:
                builder.quarantine("alert", b"", "CAP alert nested too deeply")
                continue
            except Exception as exc:  # noqa: BLE001 - whatever decoding raises is this alert's fault, not the feed's
                builder.quarantine("alert", to_bytes(el), f"{type(exc).__name__}: {exc}"[:300])
                continue
            if alert is not None:
                builder.add("alert", alert)


class CapFeed(FeedBase):
    def __init__(self, section: FeedSection, client: httpx.AsyncClient) -> None:
        super().__init__(section, client)
        self.parser = CapParser(section.name)
        self.fetched: OrderedDict[tuple[str, str], None] = OrderedDict()   # (link, updated) read and committed

    async def _run_once(self, sink: Sink) -> None:
        body, ctype = await self.get_bytes(self.section.url, accept="application/cap+xml, application/atom+xml, "
                                                                     "application/rss+xml, application/xml, text/xml")
        root = parse_xml(body, ctype)
        name = local(root.tag)
        if name not in ("alert", "feed", "rss", "RDF"):
            raise FeedError(f"expected a CAP alert or an Atom/RSS index, got <{name[:40]}>")
        self.mark_ok()
        builder = BatchBuilder(self)
        self.parser.add_document(builder, root)
        docs: list[Element] = []
        read: list[tuple[str, str]] = []     # entries of this batch: marked read once it is committed
        todo = [key for key in newest_first(index_links(root))[:MAX_INDEX] if key not in self.fetched]
        if len(todo) > MAX_ENTRIES:
            log.info("feed %s: %d new index entries; reading the newest %d now, the rest on the next polls",
                     self.name, len(todo), MAX_ENTRIES)
        for key in todo[:MAX_ENTRIES]:
            href = key[0]
            url = self._resolve(href)
            if url is None:
                builder.quarantine("alert", href.encode("utf-8", "replace"), "index entry link is not http(s)")
                read.append(key)
                continue
            try:
                entry_body, entry_type = await self.get_bytes(url, accept="application/cap+xml, application/xml")
            except FeedError as exc:
                # one unreachable entry does not stop the others; it is retried on the next poll
                log.info("feed %s: entry %s: %s", self.name, href[:200], exc)
                self.last_error, self.last_error_at = f"entry: {exc}"[:500], utcnow()
                continue
            read.append(key)
            try:
                docs.append(parse_xml(entry_body, entry_type))
            except FeedError as exc:   # a broken CAP document is a bad record of the index
                builder.quarantine("alert", entry_body, f"entry {href[:200]}: {exc}")
        if docs:
            holder = Element("documents")
            for d in docs:
                holder.extend(cap_alerts(d))
            self.parser.add_document(builder, holder)
        await self.deliver(sink, builder, self.cursor)
        for key in read:    # only now: a failed commit leaves them to be read again on the next poll
            self._seen(key)

    def _seen(self, key: tuple[str, str]) -> None:
        self.fetched[key] = None
        self.fetched.move_to_end(key)
        while len(self.fetched) > 2 * MAX_INDEX:
            self.fetched.popitem(last=False)

    def _resolve(self, href: str) -> str | None:
        try:
            url = httpx.URL(self.section.url).join(href) if not self.section.url.startswith(("/", "./", "file:")) \
                else httpx.URL(href)
        except Exception:  # noqa: BLE001
            return None
        if url.scheme not in ("http", "https"):
            if self.section.url.startswith(("/", "./", "file:")) and not url.scheme:
                import os.path
                base = self.section.url[len("file://"):] if self.section.url.startswith("file://") else self.section.url
                return os.path.join(os.path.dirname(base), href)
            return None
        return str(url)
