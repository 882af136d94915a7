"""The corpus runner: one record per input, resumable after a kill, outputs in every format."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ogi_extract.runner import RunError, extract_corpus

ROOT = Path(__file__).resolve().parents[1]
HEADS = ROOT / "corpus" / "heads"


@pytest.fixture
def small_corpus(tmp_path):
    folder = tmp_path / "语料 corpus"
    folder.mkdir()
    for path in sorted(HEADS.glob("*.txt"))[:24]:
        shutil.copy(path, folder / path.name)
    shutil.copy(HEADS / "b001.txt", folder / "b001 副本.txt")  # same bytes, another name: a second input
    return folder


def records_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_input_gives_one_record_and_duplicates_are_two_inputs(small_corpus, tmp_path):
    summary = extract_corpus([small_corpus], tmp_path / "out", model="rules", formats=["jsonl"])
    records = records_of(tmp_path / "out")
    assert summary.ok + summary.errors == len(records) == 25
    sources = [r["source"] for r in records]
    assert len(set(sources)) == 25
    by_name = {Path(r["source"]).name: r for r in records}
    assert by_name["b001.txt"]["doc_id"] == by_name["b001 副本.txt"]["doc_id"]


def test_csv_and_sqlite_hold_the_same_reports(small_corpus, tmp_path):
    out = tmp_path / "out"
    extract_corpus([small_corpus], out, model="rules")
    import csv

    with open(out / "indicators.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25
    db = sqlite3.connect(out / "records.sqlite")
    assert db.execute("SELECT count(*) FROM indicators").fetchone()[0] == 25
    indexes = {row[1] for row in db.execute("SELECT * FROM sqlite_master WHERE type='index'")}
    assert {"indicators_agency", "indicators_year"} <= indexes
    counts_in_db = db.execute("SELECT count(*) FROM counts").fetchone()[0]
    with open(out / "counts.csv", encoding="utf-8-sig", newline="") as handle:
        assert counts_in_db == len(list(csv.DictReader(handle))) > 0


def test_resume_repairs_a_half_written_line_and_skips_done_inputs(small_corpus, tmp_path):
    out = tmp_path / "out"
    extract_corpus([small_corpus], out, model="rules", formats=["jsonl"])
    complete = (out / "records.jsonl").read_bytes()
    lines = complete.splitlines(keepends=True)
    (out / "records.jsonl").write_bytes(b"".join(lines[:10]) + lines[10][:37])  # killed in the middle of line 11
    summary = extract_corpus([small_corpus], out, model="rules", formats=["jsonl"], resume=True)
    assert summary.skipped == 10
    resumed = records_of(out)
    assert len(resumed) == 25
    assert sorted(json.dumps(r, sort_keys=True) for r in resumed) == sorted(
        json.dumps(json.loads(line), sort_keys=True) for line in lines
    )


def test_killing_a_two_process_run_and_resuming_gives_the_uninterrupted_records(tmp_path):
    corpus = tmp_path / "whole heads corpus"
    shutil.copytree(HEADS, corpus)  # 164 reports: long enough to be killed in the middle
    total = len(list(corpus.glob("*.txt")))
    small_corpus = corpus
    reference = tmp_path / "reference"
    extract_corpus([small_corpus], reference, model="rules", formats=["jsonl"])
    expected = sorted(json.dumps(r, sort_keys=True) for r in records_of(reference))

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "ogi_extract", "extract", str(small_corpus), "--out", str(out), "--model", "rules",
               "--n-process", "2", "--batch-size", "1", "--formats", "jsonl"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    records = out / "records.jsonl"
    while time.time() < deadline:
        if records.exists() and records.read_bytes().count(b"\n") >= 3:
            break
        if process.poll() is not None:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    written = records.read_bytes().count(b"\n")
    assert written < total, "the run finished before it could be killed; the test needs a bigger corpus"

    resumed = subprocess.run(command + ["--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    actual = sorted(json.dumps(r, sort_keys=True) for r in records_of(out))
    assert actual == expected


def test_unwritable_output_folder_stops_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RunError, match="not writable"):
        extract_corpus([HEADS / "b001.txt"], blocker / "out", model="rules")


def test_missing_model_stops_the_run_with_a_clear_message(tmp_path):
    with pytest.raises(RunError, match="not a spaCy pipeline"):
        extract_corpus([HEADS / "b001.txt"], tmp_path / "out", model=str(tmp_path / "no-such-model"))
