"""The store's compiled record → JSON text encoders write exactly the text json.dumps of the codec's dict would
(the `data` columns), and the SQLite time text SQLAlchemy's DateTime would, for awkward values too."""
from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, select

from commandcenter.domain import (
    AlertLevel, Category, EmergencyDomain, Incident, ResolutionLevel, Severity, Status, StatusChange, decode, encode,
)
from commandcenter.store.schema import T
from commandcenter.store.store import _ENCODE_ALERT, _ENCODE_INCIDENT, _ENCODE_RESOURCE, _sqlite_time


from bench.store_common import incidents as generated

from tests.support.store import T0, alert, inc, res


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _expected_incident_text(i: Incident) -> str:
    """codec.encode without the timeline and without the fields left at their default value."""
    full = encode(i)
    defaults = {f.name: f.default for f in dataclasses.fields(Incident) if f.default is not dataclasses.MISSING}
    return _dumps({k: v for k, v in full.items()
                   if k != "timeline" and not (k in defaults and getattr(i, k) == defaults[k])})


AWKWARD = [
    inc("plain"),
    inc("escapes", title='引号 "quoted" \\ back\nslash\ttab \u2028 \x01 😀', description="描述 </script>",
        reporter="王", handler="李", grid_worker="张"),
    inc("shanghai-time", at=datetime(2026, 3, 2, 16, 0, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai"))),
    inc("whole-second", at=datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC),
        accepted_at=datetime(2026, 3, 2, 8, 0, 0, 999999, tzinfo=UTC)),
    inc("every-field", 7, status=Status.FOLLOWED_UP, emergency=True, emergency_domain=list(EmergencyDomain)[0],
        lon=118.123456789, lat=-0.0, departments=("消防", "公安"), accepted_at=T0 + timedelta(minutes=1),
        dispatched_at=T0 + timedelta(minutes=2), arrived_at=T0 + timedelta(minutes=9),
        assessed_at=T0 + timedelta(minutes=20), closed_at=T0 + timedelta(hours=1),
        followed_up_at=T0 + timedelta(days=1), resolution_level=ResolutionLevel.STREET, on_the_spot=True,
        satisfaction=5, people_trapped=3, photos=("a.jpg",), drill_id="drill-1", severity=Severity.CRITICAL,
        category=Category.FIRE, timeline=(StatusChange(Status.REPORTED, T0, "w", "d", "n"),)),
    inc("zero-not-default", lon=0.0, lat=0.0, satisfaction=0),
    inc("huge-float", lon=1e300, lat=5e-324),
]


def test_incident_text_is_what_json_dumps_of_the_codec_writes() -> None:
    records = AWKWARD + list(generated(300, ["g1", "g2"], seed=11))
    for i in records:
        assert _ENCODE_INCIDENT(i) == _expected_incident_text(i), i.id


def test_incident_text_decodes_to_the_record_without_its_timeline() -> None:
    for i in AWKWARD:
        assert decode(Incident, json.loads(_ENCODE_INCIDENT(i))) == dataclasses.replace(i, timeline=()), i.id


def test_non_finite_floats_are_written_as_json_dumps_writes_them() -> None:
    i = inc("nan", lon=math.nan, lat=math.inf)
    assert _ENCODE_INCIDENT(i) == _expected_incident_text(i)
    assert '"lon":NaN' in _ENCODE_INCIDENT(i) and '"lat":Infinity' in _ENCODE_INCIDENT(i)


def test_resource_and_alert_text_is_what_json_dumps_of_the_codec_writes() -> None:
    for r in (res("r"), res("r2", quantity=3.0, threshold=5.0, lon=118.5, lat=37.25, incident_id="i\"1")):
        assert _ENCODE_RESOURCE(r) == _dumps(encode(r))
    for a in (alert("w"), alert("w2", expires_at=T0 + timedelta(hours=3), level=AlertLevel.RED,
                                polygons=(((1.0, 2.0), (3.0, 4.0)),), grid_ids=("g1", "网格2"))):
        assert _ENCODE_ALERT(a) == _dumps(encode(a))


def test_sqlite_time_text_is_what_sqlalchemy_writes(tmp_path: Path) -> None:
    times = [T0, T0.replace(microsecond=1), datetime(2026, 3, 2, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
             datetime(1999, 12, 31, 23, 59, 59, 999999), datetime(2026, 7, 1, 2, 3, 4, 500000, tzinfo=UTC)]
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    T["feed_cursors"].create(engine)
    with engine.begin() as conn:
        for k, t in enumerate(times):
            conn.execute(insert(T["feed_cursors"]).values(feed=str(k), cursor=None, updated_at=t))
        stored = {int(f): raw for f, raw in conn.exec_driver_sql("SELECT feed, updated_at FROM feed_cursors")}
        back = dict(conn.execute(select(T["feed_cursors"].c.feed, T["feed_cursors"].c.updated_at)).all())
    engine.dispose()
    for k, t in enumerate(times):
        assert _sqlite_time(t) == stored[k]
        aware = t if t.tzinfo else t.replace(tzinfo=UTC)
        assert back[str(k)] == aware
