"""The store's record → JSON text (the `data` columns, from the domain's one encoder) is exactly what json.dumps
of the record's plain form writes (a field-by-field walk, written out here as the reference), and the SQLite time
text is what SQLAlchemy's DateTime writes, for awkward values too."""
from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, select

from commandcenter.domain import (
    AlertLevel, Category, EmergencyDomain, Incident, ResolutionLevel, Severity, Status, StatusChange, decode, encode,
    encode_json,
)
from commandcenter.store.schema import T
from commandcenter.store.encoding import encode_alert, encode_incident, encode_resource, sqlite_time


from bench.store_common import incidents as generated

from tests.support.store import T0, alert, inc, res


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _reference(value: Any) -> Any:
    """The plain form of a record, field by field (what the codec's encode walked before the one encoder)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        t = value if value.tzinfo else value.replace(tzinfo=UTC)
        return t.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if dataclasses.is_dataclass(value):
        return {f.name: _reference(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_reference(v) for v in value]
    if isinstance(value, dict):
        return {k: _reference(v) for k, v in value.items()}
    return value


def _expected_incident_text(i: Incident) -> str:
    """codec.encode without the timeline and without the fields left at their default value."""
    full = _reference(i)
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
        assert encode_incident(i) == _expected_incident_text(i), i.id


def test_incident_text_decodes_to_the_record_without_its_timeline() -> None:
    for i in AWKWARD:
        assert decode(Incident, json.loads(encode_incident(i))) == dataclasses.replace(i, timeline=()), i.id


def test_non_finite_floats_are_written_as_json_dumps_writes_them() -> None:
    i = inc("nan", lon=math.nan, lat=math.inf)
    assert encode_incident(i) == _expected_incident_text(i)
    assert '"lon":NaN' in encode_incident(i) and '"lat":Infinity' in encode_incident(i)


def test_resource_and_alert_text_is_what_json_dumps_of_the_codec_writes() -> None:
    for r in (res("r"), res("r2", quantity=3.0, threshold=5.0, lon=118.5, lat=37.25, incident_id="i\"1")):
        assert encode_resource(r) == _dumps(_reference(r))
    for a in (alert("w"), alert("w2", expires_at=T0 + timedelta(hours=3), level=AlertLevel.RED,
                                polygons=(((1.0, 2.0), (3.0, 4.0)),), grid_ids=("g1", "网格2"))):
        assert encode_alert(a) == _dumps(_reference(a))


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
        assert sqlite_time(t) == stored[k]
        aware = t if t.tzinfo else t.replace(tzinfo=UTC)
        assert back[str(k)] == aware


def test_the_codec_dict_and_text_are_the_plain_form_of_every_record() -> None:
    """The codec's dict (the wire) and its text (the store's resources and alerts) come from the one encoder."""
    records: list[Any] = [*AWKWARD, *generated(100, ["g1"], seed=3), res("r", quantity=2.5), alert("w")]
    for r in records:
        assert encode(r) == _reference(r), r.id
        assert encode_json(r) == _dumps(_reference(r)), r.id
