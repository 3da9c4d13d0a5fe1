"""The fault suite: every test here is marked `fault`; the whole directory stays well under two minutes."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.faults import City


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/faults" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.fault)
            # Cutting streams mid-read leaves httpx async generators to be finalised by the GC
            # ("async generator ignored GeneratorExit"); reported to the feeds owner, not what this suite tests.
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))


@pytest.fixture(autouse=True)
def _gc_stays_on_the_loop_thread(gc_on_the_loop_thread: None) -> None:
    """Streams cut mid-read leave httpx async generators for the GC: collections stay on the loop thread."""


@pytest.fixture
def city() -> Iterator[City]:
    c = City()
    yield c
    c.stop()


