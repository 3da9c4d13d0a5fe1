"""Property-based fuzzing of every adapter's parser: no exception escapes; bad input lands in the quarantine
(or, for a whole response, becomes a FeedError that the run loop records as a feed error)."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commandcenter.domain import Alert, Incident, InvalidRecord, TerritoryNode
from commandcenter.feeds.base import BatchBuilder, FeedBase, FeedError
from commandcenter.feeds.cap import CapParser
from commandcenter.feeds.geojson import feature_to_node, parse_feature_collection
from commandcenter.feeds.native import Frame, SeqTracker, SSEParser, add_record, handle_message, load_json
from commandcenter.feeds.open311 import parse_requests, to_incident
from commandcenter.feeds.xmlsafe import parse_xml

from tests.support.feeds import incident, section

FIX = Path(__file__).parent / "fixtures"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=30),
    lambda c: st.lists(c, max_size=5) | st.dictionaries(st.text(max_size=12), c, max_size=5),
    max_leaves=20,
)


def builder() -> BatchBuilder:
    return BatchBuilder(FeedBase(section(), None))


@st.composite
def mutated(draw, base: dict) -> dict:
    """A valid record with some fields replaced by arbitrary JSON, some removed."""
    rec = dict(base)
    for key in draw(st.lists(st.sampled_from(sorted(base) + ["extra"]), max_size=4)):
        if draw(st.booleans()):
            rec[key] = draw(json_values)
        else:
            rec.pop(key, None)
    return rec


def _accounted(b: BatchBuilder, before: int) -> int:
    return len(b.batch) + b.dropped - before


@SETTINGS
@given(kind=st.sampled_from(["incident", "resource", "alert", "territory", "kpi", "weird"]),
       data=json_values | mutated(incident(1)))
def test_native_records(kind, data):
    b = builder()
    add_record(b, kind, data)          # never raises
    assert _accounted(b, 0) == 1       # became a record, or was quarantined (or deduped)
    for q in b.batch.quarantined:
        assert q.reason and isinstance(q.raw, bytes)
    for r in b.batch.incidents:
        assert isinstance(r, Incident)


@SETTINGS
@given(payload=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode())
       | mutated({"seq": 5, "type": "incident", "sent_at": "2026-11-23T09:00:00Z", "data": incident(1)})
       .map(lambda v: json.dumps(v).encode()),
       seq=st.none() | st.integers(0, 100))
def test_native_push_messages(payload, seq):
    feed = FeedBase(section(), None)
    b = BatchBuilder(feed)
    tracker = SeqTracker(0)
    handle_message(feed, b, Frame(data=payload, seq=seq), tracker)   # never raises
    try:
        msg = json.loads(payload)
    except ValueError:
        assert len(b.batch.quarantined) == 1
        return
    if not isinstance(msg, dict):
        assert len(b.batch.quarantined) == 1


@SETTINGS
@given(payload=json_values.map(lambda v: json.dumps(v).encode())
       | mutated({"seq": 5, "type": "incident", "sent_at": "2026-11-23T09:00:00Z", "data": incident(1)})
       .map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
       event=st.sampled_from(["incident", "alert", "resource", "heartbeat", "weird"]))
def test_an_sse_event_name_changes_nothing_about_what_a_message_becomes(payload, event):
    """A message whose SSE event names a record kind is read in one pass (envelope and record together); whatever
    the name and the message say, the batch, the quarantine and the seqs are those of the message read alone."""
    def handled(name: str) -> tuple[tuple[object, ...], float]:
        feed = FeedBase(section(), None)
        b, tracker = BatchBuilder(feed), SeqTracker(0)
        handle_message(feed, b, Frame(data=payload, seq=None, event=name), tracker)
        return (b.batch.incidents, b.batch.resources, b.batch.alerts, [q.reason for q in b.batch.quarantined],
                tracker.mark, sorted(tracker.ahead), tracker.unknown), feed.lag_s

    (named, named_lag), (alone, alone_lag) = handled(event), handled("")
    assert named == alone
    assert abs(named_lag - alone_lag) < 1.0      # from the same sent_at, read a moment apart


@SETTINGS
@given(body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_whole_native_response(body):
    try:
        load_json(body)
    except FeedError:
        pass


def _cut(stream: bytes, cuts: list[int]) -> list[bytes]:
    """`stream` cut at `cuts` (clamped, sorted, deduplicated): the chunks a network could deliver it in."""
    parts, last = [], 0
    for c in sorted(set(cuts)):
        c = min(c, len(stream))
        parts.append(stream[last:c])
        last = c
    parts.append(stream[last:])
    return parts


@SETTINGS
@given(stream=st.lists(st.sampled_from([b"id: 7\n", b"data: {\"seq\":1}\n", b"\n", b"\r\n", b"\r", b": hb\n",
                                        b"event: incident\n", b"retry: 10\n", b"data", b"x" * 50, b"id: \x00\n"])
                       | st.binary(max_size=40), max_size=30).map(b"".join),
       cuts=st.lists(st.integers(0, 400), max_size=6))
def test_sse_parser_is_chunking_invariant_and_capped(stream, cuts):
    whole = SSEParser(cap=64)
    frames_whole = whole.feed(stream)
    parts = _cut(stream, cuts)
    chunked = SSEParser(cap=64)
    frames_chunked = [f for p in parts if p for f in chunked.feed(p)]
    assert [(f.data, f.seq, f.event, bool(f.too_big)) for f in frames_whole] == \
           [(f.data, f.seq, f.event, bool(f.too_big)) for f in frames_chunked]
    for f in frames_whole:
        assert len(f.data) <= 4096 + 64


OPEN311 = json.loads((FIX / "open311_requests.json").read_text())[0]


@SETTINGS
@given(rec=json_values | mutated(OPEN311))
def test_open311_records(rec):
    try:
        inc = to_incident(rec, "f", {})
    except InvalidRecord as exc:
        assert exc.reason
    else:
        assert isinstance(inc, Incident) and inc.id.startswith("f:")


@SETTINGS
@given(body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode())
       | st.lists(mutated(OPEN311), max_size=3).map(lambda v: json.dumps(v).encode())
       | st.just((FIX / "open311_requests.xml").read_bytes()).flatmap(
           lambda x: st.integers(0, len(x)).map(lambda n: x[:n])))
def test_open311_responses(body):
    try:
        records = parse_requests(body)
    except FeedError:
        return
    for rec, raw in records:
        assert isinstance(raw, bytes)
        try:
            to_incident(rec, "f", {})
        except InvalidRecord:
            pass


CAP_DOCS = [p.read_text() for p in sorted(FIX.glob("cap_*.xml"))]


@st.composite
def cap_mutations(draw) -> bytes:
    """A spec example with text spans replaced: broken times, levels, polygons, truncation, junk."""
    doc = draw(st.sampled_from(CAP_DOCS))
    for _ in range(draw(st.integers(0, 4))):
        tag = draw(st.sampled_from(["sent", "status", "msgType", "severity", "urgency", "polygon", "circle",
                                    "expires", "identifier", "language", "value", "references", "effective"]))
        start = doc.find(f"<{tag}>")
        end = doc.find(f"</{tag}>")
        if start != -1 and end > start:
            junk = draw(st.text(alphabet=st.characters(blacklist_characters="<&", blacklist_categories=("Cs", "Cc")),
                                max_size=30))
            doc = doc[: start + len(tag) + 2] + junk + doc[end:]
    data = doc.encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@SETTINGS
@given(body=cap_mutations() | st.binary(max_size=200))
def test_cap_documents(body):
    try:
        root = parse_xml(body)
    except FeedError:
        return
    b = builder()
    CapParser("f").add_document(b, root)    # never raises
    for a in b.batch.alerts:
        assert isinstance(a, Alert)
        for ring in a.polygons:
            assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring)
    for q in b.batch.quarantined:
        assert q.reason


FEATURE = {"type": "Feature", "id": "G1", "properties": {"id": "G1", "level": "grid", "name": "第1网格", "parent_id": "C1"},
           "geometry": {"type": "Polygon", "coordinates": [[[120, 30], [120.1, 30], [120.1, 30.1], [120, 30]]]}}


@SETTINGS
@given(feature=json_values | mutated(FEATURE) | mutated(FEATURE["properties"]).map(lambda p: {**FEATURE, "properties": p}),
       body=st.binary(max_size=100))
def test_geojson(feature, body):
    try:
        node = feature_to_node(feature)
    except InvalidRecord as exc:
        assert exc.reason
    else:
        assert isinstance(node, TerritoryNode)
    for raw in (body, json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()):
        try:
            parse_feature_collection(raw)
        except FeedError:
            pass


def test_a_complete_line_over_the_cap_is_cut_the_same_as_one_arriving_in_pieces():
    stream = b"x" * 50 + b'data: {"seq":1}\n\n'
    whole = SSEParser(cap=64).feed(stream)
    chunked = SSEParser(cap=64)
    pieces = chunked.feed(stream[:65]) + chunked.feed(stream[65:])
    assert [(f.data, bool(f.too_big)) for f in whole] == [(f.data, bool(f.too_big)) for f in pieces]
    assert len(whole) == 1 and whole[0].too_big


@SETTINGS
@given(stream=st.lists(st.sampled_from([b"id: 7\n", b"id:12\n", b"data: {\"seq\":1}\n", b"data:x\n", b"data\n",
                                        b"\n", b": hb\n", b"event: incident\n", b"retry: 10\n", b"data: ",
                                        b"x" * 50, b"id: \x00\n", b"data: " + b"y" * 70 + b"\n",
                                        b"id: 8\nevent: incident\ndata: {\"seq\":8}\n\n",
                                        b"id: 09\nevent: alert\ndata: \n\n",
                                        b"id: 10\nevent: incident\ndata: " + b"z" * 40 + b"\n\n"])
                       | st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"")), max_size=30).map(b"".join),
       cuts=st.lists(st.integers(0, 400), max_size=6))
def test_the_sse_parsers_lf_fast_path_gives_what_the_general_line_walk_gives(stream, cuts):
    """Buffers without CR take a path of their own (whole usual events by a regex, other lines split and inlined);
    the frames and the parser's state must be those of the general walk (which CR-terminated lines take), for any
    stream and chunking."""
    fast, general = SSEParser(cap=64), SSEParser(cap=64)
    parts = _cut(stream, cuts)
    got_fast, got_general = [], []
    for p in parts:
        got_fast += fast.feed(p)
        got_general += general._feed_any(general.buf + p)
    assert [(f.data, f.seq, f.event, f.too_big) for f in got_fast] == \
           [(f.data, f.seq, f.event, f.too_big) for f in got_general]
    assert (fast.buf, fast.data, fast.size, fast.event, fast.id, fast.last_id, fast.retry_ms, fast.too_big,
            fast.skipping_line, fast.completed) == (general.buf, general.data, general.size, general.event,
                                                    general.id, general.last_id, general.retry_ms, general.too_big,
                                                    general.skipping_line, general.completed)


def test_the_seqs_after_a_hole_are_not_a_jump_but_one_far_beyond_them_is() -> None:
    tracker = SeqTracker(0)
    for seq in [*range(1, 100), *range(101, 1001)]:      # seq 100 never comes, in one batch's decoding
        tracker.see(seq)
    tracker.see(10**12)
    assert tracker.suspect == {10**12}
    assert tracker.settle() == 1000 and tracker.skipped == [(100, 100)]
