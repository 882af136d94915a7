"""Throughput and memory of ogi-extract on corpora made by repeating the bundled reports.

`make bench` runs every measurement in its own process (peak RSS from wait4) and writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
# The bundled model uses jieba; the other segmenters' pipelines are measured when they have been trained
# (ogi train --segmenter char --out models/ogi_zh_char, and the same for pkuseg; see training/README.md).
BUNDLED = "model (jieba, bundled)"
MODELS = {BUNDLED: ROOT / "models" / "ogi_zh", "model (char)": ROOT / "models" / "ogi_zh_char",
          "model (pkuseg)": ROOT / "models" / "ogi_zh_pkuseg"}
COUNT_PATTERN = re.compile(r"\d+(?:\.\d+)?[条件项个次份篇期场人家类批]")


def build_corpus(folder: Path, n: int) -> None:
    sources = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".html"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        source = sources[i % len(sources)]
        shutil.copyfile(source, folder / f"{i:06d}{source.suffix}")


def run_one(kind: str, folder: Path, n_process: int, model: str | None) -> dict:
    """Inside the measured child process."""
    started = time.perf_counter()
    characters = documents = 0
    if kind == "regex":
        for path in sorted(folder.iterdir()):
            text = path.read_bytes().decode("utf-8", errors="replace")
            characters += len(text)
            documents += 1
            sum(1 for _ in COUNT_PATTERN.finditer(text))
    elif kind == "ingest":
        from ogi_extract.ingest import read_document

        for path in sorted(folder.iterdir()):
            document = read_document(path)
            characters += len(document.text)
            documents += 1
    else:
        from ogi_extract.runner import extract_corpus

        out = Path(tempfile.mkdtemp(prefix="ogi-bench-out-"))
        empty = Path(tempfile.mkdtemp(prefix="ogi-bench-empty-"))
        # Start-up (imports, model loading, worker processes) is measured on an empty corpus and taken off,
        # so the figure is the steady throughput; it is reported separately.
        startup_began = time.perf_counter()
        extract_corpus([empty], out, model=model, n_process=n_process, batch_size=8, formats=["jsonl"])
        startup = time.perf_counter() - startup_began
        started = time.perf_counter()
        summary = extract_corpus([folder], out, model=model, n_process=n_process, batch_size=8, formats=["jsonl"])
        seconds = time.perf_counter() - started - startup
        documents = summary.ok + summary.errors
        from ogi_extract.ingest import read_document

        characters = sum(len(read_document(p).text) for p in sorted(folder.iterdir()))
        shutil.rmtree(out)
        shutil.rmtree(empty)
        return {"seconds": max(seconds, 1e-6), "startup": round(startup, 2), "characters": characters, "documents": documents}
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "startup": 0.0, "characters": characters, "documents": documents}


def measure(kind: str, folder: Path, n_process: int = 1, model: str | None = None) -> dict:
    command = [sys.executable, __file__, "--one", kind, "--folder", str(folder), "--n-process", str(n_process)]
    if model:
        command += ["--model", model]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"{kind} failed: {output}")
    result = json.loads(output.strip().splitlines()[-1])
    # ru_maxrss of the waited-for child (kB on Linux); worker processes report through their parent's pool.
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024)
    result["chars_per_s"] = round(result["characters"] / result["seconds"])
    result["docs_per_s"] = round(result["documents"] / result["seconds"], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one")
    parser.add_argument("--folder")
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--model")
    parser.add_argument("--quick", action="store_true", help="smaller corpora (a smoke run)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.folder), args.n_process, args.model)))
        return

    sizes = [20, 100] if args.quick else [100, 1000, 10000]
    model_sizes = [20] if args.quick else [100, 1000]
    work = Path(tempfile.mkdtemp(prefix="ogi-bench-"))
    rows = []
    try:
        folders = {}
        for n in sizes:
            folders[n] = work / f"c{n}"
            build_corpus(folders[n], n)
        for n in sizes:
            rows.append(("regex pass (speed of light)", n, 1, measure("regex", folders[n])))
            rows.append(("ingest + normalise", n, 1, measure("ingest", folders[n])))
            rows.append(("rule pipeline", n, 1, measure("extract", folders[n], 1, "rules")))
        rows.append(("rule pipeline", sizes[1], 2, measure("extract", folders[sizes[1]], 2, "rules")))
        for name, path in MODELS.items():
            if not (path / "meta.json").exists():
                continue
            for n in model_sizes:
                rows.append((name, n, 1, measure("extract", folders[n], 1, str(path))))
            if name == BUNDLED:
                rows.append((name, model_sizes[-1], 2, measure("extract", folders[model_sizes[-1]], 2, str(path))))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_results(rows, args.quick)


def write_results(rows, quick: bool) -> None:
    def find(name, n, processes):
        matches = [r for (k, size, p, r) in rows if k == name and size == n and p == processes]
        return matches[-1] if matches else None

    lines = ["# Benchmark results", "",
             f"Machine: {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}. Corpora repeat the bundled reports "
             "(corpus/, about 1,900 characters of normalised text per document on average). Each row is one process "
             "(peak RSS of that process; with 2 processes the workers' memory is not included).", "",
             "| workload | documents | processes | seconds | start-up (s) | characters/s | documents/s | peak RSS (MB) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, n, processes, r in rows:
        lines.append(f"| {name} | {n} | {processes} | {r['seconds']:.1f} | {r['startup']} | {r['chars_per_s']:,} | {r['docs_per_s']} | {r['peak_rss_mb']} |")
    lines += ["", "## Ratios", ""]
    big, bigger = (20, 100) if quick else (1000, 10000)
    for name in ("regex pass (speed of light)", "ingest + normalise", "rule pipeline"):
        a, b = find(name, big, 1), find(name, bigger, 1)
        if a and b:
            lines.append(f"- {name}: time ×{b['seconds'] / a['seconds']:.1f} for ×{bigger // big} documents "
                         f"(×{b['characters'] / a['characters']:.1f} characters); peak RSS {a['peak_rss_mb']} → {b['peak_rss_mb']} MB")
    model_n = 20 if quick else 1000
    model1 = find(BUNDLED, model_n, 1)
    model2 = find(BUNDLED, model_n, 2)
    regex = find("regex pass (speed of light)", model_n if not quick else 20, 1)
    small = find(BUNDLED, 100, 1)
    if model1 and regex:
        lines.append(f"- bundled model vs regex pass: {regex['chars_per_s'] / model1['chars_per_s']:.0f}× slower")
    if model1 and model2:
        lines.append(f"- bundled model, 2 processes vs 1: ×{model1['seconds'] / model2['seconds']:.2f} speed-up")
    if model1 and small and not quick:
        lines.append(f"- bundled model: time ×{model1['seconds'] / small['seconds']:.1f} for ×10 documents "
                     f"(×{model1['characters'] / small['characters']:.1f} characters: the first 100 files are the long whole "
                     f"reports); peak RSS {small['peak_rss_mb']} → {model1['peak_rss_mb']} MB")
    if model1:
        lines.append(f"- target 20,000 characters/s per process: {'met' if model1['chars_per_s'] >= 20000 else 'missed'} "
                     f"({model1['chars_per_s']:,} characters/s)")
    target = ROOT / "benchmarks" / ("RESULTS-quick.md" if quick else "RESULTS.md")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
