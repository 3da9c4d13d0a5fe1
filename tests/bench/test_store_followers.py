"""bench/store_followers.py on a tiny run (one recorder, 1 then 2 headless followers, a few seconds each): its
structural verdicts, never its timings — the backend sees the recorder alone whatever the number of followers,
and every follower is handed every commit exactly once and in order."""
from __future__ import annotations

import json

import pytest

from bench import store_followers as SF
from tests.support.store import PG_URL

pytestmark = pytest.mark.postgres


def test_followers_add_no_backend_load_and_each_applies_every_commit_once_in_order(
        capsys: pytest.CaptureFixture[str]) -> None:
    if not PG_URL:
        pytest.skip("COMMANDCENTER_TEST_PG_URL is not set (run scripts/pg-test-server and export the URL it prints)")
    assert SF.main(["--followers", "1,2", "--no-wall", "--seconds", "3", "--rate", "100", "--pg-url", PG_URL]) == 0
    out = capsys.readouterr()
    figures = {d["name"]: d for d in (json.loads(ln) for ln in out.out.splitlines() if ln.startswith("{"))}

    for n in (1, 2):
        complete = figures[f"followers_complete_n{n}"]
        assert complete["value"] == n, complete              # every follower: every commit once, in order
        assert complete["sent"] > 0 and complete["commits"] > 0
        assert all(f["incidents"] == complete["sent"] for f in complete["followers"].values())
        connections = figures[f"followers_pg_connections_n{n}"]["by_role"]
        assert all(connections.get(SF.FOLLOWER_APP.format(i), 0) >= 1 for i in range(n))   # each named its own

    one, two = figures["followers_backend_requests_per_s_n1"], figures["followers_backend_requests_per_s_n2"]
    assert one["streams_open"] == two["streams_open"] == {"/api/v1/stream": 1}    # the recorder's stream alone
    assert abs(two["run_total"] - one["run_total"]) <= 1     # about the same requests in a whole run, whatever N
    assert abs(two["value"] - one["value"]) <= 0.5            # requests/s: within noise, not one more client per N
    assert figures["followers_pg_connections_n2"]["by_role"]["recorder-lock"] == 1   # the recorder: one lock session
    # its records and its status: one session or two (the pool opens the second when a status write meets a
    # commit, which a lingering feed's few commits a second make a matter of chance), whatever N
    assert all(1 <= figures[f"followers_pg_connections_n{n}"]["by_role"]["recorder"] <= 2 for n in (1, 2))
    assert "| followers complete, in order | 1/1 | 2/2 |" in out.err     # the readable table
