"""`[wall] keep_ended_minutes` reaches the wall's live state through the composition root, at start and when
the config changes live: an incident ended longer ago than the window leaves the live state at the next prune."""
from __future__ import annotations

from datetime import timedelta

from commandcenter.config import parse_config
from commandcenter.domain import Status
from tests.support.wall import T0, config_text, incident


def test_the_wall_keeps_ended_incidents_as_long_as_its_config_says(qapp, qloop, sqlite_url):
    from commandcenter.ui.app import WallApp, make_app

    config = parse_config(config_text(rotate_seconds=0, extra="keep_ended_minutes = 30"))
    make_app(config)
    wall = WallApp(config, sqlite_url)
    closed = incident(0, at=T0, status=Status.CLOSED)      # ended at T0

    async def scenario() -> None:
        await wall.start(show=False)
        try:
            wall.live.apply(incidents=[closed])
            wall.commits.health([], T0 + timedelta(minutes=29))
            assert closed.id in wall.live.incidents
            wall.commits.health([], T0 + timedelta(minutes=31))
            assert closed.id not in wall.live.incidents

            wall.apply_config(parse_config(config_text(rotate_seconds=0, extra="keep_ended_minutes = 60")))
            wall.live.apply(incidents=[incident(0, at=T0, status=Status.CLOSED, version=2)])
            wall.commits.health([], T0 + timedelta(minutes=59))
            assert closed.id in wall.live.incidents
            wall.commits.health([], T0 + timedelta(minutes=61))
            assert closed.id not in wall.live.incidents
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
