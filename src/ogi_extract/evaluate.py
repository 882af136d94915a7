"""Evaluation a modeller can trust: span metrics (exact and partial, with bootstrap intervals), indicator
linking, record fields, several models side by side; written as metrics.json, report.md and report.html."""

from __future__ import annotations

import base64
import html
import io
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.scorer import PRFScore
from spacy.tokens import Doc

from .annotations import GoldDoc, read_gold
from .api import load_pipeline, resolve_model
from .components import SPANS_KEY
from .labels import ENTITY_LABELS, INDICATORS, LABELS, SPAN_LABELS, split_label
from .linker import IndicatorLinker, link
from .record import Record
from .rules import count_indicator
from .training import blank_pipeline, reference_example, span_scores

BOOTSTRAP_SAMPLES = 1000
Span3 = tuple[int, int, str]


@dataclass
class Prediction:
    doc: GoldDoc
    predicted: Doc
    spans: list[Span3]
    gold: list[Span3]
    record: Record | None = None


@dataclass
class ModelResult:
    name: str
    predictions: list[Prediction] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


# --- span matching ----------------------------------------------------------------------------------


def base_spans(spans) -> list[Span3]:
    return sorted({(s, e, split_label(l)[0]) for s, e, l in spans})


def predicted_spans(doc: Doc) -> list[Span3]:
    spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    if SPANS_KEY in doc.spans:
        spans += [(s.start_char, s.end_char, s.label_) for s in doc.spans[SPANS_KEY]]
    return sorted(set(spans))


def nervaluate(gold: list[Span3], pred: list[Span3], label: str) -> Counter:
    """Counts in the style of nervaluate's partial/type schemas for one label."""
    counts = Counter()
    gold_l = [g for g in gold if g[2] == label]
    pred_l = [p for p in pred if p[2] == label]
    others_gold = [g for g in gold if g[2] != label]
    matched_gold: set = set()
    for p in pred_l:
        exact = next((g for g in gold_l if g[:2] == p[:2]), None)
        if exact:
            counts["correct"] += 1
            matched_gold.add(exact)
            continue
        overlap = next((g for g in gold_l if g[0] < p[1] and p[0] < g[1] and g not in matched_gold), None)
        if overlap:
            counts["partial"] += 1
            matched_gold.add(overlap)
            continue
        if any(g[:2] == p[:2] for g in others_gold):
            counts["incorrect"] += 1  # right boundaries, wrong label
            continue
        counts["spurious"] += 1
    counts["missed"] = sum(1 for g in gold_l if g not in matched_gold and not any(
        p[:2] == g[:2] for p in pred if p[2] != label))
    counts["possible"] = len(gold_l)
    counts["actual"] = len(pred_l)
    return counts


def prf(tp: float, actual: int, possible: int) -> dict:
    p = tp / actual if actual else 0.0
    r = tp / possible if possible else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def exact_counts(gold: list[Span3], pred: list[Span3], label: str) -> tuple[int, int, int]:
    g = {x for x in gold if x[2] == label}
    p = {x for x in pred if x[2] == label}
    return len(g & p), len(p - g), len(g - p)


