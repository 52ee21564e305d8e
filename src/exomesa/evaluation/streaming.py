"""Score a large candidate table in chunks, with memory bounded by the chunk size, locally or on Dask.

The table is read ``chunk_size`` rows at a time (CSV, gzipped CSV or Parquet; other formats are read whole
and then chunked), each chunk is mapped onto the canonical schema and scored by
:func:`exomesa.evaluation.scoring.score_candidates`, and the rows are appended to the output (CSV or Parquet)
in input order. Rendered views are not cached on disk here: at a million rows the cache would hold gigabytes.

With ``scheduler="tcp://host:8786"`` (or a ``distributed.Client``) the chunks are scored on a Dask cluster:
each worker loads the model file once (it must be readable at the same path there) and at most
``2 × workers`` chunks are in flight, so the client's memory stays bounded too.

    from exomesa.evaluation.streaming import stream_predictions
    stream_predictions("output/mesa_model.pth", "candidates.parquet", "scores.parquet", chunk_size=50_000)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import pandas as pd

from exomesa.data import canonicalize, load_catalog
from exomesa.defaults import PREDICT_CHUNK_SIZE
from exomesa.errors import ExomesaError
from exomesa.evaluation.protocol import check_feature_columns, load_model
from exomesa.evaluation.scoring import score_candidates
from exomesa.utils import check_writable, import_optional

__all__ = ["read_chunks", "ChunkWriter", "stream_predictions"]

logger = logging.getLogger(__name__)


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def read_chunks(path: str | Path, chunk_size: int = PREDICT_CHUNK_SIZE) -> Iterator[pd.DataFrame]:
    """Raw (not yet canonical) chunks of at most ``chunk_size`` rows of a CSV or Parquet table, in order."""
    path = Path(path)
    if not path.is_file():
        raise ExomesaError(f"{path}: file not found; pass a candidates table (CSV or Parquet).")
    if chunk_size < 1:
        raise ExomesaError(f"--chunk_size must be at least 1 (got {chunk_size}).")
    if _is_parquet(path):
        pq = import_optional("pyarrow.parquet", "reading Parquet tables")
        try:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                yield batch.to_pandas()
        except OSError as exc:
            raise ExomesaError(f"{path}: not a readable Parquet file ({exc}).") from exc
        return
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz", ".txt")):
        try:
            reader = pd.read_csv(
                path, comment="#", dtype={"koi_quarters": str}, skipinitialspace=True, index_col=False,
                chunksize=chunk_size,
            )  # fmt: skip
            yield from reader
        except pd.errors.EmptyDataError as exc:
            raise ExomesaError(
                f"{path}: no header row or data found (only comments or blank lines)."
            ) from exc
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ExomesaError(f"{path}: not a readable CSV file ({exc}).") from exc
        return
    table = load_catalog(path, require_label=False)  # IPAC and other formats: whole, then chunked
    for start in range(0, len(table), chunk_size):
        yield table.iloc[start : start + chunk_size]


class ChunkWriter:
    """Append frames to a CSV or Parquet file (the format follows the suffix); call :meth:`close` at the end."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        self._parquet = _is_parquet(self.path)
        self._writer: Any = None
        self._schema: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (same columns every time)."""
        if self._parquet:
            pa = import_optional("pyarrow", "writing Parquet output")
            pq = import_optional("pyarrow.parquet", "writing Parquet output")
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._writer is None:
                self._schema = table.schema
                self._writer = pq.ParquetWriter(self.path, self._schema)
            self._writer.write_table(table.cast(self._schema))
        else:
            frame.to_csv(self.path, mode="a" if self.rows else "w", header=not self.rows, index=False)
        self.rows += len(frame)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


@lru_cache(maxsize=2)
def _worker_model(model_path: str, device: str) -> Any:
    """The model, loaded once per process (on a Dask worker: once per worker)."""
    return load_model(model_path, device=device)


def _score_chunk(raw: pd.DataFrame, model_path: str, device: str, start: int, neighbors: int) -> pd.DataFrame:
    clf = _worker_model(model_path, device)
    source = f"rows {start + 1}-{start + len(raw)}"
    raw = raw.reset_index(drop=True)
    if not {"candidate_id", "kepoi_name"} & set(raw.columns):  # name rows by their place in the whole table
        raw.insert(0, "kepoi_name", [f"row-{start + i + 1:06d}" for i in range(len(raw))])
    catalog = canonicalize(raw, source=source, require_label=False)
    check_feature_columns(clf, catalog, source)
    return score_candidates(clf, catalog, None, neighbors, view_cache=None)


def _local_results(
    chunks: Iterator[pd.DataFrame], score: Callable[..., pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    start = 0
    for raw in chunks:
        yield score(raw, start)
        start += len(raw)


def _dask_results(
    chunks: Iterator[pd.DataFrame], score: Callable[..., pd.DataFrame], client: Any
) -> Iterator[pd.DataFrame]:
    """Submit chunks with a bounded window and yield the results in input order."""
    from distributed import wait

    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending: list[Any] = []
    start = 0
    for raw in chunks:
        pending.append(client.submit(score, raw, start, pure=False))
        start += len(raw)
        if len(pending) >= window:
            wait(pending[:1])
            yield pending.pop(0).result()
    for fut in pending:
        yield fut.result()


def stream_predictions(
    model_path: str | Path,
    input_path: str | Path,
    output: str | Path,
    *,
    chunk_size: int = PREDICT_CHUNK_SIZE,
    neighbors: int = 0,
    device: str = "cpu",
    scheduler: Any = None,
    force: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Score every row of ``input_path`` chunk by chunk into ``output`` (same rows, same order).

    Returns a summary: ``rows``, ``chunks``, ``scored``, ``output``.
    """
    output = Path(output)
    check_writable(output, force, what="predictions file")
    output.parent.mkdir(parents=True, exist_ok=True)
    score = partial(_bound_score, model_path=str(model_path), device=device, neighbors=neighbors)
    chunks = read_chunks(input_path, chunk_size)
    client = None
    if scheduler is not None:
        distributed = import_optional("distributed", "--scheduler")
        client = scheduler if not isinstance(scheduler, str) else distributed.Client(scheduler)
        logger.info("scoring chunks on the Dask cluster %s", getattr(client, "dashboard_link", scheduler))
        results = _dask_results(chunks, score, client)
    else:
        _worker_model(str(model_path), device)  # load (and check) the model before reading any row
        results = _local_results(chunks, score)
    writer = ChunkWriter(output)
    n_chunks = n_scored = 0
    bar = None
    if progress:
        from tqdm.auto import tqdm  # imports asyncio: only when a progress bar is asked for

        bar = tqdm(desc="scoring", unit="row", disable=None)
    try:
        for frame in results:
            writer.write(frame)
            n_chunks += 1
            n_scored += int(frame["scored"].sum())
            if bar is not None:
                bar.update(len(frame))
    finally:
        writer.close()
        if bar is not None:
            bar.close()
        if client is not None and isinstance(scheduler, str):
            client.close()
    if writer.rows == 0:
        raise ExomesaError(f"{input_path}: no data rows to score.")
    logger.info("scored %d of %d row(s) in %d chunk(s); wrote %s", n_scored, writer.rows, n_chunks, output)
    return {"rows": writer.rows, "chunks": n_chunks, "scored": n_scored, "output": str(output)}


def _bound_score(
    raw: pd.DataFrame, start: int, *, model_path: str, device: str, neighbors: int
) -> pd.DataFrame:
    return _score_chunk(raw, model_path, device, start, neighbors)
