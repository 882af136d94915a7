"""A dask cluster of two workers on loopback writes the same records as a local run."""

import json
import shutil
from pathlib import Path

import pytest

from ogi_extract.runner import RunError, extract_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as local:
        yield local


def test_dask_run_equals_the_local_run(cluster, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted((ROOT / "corpus" / "heads").glob("*.txt"))[:12] + [ROOT / "corpus" / "seeds" / "000_4542ec8ee655ebbf.txt"]:
        shutil.copy(path, corpus / path.name)
    (corpus / "broken.pdf").write_bytes(b"not a pdf")
    local = extract_corpus([corpus], tmp_path / "local", model="rules")
    remote = extract_corpus([corpus], tmp_path / "dask", model="rules", engine="dask", scheduler=cluster.scheduler_address, batch_size=2)
    assert (local.ok, local.errors) == (remote.ok, remote.errors) == (13, 1)
    assert (tmp_path / "local" / "records.jsonl").read_text(encoding="utf-8") == (tmp_path / "dask" / "records.jsonl").read_text(encoding="utf-8")
    assert (tmp_path / "local" / "indicators.csv").read_bytes() == (tmp_path / "dask" / "indicators.csv").read_bytes()
    workers = cluster.scheduler_info if hasattr(cluster, "scheduler_info") else {}
    assert len(json.loads(json.dumps(workers, default=str)).get("workers", {})) == 2


def test_dask_without_a_scheduler_is_a_clear_error(tmp_path):
    with pytest.raises(RunError, match="--scheduler"):
        extract_corpus([ROOT / "corpus" / "heads" / "b001.txt"], tmp_path / "out", model="rules", engine="dask")
