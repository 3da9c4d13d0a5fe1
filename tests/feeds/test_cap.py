"""CAP 1.2: the spec's Appendix A examples plus an Update/Cancel chain, served as documents and Atom/RSS indexes."""
from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from aiohttp import web

from commandcenter.domain import AlertLevel, AlertStatus, AlertType, FeedState
from commandcenter.feeds import make_feed
from commandcenter.feeds.base import BatchBuilder, FeedBase
from commandcenter.feeds.cap import CapParser
from commandcenter.feeds.xmlsafe import parse_xml

from tests.support.feeds import Collector, now, run_until, section, serve

FIX = Path(__file__).parent / "fixtures"
NS = 'xmlns="urn:oasis:names:tc:emergency:cap:1.2"'


def cap(identifier, sent, msg_type="Alert", status="Actual", refs="", info="", sender="zjyj@cma.gov.cn"):
    refs_el = f"<references>{refs}</references>" if refs else ""
    return (f'<alert {NS}><identifier>{identifier}</identifier><sender>{sender}</sender><sent>{sent}</sent>'
            f"<status>{status}</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs_el}{info}</alert>")


def info(level_param="", severity="Moderate", urgency="Expected", headline="暴雨黄色预警", lang="zh-CN",
         polygon="30.2,120.1 30.3,120.1 30.3,120.2 30.2,120.1", expires="2026-11-24T00:00:00+08:00"):
    param = f"<parameter><valueName>预警级别</valueName><value>{level_param}</value></parameter>" if level_param else ""
    return (f"<info><language>{lang}</language><category>Met</category><event>暴雨</event><urgency>{urgency}</urgency>"
            f"<severity>{severity}</severity><certainty>Likely</certainty><expires>{expires}</expires>"
            f"<senderName>杭州市气象台</senderName><headline>{headline}</headline><description>预计未来6小时降雨量将达50毫米以上</description>"
            f"{param}<area><areaDesc>西湖区</areaDesc><polygon>{polygon}</polygon></area></info>")


def parse_all(*docs: str | bytes):
    feed = FeedBase(section(kind="cap"), None)
    parser = CapParser("cap")
    out = []
    for d in docs:
        b = BatchBuilder(feed)
        parser.add_document(b, parse_xml(d.encode() if isinstance(d, str) else d))
        out.append(b.batch)
    return out


def test_spec_examples():
    (a1,), = [b.alerts for b in parse_all((FIX / "cap_a1_hsas.xml").read_bytes())]
    assert a1.level is AlertLevel.ORANGE                # the HSAS parameter carries the colour
    assert a1.area_desc == "U.S. nationwide and interests worldwide" and a1.drill_id is None
    (a2,), = [b.alerts for b in parse_all((FIX / "cap_a2_thunderstorm.xml").read_bytes())]
    assert a2.type is AlertType.WEATHER and a2.level is AlertLevel.RED    # Severe, Immediate, Observed
    assert a2.polygons[0][0] == (-120.14, 38.47) and len(a2.polygons[0]) == 5      # (lon, lat)
    assert a2.expires_at is not None and "TUOLUMNE" in a2.area_desc
    (a3,), = [b.alerts for b in parse_all((FIX / "cap_a3_earthquake_update.xml").read_bytes())]
    assert a3.id == "cap:TRI13970876.1"                 # an Update keeps the id of the alert it updates
    assert a3.references == ("trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00",)
    assert a3.level is AlertLevel.BLUE and len(a3.polygons) == 1          # circle → polygon
    (a4,), = [b.alerts for b in parse_all((FIX / "cap_a4_amber_multilingual.xml").read_bytes())]
    assert a4.title == "洛杉矶县安珀警报" and a4.area_desc == "洛杉矶县"  # zh-CN info preferred


def test_language_fallback_and_level_rules():
    en_es = (FIX / "cap_a4_amber_multilingual.xml").read_text().split("<info>\n    <language>zh-CN")[0] + "</alert>"
    (a,), = [b.alerts for b in parse_all(en_es)]
    assert a.title == "Amber Alert in Los Angeles County"
    docs = [cap("L1", "2026-11-23T10:00:00+08:00", info=info(level_param="橙色")),
            cap("L2", "2026-11-23T10:00:00+08:00", info=info(severity="Extreme")),
            cap("L3", "2026-11-23T10:00:00+08:00", info=info(severity="Minor")),
            cap("L4", "2026-11-23T10:00:00+08:00", info=info(level_param="Ⅲ级")),
            cap("L5", "2026-11-23T10:00:00+08:00", info=info(lang="en-US", headline="Rain") + info(lang="zh-cn", headline="暴雨"))]
    levels = [b.alerts[0].level for b in parse_all(*docs)]
    assert levels == [AlertLevel.ORANGE, AlertLevel.RED, AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.YELLOW]
    assert parse_all(docs[4])[0].alerts[0].title == "暴雨"