def bootstrap(predictions: list[Prediction], label: str, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> list[float]:
    """95% interval of exact F1 over documents resampled with replacement."""
    per_doc = [exact_counts(x.gold, x.spans, label) for x in predictions]
    if not per_doc:
        return [0.0, 0.0]
    rng = random.Random(seed)
    scores = []
    for _ in range(samples):
        tp = fp = fn = 0
        for _ in per_doc:
            a, b, c = per_doc[rng.randrange(len(per_doc))]
            tp, fp, fn = tp + a, fp + b, fn + c
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    scores.sort()
    return [round(scores[int(0.025 * samples)], 4), round(scores[int(0.975 * samples) - 1], 4)]


def span_metrics(predictions: list[Prediction]) -> dict:
    reference_nlp = blank_pipeline("char")
    per_type = span_scores([reference_example(x.predicted, x.doc, reference_nlp) for x in predictions])["per_type"]
    labels: dict = {}
    micro = PRFScore()
    for label in LABELS:
        counts = Counter()
        for x in predictions:
            counts.update(nervaluate(x.gold, x.spans, label))
        tp, fp, fn = (sum(v) for v in zip(*(exact_counts(x.gold, x.spans, label) for x in predictions))) if predictions else (0, 0, 0)
        micro.tp += tp
        micro.fp += fp
        micro.fn += fn
        labels[label] = {
            "exact": per_type[label],
            "partial": prf(counts["correct"] + 0.5 * counts["partial"], counts["actual"], counts["possible"]),
            "counts": {k: counts[k] for k in ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")},
            "tp": tp, "fp": fp, "fn": fn,
            "exact_f_ci95": bootstrap(predictions, label),
        }
    macro_f = sum(labels[label]["exact"]["f"] for label in LABELS) / len(LABELS)
    return {"labels": labels, "micro": {"p": round(micro.precision, 4), "r": round(micro.recall, 4), "f": round(micro.fscore, 4)},
            "macro": {"f": round(macro_f, 4)}}


# --- indicators -------------------------------------------------------------------------------------


def indicator_metrics(nlp: Language, gold: list[GoldDoc]) -> dict:
    linker = next((proc for _, proc in nlp.pipeline if isinstance(proc, IndicatorLinker)), None)
    total = correct = 0
    confusion: dict[str, Counter] = defaultdict(Counter)
    for doc in gold:
        for start, end, label in doc.spans:
            base, indicator = split_label(label)
            if base != "COUNT":
                continue
            if linker is not None and linker.model is not None:
                predicted = link(linker.model, doc.text, start, end)
            else:
                predicted = count_indicator(doc.text, start)
            total += 1
            correct += predicted == indicator
            confusion[indicator][predicted] += 1
    return {"accuracy": round(correct / total, 4) if total else None, "counts": total,
            "confusion": {k: dict(v) for k, v in sorted(confusion.items())}}


# --- records ----------------------------------------------------------------------------------------


def load_gold_records(folder: Path) -> dict[str, dict]:
    """Gold records keyed by source path: annotations/records/*.json or a folder of record-contract JSON."""
    records = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        indicators = data.get("indicators") or {}
        values = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in indicators.items()}
        agency = data.get("agency")
        records[data["source"]] = {
            "agency": agency.get("name") if isinstance(agency, dict) else agency,
            "year": data.get("year"),
            "format": data.get("format"),
            "indicators": values,
            "problems": [p["text"] if isinstance(p, dict) else p for p in data.get("problems") or []] or None,
            "measures": [m["text"] if isinstance(m, dict) else m for m in data.get("measures") or []] or None,
        }
    return records


def load_table_gold(folder: Path) -> dict[str, dict]:
    tables = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        tables[f"corpus/{data['source']}"] = data["cells"]
    return tables


def _soft_match(a: str, b: str) -> bool:
    if not a or not b:
        return False
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) >= 0.6 or a in b or b in a


