"""GeoJSON grid boundaries from the simulator's /grids and from a file; unchanged content is not re-delivered."""
from __future__ import annotations

import asyncio
import json

import httpx

from commandcenter.domain import FeedState, TerritoryLevel
from commandcenter.feeds import make_feed
from commandcenter.sim import SimServer

from tests.support.feeds import Collector, now, run_until, section


def test_grids_from_sim_and_file(tmp_path):
    async def main():
        server = SimServer(profile="street", seed=3, history_hours=0.1)
        url = await server.start()
        try:
            async with httpx.AsyncClient() as client:
                feed = make_feed(section(kind="geojson", url=url + "/grids", interval=0.05), client)
                sink = Collector()
                await run_until(lambda: feed.run(sink, None), lambda: sink.all("territory"), timeout=10)
                nodes = sink.all("territory")
                assert len(nodes) == len(server.city.grids)
                assert all(n.level is TerritoryLevel.GRID and len(n.polygon) >= 4 and n.parent_id for n in nodes)
                assert sink.cursor.startswith("sha256:")
                assert feed.health(now()).state is FeedState.LIVE
                body = (await client.get(url + "/grids")).json()
        finally:
            await server.stop()
        body["features"][0]["geometry"] = {"type": "Point", "coordinates": [1, 2]}
        body["features"].append({"type": "Feature", "properties": {"id": "M1", "name": "飞地"},
                                 "geometry": {"type": "MultiPolygon", "coordinates": [
                                     [[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[0, 0], [3, 0], [3, 3], [0, 0]]]]}})
        path = tmp_path / "grids.geojson"
        path.write_text(json.dumps(body))
        feed = make_feed(section(kind="geojson", url=str(path), interval=0.05), None)
        sink = Collector()
        await run_until(lambda: feed.run(sink, None), lambda: sink.all("territory"), timeout=5)
        assert len(sink.all("quarantined")) == 1 and "Point" in sink.all("quarantined")[0].reason
        m1 = [n for n in sink.all("territory") if n.id == "M1"][0]
        assert max(x for x, _ in m1.polygon) == 3          # the largest polygon of a MultiPolygon
        # same content, restarted with the saved cursor: nothing re-delivered
        again = Collector()
        feed2 = make_feed(section(kind="geojson", url=str(path), interval=0.05), None)
        await run_until(lambda: feed2.run(again, sink.cursor), lambda: feed2.last_ok_at is not None, timeout=5)
        assert again.batches == []

    asyncio.run(main())