def test_update_cancel_chain_and_exercise():
    first = cap("HZ-1", "2026-11-23T10:00:00+08:00", info=info(level_param="黄色"))
    update = cap("HZ-2", "2026-11-23T11:00:00+08:00", "Update", refs="zjyj@cma.gov.cn,HZ-1,2026-11-23T10:00:00+08:00",
                 info=info(level_param="橙色", headline="暴雨橙色预警"))
    cancel = cap("HZ-3", "2026-11-23T12:00:00+08:00", "Cancel", refs="zjyj@cma.gov.cn,HZ-2,2026-11-23T11:00:00+08:00")
    drill = cap("EX-1", "2026-11-23T10:00:00+08:00", status="Exercise", info=info())
    test = cap("T-1", "2026-11-23T10:00:00+08:00", status="Test", info=info())
    b1, b2, b3, b4 = parse_all(first, update, cancel, drill)
    assert b1.alerts[0].id == b2.alerts[0].id == b3.alerts[0].id == "cap:HZ-1"
    assert b1.alerts[0].version < b2.alerts[0].version < b3.alerts[0].version
    assert b2.alerts[0].level is AlertLevel.ORANGE and b2.alerts[0].status is AlertStatus.ACTIVE
    assert b3.alerts[0].status is AlertStatus.CANCELLED
    # the Cancel carries no <info>: the cancelled warning keeps the headline and colour it was last issued with
    assert (b3.alerts[0].title, b3.alerts[0].level) == ("暴雨橙色预警", AlertLevel.ORANGE)
    assert b4.alerts[0].drill_id == "cap-exercise"
    assert parse_all(test)[0].alerts == []
    # out of order in one index: sorted by sent, every message of the chain is kept (the alert's update history)
    # and it ends cancelled
    feed = FeedBase(section(kind="cap"), None)
    b = BatchBuilder(feed)
    parser = CapParser("cap")
    parser.add_document(b, parse_xml(f"<feed xmlns='http://www.w3.org/2005/Atom'><entry><content type='application/xml'>{cancel}</content></entry>"
                                     f"<entry><content type='application/xml'>{first}</content></entry>"
                                     f"<entry><content type='application/xml'>{update}</content></entry></feed>".encode()))
    assert [(a.level, a.status) for a in b.batch.alerts] == [
        (AlertLevel.YELLOW, AlertStatus.ACTIVE), (AlertLevel.ORANGE, AlertStatus.ACTIVE),
        (AlertLevel.ORANGE, AlertStatus.CANCELLED)]


def test_bad_alerts_are_quarantined_and_unsafe_xml_refused():
    bad = [cap("B1", "not a time", info=info()),
           cap("B2", "2026-11-23T10:00:00+08:00", "Update", info=info()),                 # no references
           cap("B3", "2026-11-23T10:00:00+08:00", info=info(polygon="1,2 3")),
           cap("B4", "2026-11-23T10:00:00+08:00", info=info(polygon="95,120 30,120 30,121 95,120"))]
    for d in bad:
        (batch,) = parse_all(d)
        assert batch.alerts == [] and len(batch.quarantined) == 1, d
        assert batch.quarantined[0].raw.startswith(b"<")
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><alert>&lol2;</alert>'
    import pytest
    from commandcenter.feeds.base import FeedError
    with pytest.raises(FeedError, match="unsafe XML"):
        parse_xml(bomb)
    ext = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>'
    with pytest.raises(FeedError, match="unsafe XML"):
        parse_xml(ext)


def test_feed_reads_atom_and_rss_indexes_over_http():
    async def main():
        docs = {
            "a2.xml": (FIX / "cap_a2_thunderstorm.xml").read_text(),
            "hz1.xml": cap("HZ-1", "2026-11-23T10:00:00+08:00", info=info(level_param="黄色")),
            "broken.xml": "<alert><identifier>x",
        }
        state = {"atom": ["a2.xml", "hz1.xml", "broken.xml"]}

        async def atom(request):
            entries = "".join(f"<entry><id>{n}</id><updated>2026-11-23T10:00:00Z</updated>"
                              f"<link rel='alternate' type='application/cap+xml' href='cap/{n}'/></entry>" for n in state["atom"])
            return web.Response(text=f"<feed xmlns='http://www.w3.org/2005/Atom'>{entries}</feed>", content_type="application/atom+xml")

        async def rss(request):
            items = "".join(f"<item><link>cap/{n}</link><pubDate>x</pubDate></item>" for n in ("a2.xml", "hz1.xml"))
            return web.Response(text=f"<rss version='2.0'><channel>{items}</channel></rss>", content_type="application/rss+xml")

        async def doc(request):
            return web.Response(text=docs[request.match_info["name"]], content_type="application/cap+xml")

        async def html(request):
            return web.Response(text="<html><body>Bad gateway</body></html>", content_type="text/html")

        app = web.Application()
        app.router.add_get("/atom", atom)
        app.router.add_get("/rss", rss)
        app.router.add_get("/cap/{name}", doc)
        app.router.add_get("/html", html)
        async with serve(app) as base, httpx.AsyncClient() as client:
            for path in ("/atom", "/rss"):
                feed = make_feed(section(kind="cap", url=base + path, interval=0.05), client)
                sink = Collector()
                await run_until(lambda: feed.run(sink, None), lambda: len(sink.all("alerts")) >= 2, timeout=5)
                assert {a.id for a in sink.all("alerts")} == {"t:KSTO1055887203", "t:HZ-1"}
                assert feed.health(now()).state is FeedState.LIVE
                if path == "/atom":
                    assert len(sink.all("quarantined")) == 1    # the broken entry, once
            one = make_feed(section(kind="cap", url=base + "/cap/a2.xml", interval=0.05), client)
            sink = Collector()
            await run_until(lambda: one.run(sink, None), lambda: sink.all("alerts"), timeout=5)
            h = make_feed(section(kind="cap", url=base + "/html", interval=0.05), client)
            h.backoff_base = h._backoff.base = 0.01
            await run_until(lambda: h.run(Collector(), None), lambda: h.consecutive_failures >= 3, timeout=5)
            assert "HTML" in h.health(now()).last_error and h.health(now()).state is FeedState.DOWN

    asyncio.run(main())
