"""One-click details (issue 6.6): the panel appears at once from the live state, completes from the store
(timeline, KPIs, records behind a KPI) and from the backend's detail endpoint with photos (cached, size-capped);
links open only for http/https after a confirmation."""
from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from commandcenter.config import config_from_dict
from commandcenter.domain import Status, StatusChange, encode
from commandcenter.services import IngestPipeline
from commandcenter.store import Store
from commandcenter.ui.alert_actions import AlertActions
from commandcenter.feeds.transport import MediaPolicy
from commandcenter.ui.details import DetailController, DetailPanel, LinkGuard, PhotoCache, is_web_url

from tests.support import wall_data as W

FEED = "http://feed.test/api/v1"


def png_bytes(w: int = 40, h: int = 30) -> bytes:
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("#ff8800"))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data)


def backend(requests: list[str]):
    full = W.incidents()[0]
    full = replace(full, version=3, description="住户反映夜间噪音，已联系物业。", photos=("photos/p1.png", "http://big.test/huge.png", "file:///etc/passwd"),
                   timeline=full.timeline + (StatusChange(Status.DISPATCHED, W.T0, "赵六", "物业公司", "转办物业"),),
                   departments=("司法所", "物业公司"))

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        if request.url.path == "/api/v1/incidents/E1":
            return httpx.Response(200, json=encode(full))
        if request.url.path == "/api/v1/photos/p1.png":
            return httpx.Response(200, content=png_bytes(), headers={"content-type": "image/png"})
        if request.url.host == "big.test":
            return httpx.Response(200, content=b"x" * 2048)
        return httpx.Response(404)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.fixture
def env(ui, clock, qloop, sqlite_url):
    store = Store.open(sqlite_url)
    incs = W.incidents()
    store.apply("city", territory=W.territory(), incidents=incs, alerts=W.alerts(), resources=W.resources())
    # the live state has the incidents without their timelines: the store completes them
    live = W.live_city(incidents=[replace(i, timeline=()) for i in incs])
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    requests: list[str] = []
    client = backend(requests)
    actions = AlertActions(live, pipeline.in_store, store, clock=clock)
    shown: list[DetailPanel] = []
    ctl = DetailController(live, shown.append, in_store=pipeline.in_store, store=store, feed_url=FEED,
                           client=lambda: client, media_client=lambda: client, clock=clock, alert_actions=actions,
                           guidance={"weather": "启动防汛应急预案；通知网格员排查低洼地带。"})
    ctl.photos.max_bytes = 1024
    yield ctl, shown, requests, actions, store
    qloop.run_until_complete(client.aclose())
    qloop.run_until_complete(pipeline.close())
    store.close()


def test_incident_detail_live_then_store_then_backend(env, qloop):
    ctl, shown, requests, _, _ = env
    panel = ctl.open("incident", "E1")
    assert shown == [panel]                                 # on the wall at once, from the live state
    assert ctl.timings["live_ms"] < 300
    text = panel.text()
    assert "邻里噪音纠纷" in panel.title.text()
    for expected in ("来源：网格通", "上报人：李四", "网格：第1网格", "网格员：网格员1", "处置人：王五", "涉及部门：司法所",
                     "时限：正常 · 办结 47 小时"):
        assert expected in text, expected
    assert "王五" not in "\n".join(t for t in panel.texts() if t.startswith("2026"))   # no store timeline yet
    qloop.run_until_complete(ctl.complete("incident", "E1"))
    panel = ctl.panel
    text = panel.text()
    assert ctl.timings["store_ms"] < 300
    # the timeline with times and handlers (store), then the backend's fuller record and its photos
    assert "2026-11-23 09:51:00 · 受理 · 王五 · 司法所 · 已受理" in text
    assert "转办物业" in text and "涉及部门：司法所、物业公司" in text and "描述：住户反映夜间噪音" in text
    assert f"{FEED}/incidents/E1" in requests
    assert "http://feed.test/api/v1/photos/p1.png" in requests
    assert sum("照片不可用" in t for t in panel.texts()) == 2          # too big, and a file:// URL never fetched
    assert not any(r.startswith("file:") for r in requests)
    assert any(lab.pixmap() is not None and not lab.pixmap().isNull() for lab in panel.labels())
    assert panel.state.text() == "✓ 已完整"


def test_grid_detail_open_events_kpis_and_links(env, qloop):
    ctl, shown, *_ = env
    qloop.run_until_complete(ctl.complete("grid", "G4"))
    text = ctl.panel.text()
    assert "所属：东营市 › 东营区 › 文汇街道 › 和平社区" in text
    assert "网格员：网格员4" in text and "户数：303" in text
    assert "在办事件（1）" in text and "积水" in text
    assert "今日指标" in text and "事件数：1" in text
    link = next(lab for lab in ctl.panel.labels() if lab.property("target") == "incident:E3")
    link.clicked.emit()                                      # a click inside the panel opens the incident
    assert shown[-1].kind == "incident" and shown[-1].record_id == "E3"


