"""Records -> files: JSONL (appended line by line, atomically), then CSV and SQLite derived from it."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from .labels import INDICATORS
from .record import Record

RECORDS = "records.jsonl"


class JsonlAppender:
    """Each record is one write() of one complete line to an O_APPEND file, flushed to disk in batches."""

    def __init__(self, path: Path, fsync_every: int = 32):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.pending = 0
        self.fsync_every = fsync_every

    def write(self, record: Record) -> None:
        line = (record.model_dump_json(exclude_none=False) + "\n").encode("utf-8")
        os.write(self.fd, line)
        self.pending += 1
        if self.pending >= self.fsync_every:
            os.fsync(self.fd)
            self.pending = 0

    def close(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)


def repair_tail(path: Path) -> int:
    """Cut a trailing partial line left by a killed run; return the number of bytes removed."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with open(path, "rb+") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        block = 1 << 16
        pos = size
        while pos > 0:
            step = min(block, pos)
            handle.seek(pos - step)
            chunk = handle.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                keep = pos - step + newline + 1
                break
            pos -= step
        else:
            keep = 0
        if keep < size:
            handle.truncate(keep)
        return size - keep


def read_records(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# --- derived tables ---------------------------------------------------------------------------------

INDICATOR_COLUMNS = ["doc_id", "source", "status", "error", "title", "agency", "year", "format"] + list(INDICATORS) + [
    f"{key}_evidence" for key in INDICATORS
] + ["checks_failed"]


def _indicator_row(record: dict) -> dict:
    row = {
        "doc_id": record["doc_id"],
        "source": record["source"],
        "status": record["status"],
        "error": (record.get("error") or {}).get("message", ""),
        "title": record.get("title") or "",
        "agency": (record.get("agency") or {}).get("name", ""),
        "year": record.get("year") or "",
        "format": record.get("format") or "",
        "checks_failed": ";".join(c["id"] for c in record.get("checks", []) if not c["ok"]),
    }
    for key in INDICATORS:
        indicator = (record.get("indicators") or {}).get(key)
        row[key] = "" if indicator is None or indicator.get("value") is None else indicator["value"]
        evidence = (indicator or {}).get("evidence") or []
        row[f"{key}_evidence"] = " | ".join(f"{e['text']}@{e['start']}-{e['end']}" for e in evidence)
    return row


LONG_TABLES = {
    "counts": ["doc_id", "source", "text", "value", "unit", "indicator", "approximate", "start", "end"],
    "problems": ["doc_id", "source", "text", "start", "end"],
    "measures": ["doc_id", "source", "text", "start", "end"],
}


def _long_rows(record: dict, table: str) -> Iterator[dict]:
    for item in record.get(table) or []:
        yield {"doc_id": record["doc_id"], "source": record["source"], **{k: item.get(k) for k in LONG_TABLES[table][2:]}}


def write_csv(records_path: Path, out: Path) -> list[Path]:
    """indicators.csv (wide, one row per report) and counts/problems/measures.csv (long). UTF-8 with BOM for Excel."""
    written = []
    handles = {}
    writers = {}
    try:
        for name, columns in [("indicators", INDICATOR_COLUMNS)] + list(LONG_TABLES.items()):
            path = out / f"{name}.csv"
            tmp = path.with_suffix(".csv.tmp")
            handles[name] = open(tmp, "w", encoding="utf-8-sig", newline="")
            writers[name] = csv.DictWriter(handles[name], fieldnames=columns)
            writers[name].writeheader()
            written.append(path)
        for record in read_records(records_path):
            writers["indicators"].writerow(_indicator_row(record))
            for table in LONG_TABLES:
                for row in _long_rows(record, table):
                    writers[table].writerow(row)
    finally:
        for handle in handles.values():
            handle.close()
    for path in written:
        os.replace(path.with_suffix(".csv.tmp"), path)
    return written


def write_sqlite(records_path: Path, out: Path) -> Path:
    path = out / "records.sqlite"
    tmp = out / "records.sqlite.tmp"
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        columns = ", ".join(f'"{c}"' for c in INDICATOR_COLUMNS)
        db.execute(f"CREATE TABLE indicators ({columns}, record_json TEXT)")
        for table, cols in LONG_TABLES.items():
            db.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
        for record in read_records(records_path):
            row = _indicator_row(record)
            db.execute(
                f"INSERT INTO indicators VALUES ({', '.join('?' for _ in INDICATOR_COLUMNS)}, ?)",
                [row[c] for c in INDICATOR_COLUMNS] + [json.dumps(record, ensure_ascii=False)],
            )
            for table, cols in LONG_TABLES.items():
                db.executemany(
                    f"INSERT INTO {table} VALUES ({', '.join('?' for _ in cols)})",
                    [[row[c] for c in cols] for row in _long_rows(record, table)],
                )
        db.execute("CREATE INDEX indicators_agency ON indicators (agency)")
        db.execute("CREATE INDEX indicators_year ON indicators (year)")
        for table in LONG_TABLES:
            db.execute(f"CREATE INDEX {table}_doc ON {table} (doc_id)")
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)
    return path
