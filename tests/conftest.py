from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support import Cluster, RunningServer, make_installation

_names = itertools.count(1)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("pg"))
    yield c
    c.stop()


@pytest.fixture(scope="module")
async def server(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    inst = await make_installation(cluster, tmp_path_factory.mktemp("data"))
    running = await RunningServer(inst).start()
    yield running
    await running.stop()


@pytest.fixture
def unique() -> str:
    """A short name no other test in this module uses."""
    return f"n{next(_names)}"
