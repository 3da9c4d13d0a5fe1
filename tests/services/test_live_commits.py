"""The live state has one writer (services.live_commits.LiveCommits): feeds' commits, a drill's records and its
end, and a replacement reach the views as one ordered stream of changes."""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime, UTC

from commandcenter.domain import Category, Incident, Severity, Source, Status
from commandcenter.services import Change, LiveState
from commandcenter.services.live_commits import LiveCommits, committed

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def incident(i: int, drill_id: str | None = None) -> Incident:
    return Incident(id=f"E{i}", version=1, updated_at=T0, reported_at=T0, title="井盖缺失",
                    category=Category.UTILITIES, source=Source.GRID_APP, severity=Severity.MEDIUM,
                    status=Status.REPORTED, grid_id="G1", drill_id=drill_id)


def test_records_published_on_the_loop_with_nothing_queued_are_shown_at_once() -> None:
    live = LiveState()
    commits = LiveCommits(live)
    commits.publish(committed([incident(1)]))
    assert set(live.incidents) == {"E1"}


def test_a_drill_end_waits_behind_what_was_committed_before_it(qloop) -> None:
    """A feed's batch committed on another thread, then the drill's end on the loop: the end does not overtake it
    (else the drill's last records would reach the wall after it ended)."""
    live = LiveState()
    commits = LiveCommits(live)
    seen: list[Change] = []
    live.on_change(seen.append)

    async def scenario() -> None:
        commits.bind(asyncio.get_running_loop())
        feed = threading.Thread(target=lambda: asyncio.run(commits.show(
            committed([incident(1, "D1"), incident(2)]), [])))   # as the feed thread's sink does
        feed.start()
        feed.join()
        commits.end_drill("D1")                    # queued behind the batch, not applied before it
        assert not live.incidents
        await commits.settled()

    qloop.run_until_complete(scenario())
    assert [sorted(i.id for i in c.incidents) for c in seen if c.incidents] == [["E1", "E2"]]
    assert seen[-1].removed_incidents == ("E1",) and set(live.incidents) == {"E2"}


def test_a_replacement_reaches_the_views_as_one_reset() -> None:
    live = LiveState()
    commits = LiveCommits(live)
    commits.publish(committed([incident(1), incident(2)]))
    seen: list[Change] = []
    live.on_change(seen.append)
    commits.replace([incident(3)], [], [])
    assert len(seen) == 1 and seen[0].reset and set(live.incidents) == {"E3"}
