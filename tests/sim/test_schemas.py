"""What the server sends validates against docs/schemas/*.json."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.support.sim import read_sse

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    docs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources((name, Resource.from_contents(doc)) for name, doc in docs.items())
    out = {}
    for name, doc in docs.items():
        Draft202012Validator.check_schema(doc)
        out[name.removesuffix(".json")] = Draft202012Validator(doc, registry=registry)
    return out


def test_every_streamed_message_validates(street, validators) -> None:
    events = read_sse(street.url, 2000, timeout=3)
    kinds = set()
    for e in events:
        msg = json.loads(e.data)
        validators["message"].validate(msg)
        validators[msg["type"]].validate(msg["data"])
        kinds.add(msg["type"])
    assert {"incident", "resource", "alert", "kpi"} <= kinds


def test_rest_records_validate(street, validators) -> None:
    with httpx.Client(base_url=street.url) as c:
        for path, kind in (("/incidents", "incident"), ("/resources", "resource"), ("/alerts", "alert")):
            for item in c.get(path, params={"limit": 5000}).json()["items"]:
                validators[kind].validate(item)
        for node in c.get("/territory").json()["items"]:
            validators["territory"].validate(node)


def test_websocket_heartbeat_validates(validators) -> None:
    validators["heartbeat"].validate({"seq": 3, "type": "heartbeat", "sent_at": "2026-11-23T04:00:00Z",
                                      "data": {"last_seq": 3}})