def record_metrics(predictions: list[Prediction], gold_records: dict[str, dict], gold_tables: dict[str, dict],
                   gold_spans: bool = True) -> dict:
    fields = {"agency": [0, 0], "year": [0, 0], "format": [0, 0]}
    indicator_counts = {key: Counter() for key in INDICATORS}
    cells = Counter()
    items = {"problems": Counter(), "measures": Counter()}
    mistakes = []
    for x in predictions:
        source = x.doc.meta.get("source", "")
        record = x.record
        gold = gold_records.get(source)
        if gold is None or record is None:
            continue
        for name in fields:
            predicted = getattr(record, name)
            predicted = predicted.name if name == "agency" and predicted else predicted
            fields[name][1] += 1
            if predicted == gold.get(name):
                fields[name][0] += 1
            else:
                mistakes.append({"source": source, "field": name, "gold": gold.get(name), "predicted": predicted})
        for key in INDICATORS:
            truth = gold["indicators"].get(key)
            found = record.indicators.get(key)
            value = found.value if found else None
            counter = indicator_counts[key]
            if truth is not None and value is not None and float(truth) == float(value):
                counter["tp"] += 1
            else:
                if value is not None:
                    counter["fp"] += 1
                if truth is not None:
                    counter["fn"] += 1
                if value is not None or truth is not None:
                    mistakes.append({"source": source, "field": key, "gold": truth, "predicted": value})
        for key, cell in (gold_tables.get(source) or {}).items():
            if cell.get("value") is None:
                continue
            cells["gold"] += 1
            predicted = record.tables.get(key)
            if predicted is not None and predicted.value is not None and float(predicted.value) == float(cell["value"]):
                cells["correct"] += 1
        if gold_spans:
            for kind, label in (("problems", "PROBLEM"), ("measures", "MEASURE")):
                truth = [x.doc.text[s:e] for s, e, l in x.gold if l == label]
                found = [p.text for p in getattr(record, kind)]
                items[kind]["gold"] += len(truth)
                items[kind]["predicted"] += len(found)
                items[kind]["tp_p"] += sum(1 for f in found if any(_soft_match(f, t) for t in truth))
                items[kind]["tp_r"] += sum(1 for t in truth if any(_soft_match(f, t) for f in found))
    result: dict = {"documents": fields["year"][1]}
    for name, (right, total) in fields.items():
        result[name] = {"accuracy": round(right / total, 4) if total else None, "n": total}
    result["indicators"] = {}
    for key, c in indicator_counts.items():
        result["indicators"][key] = {**prf(c["tp"], c["tp"] + c["fp"], c["tp"] + c["fn"]), "tp": c["tp"], "fp": c["fp"], "fn": c["fn"]}
    all_tp = sum(c["tp"] for c in indicator_counts.values())
    all_fp = sum(c["fp"] for c in indicator_counts.values())
    all_fn = sum(c["fn"] for c in indicator_counts.values())
    result["indicators_micro"] = prf(all_tp, all_tp + all_fp, all_tp + all_fn)
    result["table_cells"] = {"accuracy": round(cells["correct"] / cells["gold"], 4) if cells["gold"] else None, "n": cells["gold"]}
    for kind, c in items.items():
        p = c["tp_p"] / c["predicted"] if c["predicted"] else 0.0
        r = c["tp_r"] / c["gold"] if c["gold"] else 0.0
        result[kind] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0}
    result["mistakes"] = mistakes
    return result


# --- running ----------------------------------------------------------------------------------------


def _title_of(doc: GoldDoc) -> str | None:
    """The title ingestion read from the source file (crawler header, HTML title), as extraction sees it."""
    from .ingest import IngestError, read_document

    source = doc.meta.get("source")
    if not source or not Path(source).exists():
        return None
    try:
        return read_document(source).metadata.get("title")
    except IngestError:
        return None


def run_model(model: str, gold: list[GoldDoc], titles: dict[str, str | None] | None = None) -> ModelResult:
    titles = titles if titles is not None else {doc.doc_id: _title_of(doc) for doc in gold}
    name = resolve_model(model)
    nlp = load_pipeline(name)
    result = ModelResult(name=Path(name).name if name != "rules" else "rules")
    for doc in gold:
        predicted = nlp.make_doc(doc.text)
        predicted._.title = titles.get(doc.doc_id)
        for _, proc in nlp.pipeline:
            predicted = proc(predicted)
        record = Record.model_validate(predicted._.record) if predicted._.record else None
        result.predictions.append(Prediction(doc, predicted, base_spans(predicted_spans(predicted)), base_spans(doc.spans), record))
    result.metrics["spans"] = span_metrics(result.predictions)
    result.metrics["indicator_linking"] = indicator_metrics(nlp, gold)
    return result


