"""Corpus-scale extraction: stream inputs through worker processes into records.jsonl, resumably."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .api import Extractor, load, read_or_error, resolve_model
from .ingest import Limits, iter_inputs
from .record import Record
from .writers import RECORDS, JsonlAppender, read_records, repair_tail, write_csv, write_sqlite

FORMATS = ("jsonl", "csv", "sqlite")


class RunError(Exception):
    """The run itself cannot proceed (output folder, model): distinct from error records."""


@dataclass
class Summary:
    ok: int = 0
    errors: int = 0
    skipped: int = 0
    indicators: Counter = field(default_factory=Counter)
    error_types: Counter = field(default_factory=Counter)
    outputs: list[Path] = field(default_factory=list)

    def add(self, record: Record) -> None:
        if record.status == "ok":
            self.ok += 1
            self.indicators.update(k for k, v in record.indicators.items() if v.value is not None)
        else:
            self.errors += 1
            self.error_types[record.error.type if record.error else "error"] += 1


# --- worker side --------------------------------------------------------------------------------------

_worker: Extractor | None = None
_worker_done: set[tuple[str, str]] = set()


def _init_worker(model: str, limits: Limits, keep_text: bool, done: set[tuple[str, str]]) -> None:
    global _worker, _worker_done
    _worker = load(model, limits=limits, keep_text=keep_text)
    _worker_done = done


def _process_remote(sources: list[str], model: str, limits: Limits, keep_text: bool, done: set[tuple[str, str]]) -> list[str | None]:
    """A batch on a cluster worker: the model is loaded once per worker process and kept."""
    if _worker is None or _worker.model_name != _model_name(model) or _worker.limits != limits or _worker.keep_text != keep_text:
        _init_worker(model, limits, keep_text, done)
    global _worker_done
    _worker_done = done
    return [_process(source) for source in sources]


def _model_name(model: str) -> str:
    return Path(model).name if model != "rules" else "rules"


def _process(source: str) -> str | None:
    """One input -> its record as a JSON line (None when --resume already has it)."""
    assert _worker is not None
    item = read_or_error(source, _worker.limits)
    if (item.source, item.doc_id) in _worker_done:
        return None
    record = item if isinstance(item, Record) else _worker.extract_document(item)
    return record.model_dump_json()


# --- driver ------------------------------------------------------------------------------------------


def extract_corpus(
    inputs: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    model: str | None = None,
    n_process: int = 1,
    batch_size: int = 8,
    resume: bool = False,
    formats: Iterable[str] = FORMATS,
    keep_text: bool = False,
    limits: Limits = Limits(),
    on_record: Callable[[Record], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Summary:
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise RunError(f"{out}: output folder is not writable: {exc.strerror or exc}") from exc
    formats = [f.strip() for f in formats if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise RunError(f"unknown output format(s): {', '.join(sorted(unknown))} (choose from {', '.join(FORMATS)})")
    model_name = resolve_model(model)
    records_path = out / RECORDS
    done: set[tuple[str, str]] = set()
    if resume:
        repair_tail(records_path)
        if records_path.exists():
            done = {(r["source"], r["doc_id"]) for r in read_records(records_path)}
    elif records_path.exists():
        records_path.unlink()

    # Load once in the parent so a missing or broken model stops the run before any work.
    from .api import ModelError

    try:
        _init_worker(model_name, limits, keep_text, done)
    except ModelError as exc:
        raise RunError(str(exc)) from exc

    summary = Summary(skipped=0)
    sources = (str(p) for p in iter_inputs(inputs))
    appender = JsonlAppender(records_path)
    try:
        if engine == "dask":
            lines = _dask_lines(sources, scheduler, batch_size, model_name, limits, keep_text, done)
        elif engine == "local":
            lines = _lines(sources, n_process, batch_size, model_name, limits, keep_text, done)
        else:
            raise RunError(f"unknown engine {engine!r} (choose local or dask)")
        for line in lines:
            if line is None:
                summary.skipped += 1
                continue
            record = Record.model_validate_json(line)
            appender.write(record)
            summary.add(record)
            if on_record:
                on_record(record)
    finally:
        appender.close()
    if "csv" in formats:
        summary.outputs += write_csv(records_path, out)
    if "sqlite" in formats:
        summary.outputs.append(write_sqlite(records_path, out))
    summary.outputs.insert(0, records_path)
    return summary


def _dask_lines(sources: Iterator[str], scheduler: str | None, batch_size: int, model: str, limits: Limits, keep_text: bool,
                done, in_flight: int = 16) -> Iterator[str | None]:
    """Batches of paths go to the cluster's workers; results come back in input order with a bounded number
    of batches in flight, so memory stays flat however large the corpus. Workers must see the same paths
    (a shared file system) and have ogi-extract and the model installed."""
    from collections import deque

    try:
        from distributed import Client
    except ImportError as exc:
        raise RunError("--engine dask needs the distributed extra: pip install 'ogi-extract[distributed]'") from exc
    if not scheduler:
        raise RunError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise RunError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from exc
    model_arg = str(Path(model).resolve()) if model != "rules" else model
    pending: deque = deque()
    batch: list[str] = []
    try:
        for source in sources:
            batch.append(source)
            if len(batch) >= batch_size:
                pending.append(client.submit(_process_remote, batch, model_arg, limits, keep_text, done, pure=False))
                batch = []
                while len(pending) >= in_flight:
                    yield from pending.popleft().result()
        if batch:
            pending.append(client.submit(_process_remote, batch, model_arg, limits, keep_text, done, pure=False))
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()


def _lines(sources: Iterator[str], n_process: int, batch_size: int, model: str, limits: Limits, keep_text: bool, done) -> Iterator[str | None]:
    if n_process <= 1:
        for source in sources:
            yield _process(source)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(n_process, initializer=_init_worker, initargs=(model, limits, keep_text, done)) as pool:
        # imap keeps input order and streams: memory does not grow with the corpus.
        yield from pool.imap(_process, sources, chunksize=max(1, batch_size))
