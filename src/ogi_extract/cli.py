"""`ogi`: a thin command line over the library API."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .ingest import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, Limits
from .labels import INDICATORS

app = typer.Typer(help="Structured data from Chinese government information-disclosure annual reports.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)

EXIT_RUN_FAILED = 2  # the run could not proceed (output folder, model, arguments)
EXIT_STRICT = 3  # --strict and at least one error record


@app.command()
def ingest(
    inputs: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    out: Path = typer.Option(..., "--out", help="Folder for documents.jsonl and one normalised .txt per document."),
    max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, "--max-bytes", help="Files larger than this give an error entry."),
    max_chars: int = typer.Option(DEFAULT_MAX_CHARS, "--max-chars", help="Texts longer than this give an error entry."),
) -> None:
    """Read files into Documents: raw text, normalised text and offset map, metadata."""
    from .api import read_or_error
    from .ingest import iter_inputs
    from .record import Record

    out.mkdir(parents=True, exist_ok=True)
    ok = errors = 0
    with open(out / "documents.jsonl", "w", encoding="utf-8") as handle:
        for path in iter_inputs(inputs):
            item = read_or_error(path, Limits(max_bytes, max_chars))
            if isinstance(item, Record):
                errors += 1
                line = {"doc_id": item.doc_id, "source": item.source, "status": "error", "error": item.error.model_dump()}
            else:
                ok += 1
                (out / f"{item.doc_id}.txt").write_text(item.text, encoding="utf-8")
                line = {"doc_id": item.doc_id, "source": item.source, "status": "ok", "metadata": item.metadata,
                        "raw_length": len(item.raw_text), "text_length": len(item.text),
                        "text_file": f"{item.doc_id}.txt", "offsets": item.normalised.offsets.tolist()}
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    console.print(f"[green]{ok}[/] documents, [red]{errors}[/] errors -> {out / 'documents.jsonl'}")


@app.command()
def extract(
    inputs: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    model: Optional[str] = typer.Option(None, help="Pipeline folder, or 'rules' for the rule baseline. Default: the bundled model."),
    n_process: int = typer.Option(1, "--n-process", min=1, help="Worker processes."),
    batch_size: int = typer.Option(8, "--batch-size", min=1, help="Documents handed to a worker at once."),
    resume: bool = typer.Option(False, "--resume", help="Keep records already in OUT and process only the rest."),
    formats: str = typer.Option("jsonl,csv,sqlite", "--formats", help="Comma-separated: jsonl, csv, sqlite."),
    keep_text: bool = typer.Option(False, "--keep-text", help="Also write the normalised text into each record."),
    max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, "--max-bytes", help="Files larger than this get an error record."),
    max_chars: int = typer.Option(DEFAULT_MAX_CHARS, "--max-chars", help="Texts longer than this get an error record."),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero when any input gave an error record."),
    summary: bool = typer.Option(False, "--summary", help="Print a per-report table at the end."),
    engine: str = typer.Option("local", "--engine", help="local (processes on this machine) or dask (a cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address for --engine dask."),
) -> None:
    """Extract one record per input file into OUT/records.jsonl (+ CSV and SQLite)."""
    from .ingest import iter_inputs
    from .runner import RunError, extract_corpus

    total = sum(1 for _ in iter_inputs(inputs))
    rows: list = []
    started = time.perf_counter()
    with Progress(TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]} docs/s"),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("extract", total=total, rate="0.0")

        def advance(record) -> None:
            rows.append(record) if summary else None
            progress.advance(task)
            rate = progress.tasks[0].completed / max(time.perf_counter() - started, 1e-6)
            progress.update(task, rate=f"{rate:.1f}")

        try:
            result = extract_corpus(inputs, out, model=model, n_process=n_process, batch_size=batch_size, resume=resume,
                                    formats=formats.split(","), keep_text=keep_text, limits=Limits(max_bytes, max_chars), on_record=advance,
                                    engine=engine, scheduler=scheduler)
        except RunError as exc:
            console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(EXIT_RUN_FAILED)
    if summary:
        _print_table(rows)
    found = ", ".join(f"{k} {result.indicators.get(k, 0)}" for k in INDICATORS)
    console.print(f"[green]{result.ok} ok[/], [red]{result.errors} errors[/], {result.skipped} already done. Indicators found: {found}")
    if result.error_types:
        console.print("errors by type: " + ", ".join(f"{k} {v}" for k, v in result.error_types.most_common()))
    for path in result.outputs:
        console.print(f"  wrote {path}")
    if strict and result.errors:
        raise typer.Exit(EXIT_STRICT)


def _print_table(records) -> None:
    table = Table(title="records")
    for column in ("source", "status", "agency", "year", "format", "indicators"):
        table.add_column(column)
    for record in records:
        table.add_row(
            Path(record.source).name, record.status, record.agency.name if record.agency else "",
            str(record.year or ""), record.format, str(sum(1 for v in record.indicators.values() if v.value is not None)),
        )
    Console().print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a record."""
    from .record import record_schema

    sys.stdout.write(json.dumps(record_schema(), ensure_ascii=False, indent=2) + "\n")


