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


@pytest.fixture(autouse=True)
def ledger_adds_up(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test that ran a server: each ledger entry sums to zero (issue 7's invariant)."""
    yield
    if "server" not in request.fixturenames:
        return
    import psycopg

    from server.db.raw import conninfo
    from server.ledger.checks import problems

    running: RunningServer = request.getfixturevalue("server")
    urls = running.inst.urls
    with psycopg.connect(conninfo(urls.owner_url or urls.app_url)) as conn:
        found = problems(conn)
    assert not found, found
