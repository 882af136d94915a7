"""`ogi annotations ...`: validate, stats, agreement, and assembling annotators' work files into gold JSONL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .annotations import GoldDoc, QuoteError, agreement, read_gold, remap_spans, resolve_quotes, stats, validate, validate_doc
from .labels import LABELS

annotations_app = typer.Typer(help="Gold annotations: validate, stats, agreement, assemble.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@annotations_app.command("validate")
def validate_command(
    path: Path = typer.Argument(..., help="A gold JSONL file or a folder of them."),
    no_source: bool = typer.Option(False, "--no-source", help="Do not compare texts with the normalised source files."),
) -> None:
    """Check spans, labels, indicators, overlaps, splits and that each text is its source's normalised text."""
    problems = validate(path, check_source=not no_source)
    for problem in problems:
        err.print(str(problem), markup=False, highlight=False)
    if problems:
        err.print(f"[red]{len(problems)} problem(s)[/]")
        raise typer.Exit(1)
    out.print("[green]valid[/]")


@annotations_app.command("stats")
def stats_command(path: Path = typer.Argument(..., help="A gold JSONL file or a folder of them.")) -> None:
    """Documents, spans per label and indicator, per split."""
    result = stats(path)
    table = Table(title=f"{sum(result['documents'].values())} documents")
    splits = sorted(result["documents"])
    table.add_column("")
    for split in splits:
        table.add_column(split, justify="right")
    table.add_column("total", justify="right")
    table.add_row("documents", *[str(result["documents"][s]) for s in splits], str(sum(result["documents"].values())))
    for label in LABELS:
        counts = result["labels"].get(label, {})
        table.add_row(label, *[str(counts.get(s, 0)) for s in splits], str(sum(counts.values())))
    out.print(table)
    kinds = Table(title="documents by kind/split")
    kinds.add_column("kind/split")
    kinds.add_column("n", justify="right")
    for key, n in sorted(result["kinds"].items()):
        kinds.add_row(key, str(n))
    out.print(kinds)
    indicators = Table(title="COUNT indicators")
    indicators.add_column("indicator")
    indicators.add_column("n", justify="right")
    for key, n in result["indicators"].most_common():
        indicators.add_row(key, str(n))
    out.print(indicators)


@annotations_app.command("agreement")
def agreement_command(a: Path, b: Path, as_json: bool = typer.Option(False, "--json")) -> None:
    """Per-label P/R/F1 of pass B against pass A (exact and overlap match)."""
    result = agreement(a, b)
    if as_json:
        out.print_json(json.dumps(result))
        return
    table = Table(title=f"agreement over {result['documents']} documents (B against A)")
    for column in ("label", "A spans", "B spans", "exact P", "exact R", "exact F1", "overlap P", "overlap R", "overlap F1"):
        table.add_column(column, justify="right")
    for label in LABELS:
        e, o = result["exact"][label], result["overlap"][label]
        table.add_row(label, str(e["gold"]), str(e["pred"]), f"{e['p']:.3f}", f"{e['r']:.3f}", f"{e['f']:.3f}",
                      f"{o['p']:.3f}", f"{o['r']:.3f}", f"{o['f']:.3f}")
    out.print(table)
    out.print(f"COUNT indicator agreement on identical spans: {result['indicator_accuracy']}")


def work_to_gold(work_file: Path, texts: Path | None = None, corpus: Path = Path("corpus"),
                 pre: Path = Path("annotations/work/pre"), read: Path = Path("annotations/work/texts"),
                 dropped: list | None = None) -> GoldDoc:
    """A work file -> a gold document. With ``texts`` the quotes resolve in the text the annotator read;
    without, they resolve there (``read``) and the spans move onto the current normalised text of the source
    file, which is what the gold set holds."""
    from .ingest import read_document

    work = json.loads(work_file.read_text(encoding="utf-8"))
    pre_file = pre / work_file.name
    known = json.loads(pre_file.read_text(encoding="utf-8")) if pre_file.exists() else {}
    work.update({k: known[k] for k in ("doc_id", "source", "kind", "pre_annotated_by") if not work.get(k) and k in known})
    if texts is not None:
        text = (texts / f"{work_file.stem}.txt").read_text(encoding="utf-8")
        spans = resolve_quotes(text, work["spans"], work.get("doc_id", ""))
    else:
        source = Path(work["source"])
        if not source.parts or source.parts[0] != corpus.name:
            source = corpus / source
        document = read_document(source)
        text = document.text
        work["doc_id"] = document.doc_id
        work["source"] = source.as_posix()  # relative to the repository root
        seen = (read / f"{work_file.stem}.txt").read_text(encoding="utf-8")
        spans = remap_spans(seen, text, resolve_quotes(seen, work["spans"], work["doc_id"]), work["doc_id"], dropped)
    meta = {k: v for k, v in work.items() if k not in ("spans",)}
    return GoldDoc(text=text, spans=spans, meta=meta, file=str(work_file), line=1)