def evaluate(models: list[str], data: Path, split: str | None, out: Path, *, records: bool = False,
             gold_records: Path | None = None) -> dict:
    gold = [d for d in read_gold(data) if split is None or d.meta.get("split") == split]
    if not gold:
        raise ValueError(f"no gold documents in {data} for split {split!r}")
    titles = {doc.doc_id: _title_of(doc) for doc in gold}  # read each source once, whatever the number of models
    results = [run_model(model, gold, titles) for model in models]
    record_gold = None
    if records or gold_records is not None:
        folder = gold_records or (Path(data) if Path(data).is_dir() else Path(data).parent) / "records"
        record_gold = load_gold_records(folder)
        tables_folder = (Path(data) if Path(data).is_dir() else Path(data).parent) / "tables"
        table_gold = load_table_gold(tables_folder) if tables_folder.exists() else {}
        for result in results:
            result.metrics["records"] = record_metrics(result.predictions, record_gold, table_gold)
    metrics = {
        "split": split,
        "documents": len(gold),
        "models": {r.name: r.metrics for r in results},
    }
    if len(results) > 1:
        base = results[0]
        metrics["differences"] = {
            r.name: {label: round(r.metrics["spans"]["labels"][label]["exact"]["f"] - base.metrics["spans"]["labels"][label]["exact"]["f"], 4)
                     for label in LABELS}
            for r in results[1:]
        }
        metrics["differences_against"] = base.name
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(markdown_report(metrics), encoding="utf-8")
    (out / "report.html").write_text(html_report(metrics, results), encoding="utf-8")
    return metrics


# --- reports ----------------------------------------------------------------------------------------


def headline_table(metrics: dict) -> str:
    models = list(metrics["models"])
    lines = ["| label | " + " | ".join(f"{m} P / R / F1 (95% CI of F1)" for m in models) + " |",
             "|---|" + "---|" * len(models)]
    for label in LABELS:
        cells = []
        for model in models:
            score = metrics["models"][model]["spans"]["labels"][label]
            e = score["exact"]
            ci = score["exact_f_ci95"]
            cells.append(f"{e['p']:.3f} / {e['r']:.3f} / **{e['f']:.3f}** ({ci[0]:.2f}–{ci[1]:.2f})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| micro | " + " | ".join(
        f"{metrics['models'][m]['spans']['micro']['p']:.3f} / {metrics['models'][m]['spans']['micro']['r']:.3f} / "
        f"**{metrics['models'][m]['spans']['micro']['f']:.3f}**" for m in models) + " |")
    return "\n".join(lines)


def markdown_report(metrics: dict) -> str:
    parts = [f"# Evaluation on split `{metrics['split']}` ({metrics['documents']} documents)", "",
             "Exact span match (spaCy's scorer), with a 95% bootstrap interval over documents.", "",
             headline_table(metrics), ""]
    parts += ["## Partial matches (nervaluate-style counts)", ""]
    for model, result in metrics["models"].items():
        parts += [f"### {model}", "", "| label | correct | incorrect | partial | missed | spurious | partial P / R / F1 |", "|---|---|---|---|---|---|---|"]
        for label in LABELS:
            score = result["spans"]["labels"][label]
            c, pa = score["counts"], score["partial"]
            parts.append(f"| {label} | {c['correct']} | {c['incorrect']} | {c['partial']} | {c['missed']} | {c['spurious']} | "
                         f"{pa['p']:.3f} / {pa['r']:.3f} / {pa['f']:.3f} |")
        linking = result["indicator_linking"]
        parts += ["", f"Indicator linking accuracy on {linking['counts']} gold COUNTs: **{linking['accuracy']}**", ""]
        if "records" in result:
            rec = result["records"]
            parts += [f"Records ({rec['documents']} documents): agency {rec['agency']['accuracy']}, year {rec['year']['accuracy']}, "
                      f"format {rec['format']['accuracy']}, table cells {rec['table_cells']['accuracy']} (n={rec['table_cells']['n']}), "
                      f"problems F1 {rec['problems']['f']}, measures F1 {rec['measures']['f']}", "",
                      "| indicator | P | R | F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|"]
            for key, s in rec["indicators"].items():
                parts.append(f"| {key} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['tp']} | {s['fp']} | {s['fn']} |")
            parts.append("")
    if "differences" in metrics:
        parts += [f"## Differences in exact F1 against `{metrics['differences_against']}`", "",
                  "| model | " + " | ".join(LABELS) + " |", "|---|" + "---|" * len(LABELS)]
        for model, diff in metrics["differences"].items():
            parts.append(f"| {model} | " + " | ".join(f"{diff[label]:+.3f}" for label in LABELS) + " |")
    return "\n".join(parts) + "\n"


