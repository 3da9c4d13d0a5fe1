"""Encode and decode µs per record on the simulator's record mix, and msgspec beside them (issue 18 point 3).

    PYTHONPATH=<checkout> python bench/record_codec.py

The mix: city profile, seed 7, 24 h of history; the last 30,000 incident, resource and alert messages decoded back
to records. Best of five passes in process CPU time. Prints one line per figure; not run by `python -m bench`.
Runs on checkouts before the one encoder too (their store encoders were `store.store._ENCODE_*`).
"""
from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from commandcenter.domain import Alert, Incident, Resource, decode, decode_stored, encode
from commandcenter.sim.server import SimServer

KIND: dict[str, type] = {"incident": Incident, "resource": Resource, "alert": Alert}


def per_record(fn: Callable[[], Any], n: int, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best / n * 1e6


def main() -> None:
    srv = SimServer(profile="city", seed=7, history_hours=24)
    srv.build()
    recs = [decode(KIND[m.type], m.data) for m in srv.log.messages if m.type in KIND][-30000:]
    n = len(recs)

    def dumps(o: Any) -> str:
        return json.dumps(o, ensure_ascii=False, separators=(",", ":"))

    try:
        from commandcenter.domain import encode_json
        from commandcenter.store.encoding import encode_alert, encode_incident, encode_resource
        wire: Callable[[Any], str] = encode_json
    except ImportError:   # before the one encoder
        from commandcenter.store.store import _ENCODE_ALERT as encode_alert  # type: ignore[attr-defined]
        from commandcenter.store.store import _ENCODE_INCIDENT as encode_incident  # type: ignore[attr-defined]
        from commandcenter.store.store import _ENCODE_RESOURCE as encode_resource  # type: ignore[attr-defined]

        def wire(r: Any) -> str:
            return dumps(encode(r))

    stored_form = {Incident: encode_incident, Resource: encode_resource, Alert: encode_alert}
    import msgspec  # the project decodes with it (domain/record_json.py); its encoder is here for comparison only

    enc = msgspec.json.Encoder()
    texts = [(type(r), dumps(encode(r))) for r in recs]
    stored = [(type(r), stored_form[type(r)](r)) for r in recs]
    dec = msgspec.json.Decoder()
    typed = {c: msgspec.json.Decoder(c) for c in KIND.values()}
    figures = {
        "dict form (codec.encode)": lambda: [encode(r) for r in recs],
        "wire text": lambda: [wire(r) for r in recs],
        "store data text": lambda: [stored_form[type(r)](r) for r in recs],
        "msgspec.json.encode (str)": lambda: [enc.encode(r).decode() for r in recs],
        "msgspec.to_builtins (dict)": lambda: [msgspec.to_builtins(r) for r in recs],
        "decode (feed: json.loads + codec.decode)": lambda: [decode(c, json.loads(t)) for c, t in texts],
        "decode_stored (store: json.loads + decode_stored)": lambda: [decode_stored(c, json.loads(t))
                                                                      for c, t in stored],
        "decode_stored over msgspec.json.decode": lambda: [decode_stored(c, dec.decode(t)) for c, t in stored],
        "msgspec typed decode (no limits, no reasons)": lambda: [typed[c].decode(t) for c, t in texts],
    }
    incs = [r for r in recs if type(r) is Incident]
    print(f"load {os.getloadavg()[0]:.2f}; mix: {len(incs)} incidents, "
          f"{sum(type(r) is Resource for r in recs)} resources, {sum(type(r) is Alert for r in recs)} alerts")
    for name, fn in figures.items():
        print(f"{name:50s} {per_record(fn, n):6.2f} µs/record")
    print(f"incident data bytes: store form {statistics.mean(len(encode_incident(r).encode()) for r in incs):.0f}, "
          f"msgspec every field {statistics.mean(len(enc.encode(r)) for r in incs):.0f}")
    same = sum(enc.encode(r).decode() == dumps(encode(r)) for r in recs)
    print(f"msgspec text == codec text: {same} of {n}")


if __name__ == "__main__":
    main()
