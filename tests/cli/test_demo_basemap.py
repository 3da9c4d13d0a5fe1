"""The demo city comes with a basemap of its own: its river, roads and place names are written beside its store and
put under the map, unless the config brings a basemap; the published demo config still loads."""
from __future__ import annotations

import json
from pathlib import Path

from commandcenter.cli.common import published_demo, with_demo_basemap
from commandcenter.config import DEFAULT_CONFIG, load_config
from commandcenter.config.schema import MapLayerSection
from commandcenter.feeds.basemap import load_vector_layer
from commandcenter.sim.territory import generate


def test_the_demo_city_gets_its_own_basemap(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMANDCENTER_RUNTIME_DIR", str(tmp_path / "run"))
    city = generate("street", seed=1)
    config = with_demo_basemap(load_config(DEFAULT_CONFIG), city, tmp_path / "basemap")
    kinds = {layer.kind: layer.path for layer in config.map.layers}
    assert set(kinds) == {"water", "roads", "places"}
    roads = load_vector_layer(kinds["roads"], "roads")
    assert len(roads.lines) > 10 and 1 in roads.line_ranks
    places = load_vector_layer(kinds["places"], "places")
    names = {name for name, *_ in places.points}
    assert {n.name for n in city.nodes.values() if n.level.value in ("district", "street")} <= names
    water = json.loads(Path(kinds["water"]).read_text(encoding="utf-8"))
    assert {f["properties"]["kind"] for f in water["features"]} == {"river", "lake"}
    with published_demo(config, f"sqlite:///{tmp_path / 'demo.db'}") as path:   # written out and read back
        assert load_config(path).map.layers == config.map.layers


def test_a_config_with_its_own_basemap_keeps_it(tmp_path):
    own = tmp_path / "roads.geojson"
    own.write_text('{"type": "FeatureCollection", "features": []}')
    base = load_config(DEFAULT_CONFIG)
    config = base.model_copy(update={"map": base.map.model_copy(
        update={"layers": [MapLayerSection(kind="roads", path=str(own))]})})
    assert with_demo_basemap(config, generate("street", seed=1), tmp_path / "basemap") is config
    assert not (tmp_path / "basemap").exists()
