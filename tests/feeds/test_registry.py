"""Feed kinds are found through one registry that matches what the config accepts."""
from __future__ import annotations


def test_every_feed_kind_the_config_accepts_has_a_builder():
    import typing

    from commandcenter.config.schema import FeedSection
    from commandcenter.feeds import CATALOGUE_KINDS, FEED_BUILDERS

    kinds = typing.get_args(FeedSection.model_fields["kind"].annotation)
    assert set(FEED_BUILDERS) | CATALOGUE_KINDS == set(kinds)
    assert not set(FEED_BUILDERS) & CATALOGUE_KINDS
