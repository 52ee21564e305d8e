"""Where star tasks run: in this process, on a process pool, or on a Dask cluster (local or remote).

Each executor yields ``(task index, StarResult)`` pairs as tasks finish; :func:`executor` picks one by name.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from exomesa.errors import ExomesaError
from exomesa.lightcurves.shards import StarTask
from exomesa.lightcurves.star_tasks import StarResult, failed_result, run_star

__all__ = ["distributed_available", "executor"]

logger = logging.getLogger(__name__)


def distributed_available() -> bool:
    return importlib.util.find_spec("distributed") is not None


def _run_serial(tasks: Sequence[StarTask]) -> Iterator[tuple[int, StarResult]]:
    for i, task in enumerate(tasks):
        yield i, run_star(task)


def _run_pool(tasks: Sequence[StarTask], workers: int) -> Iterator[tuple[int, StarResult]]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    window = max(4 * workers, 16)
    todo = iter(enumerate(tasks))
    pending: dict = {}
    executor = ProcessPoolExecutor(max_workers=workers)
    try:

        def fill() -> None:
            while len(pending) < window:
                item = next(todo, None)
                if item is None:
                    return
                pending[executor.submit(run_star, item[1])] = item[0]

        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    raise ExomesaError(
                        f"a worker process died ({exc}); the finished shards are kept: rerun the same command "
                        "to resume (fewer --workers if memory ran out)."
                    ) from exc
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    result = failed_result(tasks[i], exc)
                yield i, result
            fill()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask_client(workers: int, scheduler):
    from distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):  # a Client given by the caller
        yield scheduler
        return
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExomesaError(
            f"cannot reach the Dask scheduler {scheduler or 'LocalCluster'} ({exc}); start it first "
            "(`dask scheduler`, see docs/scaling.md) or drop --scheduler to run locally."
        ) from exc
    logger.info("Dask dashboard: %s", client.dashboard_link)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(tasks: Sequence[StarTask], client) -> Iterator[tuple[int, StarResult]]:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    slots = sum(client.nthreads().values()) or 1
    window = max(4 * slots, 16)
    todo = iter(enumerate(tasks))
    index_of: dict[str, int] = {}
    live: dict[str, object] = {}
    queue = as_completed()

    def submit_next() -> None:
        item = next(todo, None)
        if item is not None:
            fut = client.submit(run_star, item[1], pure=False)
            index_of[fut.key] = item[0]
            live[fut.key] = fut
            queue.add(fut)

    for _ in range(window):
        submit_next()
    try:
        for fut in queue:
            i = index_of.pop(fut.key)
            live.pop(fut.key, None)
            try:
                result = fut.result()
            except KilledWorker as exc:  # the star killed workers repeatedly (memory?): a failure, not a stop
                result = failed_result(tasks[i], exc)
            fut.release()
            yield i, result
            submit_next()
    finally:
        for fut in live.values():
            fut.cancel()


@contextmanager
def executor(mode: str, tasks: Sequence[StarTask], workers: int, scheduler):
    """Yields (iterator of (task index, StarResult) as tasks complete, dashboard URL or None)."""
    if mode == "serial":
        yield _run_serial(tasks), None
    elif mode == "processes":
        results = _run_pool(tasks, workers)
        try:
            yield results, None
        finally:
            results.close()
    else:
        with _dask_client(workers, scheduler) as client:
            results = _run_dask(tasks, client)
            try:
                yield results, client.dashboard_link
            finally:
                results.close()
