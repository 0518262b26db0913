"""Scale-out on Dask: send (strategy, replication) runs to a ``dask.distributed`` cluster.

Optional: ``pip install 'followup-sim[dask]'``. Runs are pure functions of their inputs, so
a cluster gives the same numbers as local workers for the same seed.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator


def map_on_dask(fn: Callable, jobs: list, address: str) -> Iterator[tuple[int, object]]:
    """Yield (job index, result) as runs finish. ``address`` is a scheduler address or 'local'."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("--dask needs the optional extra: pip install 'followup-sim[dask]'") from exc
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) if address == "local" else None
    client = Client(cluster if cluster is not None else address)
    try:
        futures = client.map(fn, jobs, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            yield index[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def cluster_address(address: str) -> Iterator[str]:
    """The scheduler address for many ``map_on_dask`` calls in a row: for 'local', one local
    cluster (as ``map_on_dask`` starts) kept for the whole block instead of one per call."""
    if address != "local":
        yield address
        return
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address