def _mount_subcommands() -> None:
    from .cli_annotations import annotations_app
    from .cli_doccano import doccano_app

    app.add_typer(annotations_app, name="annotations")
    app.add_typer(doccano_app, name="doccano")


_mount_subcommands()


@app.command()
def train(
    out: Path = typer.Option(Path("models/ogi_zh"), "--out", help="Folder for the trained pipeline."),
    config: Path = typer.Option(Path("training/config.cfg"), "--config", help="spaCy training config."),
    annotations: Path = typer.Option(Path("annotations"), "--annotations", help="Gold JSONL file or folder."),
    segmenter: str = typer.Option("jieba", "--segmenter", help="jieba (default, see training/README.md), char or pkuseg."),
    pkuseg_model: Optional[str] = typer.Option(None, "--pkuseg-model", help="Folder of a pkuseg model (make pkuseg-model)."),
    seed: int = typer.Option(0, "--seed"),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Override training.max_steps (short runs)."),
) -> None:
    """Train the pipeline from the gold annotations and write it with its dev scores."""
    from .training import TrainingError, train as run_training

    try:
        report = run_training(config=config, out=out, annotations=annotations, segmenter=segmenter,
                              pkuseg_model=pkuseg_model, seed=seed, max_steps=max_steps, log=console.print)
    except TrainingError as exc:
        console.print("[red]error:[/]", end=" ")
        console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_RUN_FAILED)
    table = Table(title=f"dev scores of {out} (exact span match) vs the rule baseline")
    for column in ("label", "P", "R", "F", "rules F"):
        table.add_column(column, justify="right")
    for label, score in report["dev"]["per_type"].items():
        table.add_row(label, f"{score['p']:.3f}", f"{score['r']:.3f}", f"{score['f']:.3f}",
                      f"{report['rules_dev']['per_type'][label]['f']:.3f}")
    Console().print(table)
    suggestions = report["suggester"]["dev"]
    Console().print(f"indicator accuracy on gold COUNTs: {report['indicators_dev']['accuracy']} "
                    f"(rules {report['indicators_dev']['rules_accuracy']}); suggester coverage {suggestions['coverage']} "
                    f"at {suggestions['candidates_per_token']} candidates/token; {report['training_seconds']} s")


@app.command()
def evaluate(
    model: list[str] = typer.Option(..., "--model", help="Pipeline folder or 'rules'; repeat to compare models."),
    data: Path = typer.Option(Path("annotations"), "--data", help="Gold JSONL file or folder."),
    split: Optional[str] = typer.Option("dev", "--split", help="train, dev, or 'all'."),
    records: bool = typer.Option(False, "--records", help="Also score record fields against annotations/records."),
    gold_records: Optional[Path] = typer.Option(None, "--gold-records", help="Folder of hand-checked gold records."),
    out: Path = typer.Option(..., "--out", help="Folder for metrics.json, report.md and report.html."),
) -> None:
    """Precision/recall report: spans (exact and partial), indicator linking, records; models side by side."""
    from .api import ModelError
    from .evaluate import evaluate as run_evaluation
    from .evaluate import headline_table

    try:
        metrics = run_evaluation(model, data, None if split == "all" else split, out, records=records, gold_records=gold_records)
    except (ModelError, ValueError) as exc:
        console.print("[red]error:[/]", end=" ")
        console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_RUN_FAILED)
    Console().print(headline_table(metrics), markup=False)
    for name, result in metrics["models"].items():
        line = f"{name}: indicator linking accuracy {result['indicator_linking']['accuracy']}"
        if "records" in result:
            rec = result["records"]
            line += (f"; agency {rec['agency']['accuracy']}, year {rec['year']['accuracy']}, format {rec['format']['accuracy']},"
                     f" indicators P {rec['indicators_micro']['p']} R {rec['indicators_micro']['r']}")
        Console().print(line, markup=False)
    console.print(f"wrote {out / 'metrics.json'}, {out / 'report.md'}, {out / 'report.html'}")
