"""What a batch keeps when a feed delivers several versions of one record before the store commits."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from commandcenter.domain import (
    Category, Incident, Resource, ResourceKind, ResourceStatus, Severity, Source, Status,
)
from commandcenter.feeds.base import BatchBuilder, FeedBase

from tests.support.feeds import section

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def team(version: int, status: ResourceStatus, minutes: int) -> Resource:
    return Resource(id="fire-1", version=version, updated_at=T0 + timedelta(minutes=minutes), kind=ResourceKind.TEAM,
                    name="消防一队", status=status, incident_id="a" if status is not ResourceStatus.AVAILABLE else None)


def case(version: int, status: Status) -> Incident:
    return Incident(id="a", version=version, updated_at=T0 + timedelta(minutes=version), reported_at=T0, title="火灾",
                    category=Category.FIRE, source=Source.HOTLINE_12345, severity=Severity.HIGH, status=status, grid_id="g1")


def test_a_batch_keeps_every_newer_version_of_a_resource_in_order():
    b = BatchBuilder(FeedBase(section(), None))
    for rec in (team(2, ResourceStatus.DISPATCHED, 1), team(3, ResourceStatus.ON_SCENE, 7),
                team(3, ResourceStatus.ON_SCENE, 7), team(1, ResourceStatus.AVAILABLE, 0)):
        b.add("resource", rec)
    assert [(r.version, r.status) for r in b.batch.resources] == [(2, ResourceStatus.DISPATCHED),
                                                                   (3, ResourceStatus.ON_SCENE)]
    assert b.dropped == 2          # the repeat and the older version


def test_a_batch_keeps_only_the_newest_version_of_an_incident():
    """An incident carries its whole status timeline: its newest version says everything the older ones did."""
    b = BatchBuilder(FeedBase(section(), None))
    for rec in (case(1, Status.REPORTED), case(2, Status.ACCEPTED)):
        b.add("incident", rec)
    assert [(i.version, i.status) for i in b.batch.incidents] == [(2, Status.ACCEPTED)]


def test_a_pipelined_batch_skips_versions_the_batch_still_committing_holds():
    feed = FeedBase(section(), None)
    first = BatchBuilder(feed)
    first.add("resource", team(2, ResourceStatus.DISPATCHED, 1))
    second = BatchBuilder(feed, after=first)
    second.add("resource", team(2, ResourceStatus.DISPATCHED, 1))
    second.add("resource", team(3, ResourceStatus.ON_SCENE, 7))
    assert [r.version for r in second.batch.resources] == [3]
