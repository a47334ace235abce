"""The fleet's Dask lock per channel (``fleet._cluster_lock``) on a real local cluster on 127.0.0.1.

Two worker processes (each under a nanny, as ``dask worker`` runs by default) and the scheduler in this
process; the lease timeout is shortened, as the README tells an operator to, so a dead holder costs
seconds. What holds the lock is read from the scheduler itself, not from what the tasks say.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="the fleet needs Dask: pip install '.[cluster]'")
import cloudpickle  # noqa: E402  (Dask's own dependency)
import dask  # noqa: E402

from briefing.daily import fleet  # noqa: E402

LEASE_S = 2
# The tasks below are sent by value: the workers need not import the tests.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def take(library: str, name: str, timeout: float) -> bool:
    """In a worker: take the channel's lock as the fleet does; once held, say so and keep it until told."""
    from distributed import Event

    with fleet._cluster_lock(Path(library), timeout) as held:
        if held:
            Event(f"{name}-holds").set()
            Event(f"{name}-lets-go").wait(60)
    return held


def leases(client: distributed.Client) -> dict[str, int]:
    """How many holders the scheduler counts on each lock that has any."""
    def count(dask_scheduler) -> dict[str, int]:
        return {name: len(held) for name, held in dask_scheduler.extensions["semaphores"].leases.items() if held}
    return client.run_on_scheduler(count)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[distributed.Client, list[str]]]:
    """One cluster for the module (starting one is most of its time); the test that kills a worker runs last.
    Configured as the fleet configures the cluster it starts (no profiler for a dashboard it has not)."""
    with dask.config.set({**fleet.CLUSTER_CONFIG, "distributed.scheduler.locks.lease-timeout": f"{LEASE_S}s",
                          "distributed.scheduler.locks.lease-validation-interval": "200ms"}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, worker_dashboard_address=None) as local, \
                distributed.Client(local) as client:
            client.wait_for_workers(2, timeout=30)
            yield client, sorted(client.scheduler_info()["workers"])


def test_two_workers_cannot_both_hold_a_channel_s_lock(cluster, tmp_path):
    client, (first, second) = cluster
    channel = str(tmp_path / "harbour")
    holding = client.submit(take, channel, "first", 10, workers=[first], pure=False)
    assert distributed.Event("first-holds", client=client).wait(timeout=30)

    refused = client.submit(take, channel, "second", 1, workers=[second], pure=False)

    assert refused.result(timeout=30) is False
    assert list(leases(client).values()) == [1]
    distributed.Event("first-lets-go", client=client).set()
    assert holding.result(timeout=30) is True
    assert leases(client) == {}
    taken = client.submit(take, channel, "third", 1, workers=[second], pure=False)
    assert distributed.Event("third-holds", client=client).wait(timeout=30)
    distributed.Event("third-lets-go", client=client).set()
    assert taken.result(timeout=30) is True


def test_a_killed_holder_s_lock_is_taken_once_its_lease_runs_out(cluster, tmp_path):
    client, (first, second) = cluster
    channel = str(tmp_path / "harbour")
    doomed = client.submit(take, channel, "doomed", 10, workers=[first], pure=False)
    assert distributed.Event("doomed-holds", client=client).wait(timeout=30)
    pid = client.run(os.getpid, workers=[first])[first]

    os.kill(pid, signal.SIGKILL)  # mid-channel: nothing releases the lock; its nanny starts a fresh worker
    killed = time.monotonic()
    doomed.cancel()  # pinned to the dead worker's address: it could never run again anyway
    successor = client.submit(take, channel, "successor", 30, workers=[second], pure=False)

    assert distributed.Event("successor-holds", client=client).wait(timeout=30)
    waited = time.monotonic() - killed
    assert list(leases(client).values()) == [1]  # the successor's alone: the dead holder's lease is gone
    # Within the lease and the scheduler's checks, with room for a busy machine; far from Dask's default 30 s.
    assert waited < LEASE_S + 10, waited
    distributed.Event("successor-lets-go", client=client).set()
    assert successor.result(timeout=30) is True