def test_alert_detail_guidance_and_operator_actions(env, qloop):
    ctl, shown, _, actions, _ = env
    qloop.run_until_complete(actions.acknowledge("A4", "张三", "已通知", console="console-1"))
    qloop.run_until_complete(ctl.complete("alert", "A4"))
    text = ctl.panel.text()
    assert "级别：Ⅰ 红色预警" in text and "类型：气象" in text
    assert "处置指引：启动防汛应急预案" in text
    assert "确认 · 张三 @ console-1 · 已通知" in text
    assert "第1网格" in text                                  # grids it covers, as links


def test_resource_and_kpi_details(env, qloop):
    ctl, *_ = env
    ctl.open("resource", "R5")
    text = ctl.panel.text()
    assert "数量/阈值：⚠ 低于阈值 120 袋 / 500" in text and "状态：● 待命" in text
    ctl.open("resource", "R2")
    assert any(lab.property("target") == "incident:E4" for lab in ctl.panel.labels())
    qloop.run_until_complete(ctl.complete("kpi", "events_per_category:dispute"))
    text = ctl.panel.text()
    assert "分项：矛盾纠纷" in text
    assert "相关记录（2）" in text                              # E1 and E6 reported today; drill excluded
    targets = {lab.property("target") for lab in ctl.panel.labels()}
    assert {"incident:E1", "incident:E6"} <= targets
    qloop.run_until_complete(ctl.complete("kpi", "events_per_grid:G4"))
    assert "相关记录（1）" in ctl.panel.text()


def test_links_only_http_after_confirmation(ui, qtbot):
    opened: list[str] = []
    guard = LinkGuard(opener=lambda url: opened.append(url.toString()) or True)
    assert guard.request("file:///etc/passwd") is None
    assert guard.request("javascript:alert(1)") is None
    assert not is_web_url("ftp://x.test/a") and is_web_url("https://x.test/a")
    box = guard.request("https://city.example/case/1")
    assert box is not None and not box.isModal() and opened == []
    box.done(QMessageBox.StandardButton.Cancel)
    assert opened == []
    box = guard.request("https://city.example/case/1")
    box.done(QMessageBox.StandardButton.Open)
    assert opened == ["https://city.example/case/1"]


def test_photo_cache_caps_and_caches(ui, qloop):
    hits: list[str] = []

    def handler(request):
        hits.append(str(request.url))
        return httpx.Response(200, content=png_bytes(2000, 1000))

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    policy = MediaPolicy.for_feed("http://p.test")
    cache = PhotoCache(lambda: client, policy=policy, max_bytes=1_000_000)
    try:
        img = qloop.run_until_complete(cache.get("http://p.test/a.png"))
        again = qloop.run_until_complete(cache.get("http://p.test/a.png"))
        small = PhotoCache(lambda: client, policy=policy, max_bytes=100)
        refused = qloop.run_until_complete(small.get("http://p.test/b.png"))
    finally:
        qloop.run_until_complete(client.aclose())
    assert img is again and max(img.width(), img.height()) <= 360     # scaled down for the wall
    assert hits.count("http://p.test/a.png") == 1
    assert refused is None


def test_open_panel_follows_live_updates_in_place(env, qloop, qtbot):
    ctl, shown, *_ = env
    panel = qloop.run_until_complete(ctl.complete("incident", "E1"))
    qtbot.addWidget(panel)
    panel.show()
    live_inc = ctl.live.incidents["E1"]
    ctl.live.apply(incidents=[replace(live_inc, version=4, status=Status.CLOSED, closed_at=W.T0)])   # newer than the backend's v3
    text = panel.text()
    assert "状态：办结" in text and "时限：✓ 已完成" in text
    assert "2026-11-23 09:51:00 · 受理 · 王五 · 司法所 · 已受理" in text      # the stored timeline is kept
    assert panel.texts().index("状态：办结") < panel.texts().index("照片")


def test_backend_down_keeps_the_store_data_and_says_so(ui, clock, qloop, sqlite_url):
    store = Store.open(sqlite_url)
    store.apply("city", territory=W.territory(), incidents=W.incidents())
    live = W.live_city()
    pipeline = IngestPipeline(config_from_dict({}), store, live)

    def down(request):
        raise httpx.ConnectError("refused")

    client = httpx.AsyncClient(transport=httpx.MockTransport(down))
    ctl = DetailController(live, lambda w: None, in_store=pipeline.in_store, store=store, feed_url=FEED,
                           client=lambda: client, clock=clock)
    try:
        panel = qloop.run_until_complete(ctl.complete("incident", "E1"))
    finally:
        qloop.run_until_complete(client.aclose())
        qloop.run_until_complete(pipeline.close())
        store.close()
    assert panel.state.text() == "⚠ 后台不可达"
    assert "王五 · 司法所 · 已受理" in panel.text()