def _chart(metrics: dict) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(metrics["models"])
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True)
    width = 0.8 / max(1, len(models))
    for axis, measure in zip(axes, ("p", "r", "f")):
        for i, model in enumerate(models):
            values = [metrics["models"][model]["spans"]["labels"][label]["exact"][measure] for label in LABELS]
            axis.bar([x + i * width for x in range(len(LABELS))], values, width, label=model)
        axis.set_xticks([x + width * (len(models) - 1) / 2 for x in range(len(LABELS))])
        axis.set_xticklabels(LABELS, fontsize=8)
        axis.set_title({"p": "precision", "r": "recall", "f": "F1"}[measure])
        axis.set_ylim(0, 1)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _displacy(text: str, spans: list[tuple[int, int, str]]) -> str:
    from spacy import displacy

    # displaCy's span style works on tokens: one token per character keeps character offsets exact.
    data = {"text": text, "tokens": list(text), "spans": [{"start_token": s, "end_token": e, "label": l} for s, e, l in spans]}
    return displacy.render(data, style="span", manual=True, page=False, jupyter=False)


def _error_views(result: ModelResult, limit: int = 3, window: int = 700) -> str:
    ranked = sorted(result.predictions, key=lambda x: -len(set(x.gold) ^ set(x.spans)))
    parts = []
    for x in ranked[:limit]:
        gold, pred = set(x.gold), set(x.spans)
        errors = sorted(gold ^ pred)
        if not errors:
            continue
        start = max(0, errors[0][0] - 100)
        end = min(len(x.doc.text), start + window)
        text = x.doc.text[start:end]

        def clip(spans, tag):
            return [(s - start, e - start, f"{l}{tag(s, e, l)}") for s, e, l in sorted(spans) if s >= start and e <= end]

        gold_view = clip(gold, lambda s, e, l: "" if (s, e, l) in pred else " MISSED")
        pred_view = clip(pred, lambda s, e, l: "" if (s, e, l) in gold else " FALSE-POSITIVE")
        parts.append(
            f"<h4>{html.escape(x.doc.meta.get('source', x.doc.doc_id))} — {len(gold - pred)} missed, {len(pred - gold)} false positives"
            f" (characters {start}–{end})</h4><div class='pair'><div><h5>gold</h5>{_displacy(text, gold_view)}</div>"
            f"<div><h5>prediction ({html.escape(result.name)})</h5>{_displacy(text, pred_view)}</div></div>")
    return "\n".join(parts)


def html_report(metrics: dict, results: list[ModelResult]) -> str:
    import markdown_it

    body = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown_report(metrics))
    confusion_parts = []
    for result in results:
        confusion = metrics["models"][result.name]["indicator_linking"]["confusion"]
        keys = sorted(set(confusion) | {k for row in confusion.values() for k in row})
        rows = "".join(
            f"<tr><th>{html.escape(g)}</th>" + "".join(f"<td>{confusion.get(g, {}).get(p, '')}</td>" for p in keys) + "</tr>"
            for g in keys)
        confusion_parts.append(
            f"<h3>{html.escape(result.name)}</h3><table class='confusion'><tr><th>gold \\ predicted</th>"
            + "".join(f"<th>{html.escape(k)}</th>" for k in keys) + f"</tr>{rows}</table>")
    errors = "".join(f"<h3>{html.escape(r.name)}</h3>{_error_views(r)}" for r in results)
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>ogi-extract evaluation</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:12px}} .pair{{display:grid;grid-template-columns:1fr 1fr;gap:1em}}</style>
</head><body>
<section id="summary">{body}</section>
<section id="charts"><h2>Per-label precision, recall and F1</h2><img alt="per-label P/R/F1" src="data:image/png;base64,{_chart(metrics)}"></section>
<section id="confusion"><h2>Indicator confusion (gold COUNT spans)</h2>{''.join(confusion_parts)}</section>
<section id="errors"><h2>Documents with the most errors (displaCy)</h2>{errors}</section>
</body></html>"""


__all__ = ["evaluate", "headline_table", "ENTITY_LABELS", "SPAN_LABELS"]