@annotations_app.command("check-work")
def check_work(
    files: list[Path] = typer.Argument(..., help="Annotators' work files (quote format)."),
    texts: Path = typer.Option(Path("annotations/work/texts"), help="Folder of the normalised texts."),
) -> None:
    """Resolve the quotes of work files and validate the spans (no split or source check)."""
    bad = 0
    for file in files:
        try:
            doc = work_to_gold(file, texts)
        except (QuoteError, KeyError, json.JSONDecodeError, FileNotFoundError) as exc:
            err.print(f"{file}: {exc}", markup=False)
            bad += 1
            continue
        doc.meta.setdefault("split", "train")
        problems = validate_doc(doc, check_source=False)
        for problem in problems:
            err.print(str(problem), markup=False)
        bad += bool(problems)
        counts = {label: sum(1 for *_, l in doc.spans if l.split(":")[0] == label) for label in LABELS}
        out.print(f"{file.name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if bad:
        raise typer.Exit(1)


DEV_EVERY = 5  # one document in five goes to dev: about 80/20


def stratum_of(doc: GoldDoc) -> str:
    """full/head x old/new format: the split keeps each group's share of dev about 20%."""
    from .reporting import resolve_year

    length = "full" if doc.meta.get("kind") == "full" else "head"
    year, _ = resolve_year(doc.text, None)
    era = "new" if (year or 0) >= 2019 or "本年新收政府信息公开申请数量" in doc.text else "old"
    return f"{length}/{era}"


def assign_splits(docs: list[GoldDoc]) -> None:
    """Fixed, documented split: within each stratum, documents ordered by the hash of their doc_id;
    every fifth (positions 2, 7, 12, …) goes to dev. Documents pre-annotated by a trained model all go to
    train: an annotator correcting the model's output leans towards it, and dev must not reward that."""
    strata: dict[str, list[GoldDoc]] = {}
    for doc in docs:
        if doc.meta.get("pre_annotated_by", "rules") != "rules":
            doc.meta["stratum"] = stratum_of(doc)
            doc.meta["split"] = "train"
            continue
        strata.setdefault(stratum_of(doc), []).append(doc)
    for stratum, members in strata.items():
        members.sort(key=lambda d: hashlib.sha256(d.doc_id.encode()).hexdigest())
        for position, doc in enumerate(members):
            doc.meta["stratum"] = stratum
            doc.meta["split"] = "dev" if position % DEV_EVERY == 2 else "train"


@annotations_app.command("assemble")
def assemble(
    work: Path = typer.Option(Path("annotations/work/done"), help="Folder of corrected work files."),
    corpus: Path = typer.Option(Path("corpus"), help="Folder the work files' sources are relative to."),
    output: Path = typer.Option(Path("annotations/gold.jsonl"), "--out", help="Gold JSONL to write."),
) -> None:
    """Corrected work files -> one gold JSONL on the current normalised texts, with meta
    (doc_id, source, split, annotator, annotated_at)."""
    docs = []
    failed = 0
    for file in sorted(work.glob("*.json")):
        dropped: list = []
        try:
            doc = work_to_gold(file, None, corpus, dropped=dropped)
            for start, end, label, quote in dropped:
                err.print(f"{file}: {label} {quote!r} [{start}:{end}] is in text the normaliser now removes; dropped", markup=False)
        except QuoteError as exc:
            err.print(f"{file}: {exc}", markup=False)
            failed += 1
            continue
        if not doc.meta.get("annotator"):
            err.print(f"{file}: no annotator recorded; a document counts only when a person corrected it")
            raise typer.Exit(1)
        docs.append(doc)
    assign_splits(docs)
    output.write_text("".join(d.to_json() + "\n" for d in docs), encoding="utf-8")
    out.print(f"{len(docs)} documents -> {output}")
    if failed:
        err.print(f"[red]{failed} work file(s) need their quotes fixed[/]")
        raise typer.Exit(1)


__all__ = ["annotations_app", "read_gold"]


@annotations_app.command("preannotate")
def preannotate(
    inputs: list[Path] = typer.Argument(..., help="Report files or folders to annotate next."),
    output: Path = typer.Option(..., "--out", help="JSONL in doccano's span format, ready for `ogi doccano push`."),
    model: str = typer.Option("rules", "--model", help="'rules' or a trained pipeline folder."),
) -> None:
    """Pre-annotate reports with the rule pipeline or a model: a starting point for annotators, never gold."""
    from .api import load
    from .labels import count_label
    from .record import Record

    extractor = load(model, keep_text=True)
    written = 0
    with open(output, "w", encoding="utf-8") as handle:
        for item in extractor.pipe(inputs_of(inputs)):
            if item.status != "ok":
                err.print(f"skipped: {item.error.message}", markup=False)
                continue
            record: Record = item
            spans = [[a.start, a.end, "AGENCY"] for a in record.agencies]
            spans += [[c.start, c.end, count_label(c.indicator)] for c in record.counts]
            spans += [[p.start, p.end, "PROBLEM"] for p in record.problems]
            spans += [[m.start, m.end, "MEASURE"] for m in record.measures]
            line = {"text": record.text, "label": sorted(spans),
                    "meta": {"doc_id": record.doc_id, "source": record.source, "pre_annotated_by": extractor.model_name}}
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            written += 1
    out.print(f"{written} documents pre-annotated by {extractor.model_name} -> {output}")


def inputs_of(inputs: list[Path]):
    from .ingest import iter_inputs

    return (str(path) for path in iter_inputs(inputs))
