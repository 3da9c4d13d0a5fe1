"""The polling half of the protocol: paging with a cursor, details, KPIs, grids, territory."""
from __future__ import annotations

import httpx
import pytest

from commandcenter.domain import decode_alert, decode_incident, decode_resource, parse_time
from commandcenter.domain import kpis as DK


def test_paging_with_since_and_limit_visits_every_incident_once(street) -> None:
    seen: dict[str, int] = {}
    since, pages = 0, 0
    with httpx.Client(base_url=street.url) as c:
        # taken first: the street keeps living, so an incident born after the last page is not a miss
        whole = c.get("/incidents", params={"limit": 5000}).json()["items"]
        while pages < 200:
            page = c.get("/incidents", params={"since": since, "limit": 7}).json()
            pages += 1
            for item in page["items"]:
                assert item["id"] not in seen or item["version"] > seen[item["id"]]
                seen[item["id"]] = item["version"]
            assert page["cursor"] >= since
            since = page["cursor"]
            if not page["more"]:
                break
        assert not page["more"]
    assert {i["id"] for i in whole} <= set(seen)
    assert len(seen) >= 20, "six hours of a street's history has a few dozen events"


def test_list_items_are_valid_records_with_id_version_and_updated_at(street) -> None:
    with httpx.Client(base_url=street.url) as c:
        for path, decode in (("/incidents", decode_incident), ("/resources", decode_resource), ("/alerts", decode_alert)):
            items = c.get(path, params={"limit": 5000}).json()["items"]
            assert items, path
            for item in items:
                record = decode(item)
                assert record.id and record.version >= 1
                parse_time(item["updated_at"])


def test_detail_has_the_full_timeline_and_unknown_ids_are_404(street) -> None:
    with httpx.Client(base_url=street.url) as c:
        first = c.get("/incidents", params={"limit": 1}).json()["items"][0]
        detail = c.get(f"/incidents/{first['id']}").json()
        assert detail["id"] == first["id"]
        assert detail["timeline"][0]["status"] == "reported"
        assert len(detail["timeline"]) >= 1
        missing = c.get("/incidents/EV-nope")
        assert missing.status_code == 404 and "error" in missing.json()


def test_bad_parameters_are_400(street) -> None:
    with httpx.Client(base_url=street.url) as c:
        assert c.get("/incidents", params={"limit": 0}).status_code == 400
        assert c.get("/incidents", params={"limit": 5001}).status_code == 400
        assert c.get("/incidents", params={"since": "x"}).status_code == 400


def test_kpis_list_named_values(street) -> None:
    body = httpx.get(f"{street.url}/kpis").json()
    parse_time(body["at"])
    names = {k["name"] for k in body["items"]}
    assert {d.key for d in DK.DEFS} <= names
    assert body["period"] == "today"
    assert httpx.get(f"{street.url}/kpis", params={"period": "year"}).json()["period"] == "year"
    assert httpx.get(f"{street.url}/kpis", params={"period": "week"}).status_code == 400
    assert all(k["node_id"] == "city" for k in body["items"])


def test_grids_are_a_geojson_feature_collection(street) -> None:
    body = httpx.get(f"{street.url}/grids").json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 197
    feat = body["features"][0]
    assert feat["geometry"]["type"] == "Polygon"
    ring = feat["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    assert {"id", "level", "name", "parent_id", "households", "grid_worker", "grid_head"} <= set(feat["properties"])


def test_territory_lists_every_level_with_departments_and_mediation(street) -> None:
    body = httpx.get(f"{street.url}/territory").json()
    levels = [n["level"] for n in body["items"]]
    assert levels[0] == "city" and levels.count("grid") == 197
    assert all(n["version"] == 1 and n["updated_at"] for n in body["items"])
    assert body["departments"] and body["mediation_centers"]


@pytest.mark.timeout(20)
def test_live_incidents_appear_within_a_second_of_start(fresh) -> None:
    """The demo floor's first event comes 0.2 s after start: an incident reported after the start time, whatever
    else the random stream draws (the next floor event is seconds away on average)."""
    import time

    from commandcenter.domain import parse_time

    sim = fresh()   # street profile, default rate: the demo floor guarantees visible life
    with httpx.Client(base_url=sim.url) as c:
        seen_new = False
        for _ in range(12):
            page = c.get("/incidents", params={"since": 0, "limit": 5000}).json()
            if any(parse_time(i["reported_at"]) >= sim.server.start_time for i in page["items"]):
                seen_new = True
                break
            time.sleep(0.1)
    assert seen_new, "a brand-new incident within ~1.2 s of start"


def test_the_requests_served_are_counted_by_route_without_the_control_routes(fresh) -> None:
    sim = fresh()
    with httpx.Client(base_url=sim.url) as c:
        before = c.get("/_control/requests").json()
        c.get("/incidents", params={"limit": 3})
        c.get("/incidents", params={"limit": 3})
        c.get("/status")
        after = c.get("/_control/requests").json()
    assert after["total"] - before["total"] == 3
    by_route = after["by_route"]
    assert by_route["/api/v1/incidents"] - before["by_route"].get("/api/v1/incidents", 0) == 2
    assert not any("_control" in route for route in by_route)
    assert after["in_flight"] == {}                       # nothing is being served between requests


def test_an_open_stream_is_a_request_in_flight_until_it_closes(fresh) -> None:
    sim = fresh()
    with httpx.Client(base_url=sim.url) as c, c.stream("GET", "/stream") as stream:
        next(stream.iter_lines())                         # the server has started answering
        assert c.get("/_control/requests").json()["in_flight"] == {"/api/v1/stream": 1}
