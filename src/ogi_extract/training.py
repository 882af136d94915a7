"""`ogi train`: gold JSONL -> DocBins -> `spacy train` -> indicator linker -> a pipeline with its scores.

The spaCy part is driven by ``training/config.cfg``; the linker (scikit-learn) and the record builder
are added afterwards, and the whole pipeline is evaluated on the dev split with spaCy's scorer.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example

from . import components  # noqa: F401  (registers the factories)
from . import suggester  # noqa: F401  (registers the suggester)
from . import tokenizer  # noqa: F401  (registers the tokenizer)
from .annotations import GoldDoc, read_gold, validate
from .components import SPANS_KEY, rule_pipeline
from .labels import ENTITY_LABELS, SPAN_LABELS, split_label
from .linker import IndicatorModel, examples_from_gold

SEGMENTERS = ("char", "jieba", "pkuseg")
CANDIDATES_KEY = "span_candidates"
CHUNK_CHARS = 2000


class TrainingError(Exception):
    pass


@dataclass
class ConversionReport:
    documents: dict = field(default_factory=dict)
    chunks: dict = field(default_factory=dict)
    misaligned: list = field(default_factory=list)


def blank_pipeline(segmenter: str = "jieba", pkuseg_model: str | None = None) -> Language:
    if segmenter not in SEGMENTERS:
        raise TrainingError(f"unknown segmenter {segmenter!r} (choose from {', '.join(SEGMENTERS)})")
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "ogi_chinese_tokenizer.v1", "segmenter": segmenter}}})
    if segmenter == "pkuseg":
        if not pkuseg_model:
            raise TrainingError("the pkuseg segmenter needs --pkuseg-model (run `make pkuseg-model`)")
        nlp.tokenizer.initialize(pkuseg_model=pkuseg_model, pkuseg_user_dict=str(_user_dict()))
    return nlp


def _user_dict() -> Path:
    return Path(__file__).with_name("data") / "pkuseg_user_dict.txt"


def _chunks(doc: GoldDoc, limit: int) -> list[tuple[int, int]]:
    """Pieces of at most ``limit`` characters, cut at line ends that no span crosses."""
    text = doc.text
    crossing = set()
    for start, end, _ in doc.spans:
        crossing.update(range(start, end))
    cuts = [0]
    pos = 0
    while pos < len(text):
        newline = text.find("\n", pos)
        if newline < 0:
            break
        if newline not in crossing and newline - cuts[-1] >= limit // 2:
            cuts.append(newline + 1)
        pos = newline + 1
    cuts.append(len(text))
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        if end > start:
            pieces.append((start, end))
    return pieces


def to_spacy_doc(nlp: Language, text: str, spans: list[tuple[int, int, str]], where: str, report: ConversionReport) -> Doc:
    doc = nlp.make_doc(text)
    entities: list[Span] = []
    items: list[Span] = []
    for start, end, label in spans:
        base, _ = split_label(label)
        span = doc.char_span(start, end, label=base)
        if span is None:
            # A segmenter token crosses the span edge: widen to whole tokens and say so.
            span = doc.char_span(start, end, label=base, alignment_mode="expand")
            report.misaligned.append({"where": where, "label": base, "start": start, "end": end, "text": text[start:end],
                                      "as": span.text if span is not None else None})
            if span is None:
                continue
        if base in ENTITY_LABELS:
            entities.append(span)
        elif base in SPAN_LABELS:
            items.append(span)
    entities.sort(key=lambda s: (s.start, -len(s)))
    kept: list[Span] = []
    for span in entities:
        if kept and span.start < kept[-1].end:
            report.misaligned.append({"where": where, "label": span.label_, "start": span.start_char, "end": span.end_char,
                                      "text": span.text, "as": "dropped: overlaps after widening"})
            continue
        kept.append(span)
    doc.ents = kept
    doc.spans[SPANS_KEY] = items
    doc.spans[CANDIDATES_KEY] = list(items)  # what span_finder learns from (training/config_spanfinder.cfg)
    return doc


def convert(gold: list[GoldDoc], nlp: Language, out: Path, chunk_chars: int = CHUNK_CHARS) -> ConversionReport:
    report = ConversionReport()
    bins = {"train": DocBin(store_user_data=False), "dev": DocBin(store_user_data=False)}
    for doc in gold:
        split = doc.meta["split"]
        report.documents[split] = report.documents.get(split, 0) + 1
        pieces = _chunks(doc, chunk_chars) if split == "train" else [(0, len(doc.text))]
        for start, end in pieces:
            spans = [(s - start, e - start, l) for s, e, l in doc.spans if start <= s and e <= end]
            bins[split].add(to_spacy_doc(nlp, doc.text[start:end], spans, f"{doc.file}:{doc.line} {doc.doc_id}", report))
            report.chunks[split] = report.chunks.get(split, 0) + 1
    out.mkdir(parents=True, exist_ok=True)
    for split, docbin in bins.items():
        docbin.to_disk(out / f"{split}.spacy")
    return report


# --- evaluation ---------------------------------------------------------------------------------------


def reference_example(predicted: Doc, gold: GoldDoc, reference_nlp: Language) -> Example:
    """Prediction against gold built on characters: a gold span a segmenter cannot reach counts as missed,
    not widened."""
    return Example(predicted, to_spacy_doc(reference_nlp, gold.text, gold.spans, gold.doc_id, ConversionReport()))


def span_scores(examples: list[Example]) -> dict:
    """spaCy's scorer: exact-match P/R/F per label for the entities and the PROBLEM/MEASURE spans."""
    entity_scores = Scorer.score_spans(examples, "ents")
    item_scores = Scorer.score_spans(examples, SPANS_KEY, getter=lambda d, key: d.spans.get(key, []), has_annotation=lambda d: True)
    per_type = {**(entity_scores.get("ents_per_type") or {}), **(item_scores.get(f"{SPANS_KEY}_per_type") or {})}
    return {
        "per_type": {label: {k: round(v, 4) for k, v in per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0}).items()}
                     for label in ENTITY_LABELS + SPAN_LABELS},
        "ents_f": round(entity_scores.get("ents_f") or 0.0, 4),
        "spans_f": round(item_scores.get(f"{SPANS_KEY}_f") or 0.0, 4),
    }


def evaluate_pipeline(nlp: Language, gold: list[GoldDoc]) -> dict:
    """Whole documents through the whole pipeline: per-type scores, plus speed."""
    examples = []
    characters = 0
    reference_nlp = blank_pipeline("char")
    started = time.perf_counter()
    for doc in gold:
        examples.append(reference_example(nlp(doc.text), doc, reference_nlp))
        characters += len(doc.text)
    seconds = time.perf_counter() - started
    return {
        **span_scores(examples),
        "chars_per_second": round(characters / seconds) if seconds else None,
        "documents": len(gold),
    }


def indicator_accuracy(model: IndicatorModel | None, gold: list[GoldDoc]) -> dict:
    from .linker import link
    from .rules import count_indicator

    total = correct = rule_correct = 0
    confusion: dict[str, dict[str, int]] = {}
    for doc in gold:
        for start, end, label in doc.spans:
            base, indicator = split_label(label)
            if base != "COUNT":
                continue
            predicted = link(model, doc.text, start, end)
            total += 1
            correct += predicted == indicator
            rule_correct += count_indicator(doc.text, start) == indicator
            confusion.setdefault(indicator, {}).setdefault(predicted, 0)
            confusion[indicator][predicted] += 1
    return {"accuracy": round(correct / total, 4) if total else None,
            "rules_accuracy": round(rule_correct / total, 4) if total else None,
            "counts": total, "confusion": confusion}


def suggester_coverage(nlp: Language, gold: list[GoldDoc]) -> dict:
    from .suggester import coverage

    pairs = []
    for doc in gold:
        spacy_doc = nlp.make_doc(doc.text)
        spans = []
        for start, end, label in doc.spans:
            if split_label(label)[0] in SPAN_LABELS:
                span = spacy_doc.char_span(start, end, alignment_mode="expand")
                spans.append((span.start, span.end))
        pairs.append((spacy_doc, spans))
    return coverage(pairs)


# --- the whole run --------------------------------------------------------------------------------------


def train(
    *,
    config: Path,
    out: Path,
    annotations: Path = Path("annotations"),
    segmenter: str = "jieba",
    pkuseg_model: str | None = None,
    seed: int = 0,
    max_steps: int | None = None,
    workdir: Path | None = None,
    log=print,
) -> dict:
    started = time.perf_counter()
    problems = validate(annotations)
    if problems:
        shown = "\n".join(str(p) for p in problems[:20])
        raise TrainingError(f"{len(problems)} problem(s) in the annotations; fix them before training:\n{shown}")
    gold = list(read_gold(annotations))
    train_gold = [d for d in gold if d.meta["split"] == "train"]
    dev_gold = [d for d in gold if d.meta["split"] == "dev"]
    if not train_gold or not dev_gold:
        raise TrainingError("the annotations need documents in both the train and the dev split")

    workdir = workdir or out.parent / f".{out.name}-work"
    shutil.rmtree(workdir, ignore_errors=True)
    nlp = blank_pipeline(segmenter, pkuseg_model)
    report = convert(gold, nlp, workdir / "corpus")
    log(f"converted {report.documents} documents into {report.chunks} pieces; {len(report.misaligned)} misaligned span(s)")
    for item in report.misaligned[:20]:
        log(f"  misaligned {item['label']} {item['text']!r} at {item['where']} [{item['start']}:{item['end']}] -> {item['as']!r}")

    from spacy.cli.train import train as spacy_train

    overrides = {
        "paths.train": str(workdir / "corpus" / "train.spacy"),
        "paths.dev": str(workdir / "corpus" / "dev.spacy"),
        "nlp.tokenizer.segmenter": segmenter,
        "system.seed": seed,
    }
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
        overrides["training.eval_frequency"] = max(1, min(300, max_steps // 4))
    if segmenter == "pkuseg":
        overrides["initialize.tokenizer.pkuseg_model"] = pkuseg_model
        overrides["initialize.tokenizer.pkuseg_user_dict"] = str(_user_dict())
    spacy_train(config, workdir / "spacy", overrides=overrides, use_gpu=-1)

    nlp = spacy.load(workdir / "spacy" / "model-best")
    linker_model = IndicatorModel.train(examples_from_gold(train_gold), seed=seed)
    linker = nlp.add_pipe("ogi_indicator_linker")
    linker.model = linker_model
    nlp.add_pipe("ogi_record_builder")

    scores = evaluate_pipeline(nlp, dev_gold)
    baseline = evaluate_pipeline(rule_pipeline(), dev_gold)
    indicators = indicator_accuracy(linker_model, dev_gold)
    coverage_dev = suggester_coverage(nlp, dev_gold)
    coverage_train = suggester_coverage(nlp, train_gold)
    elapsed = time.perf_counter() - started
    nlp.meta["name"] = out.name
    nlp.meta["version"] = "0.1.0"
    nlp.meta["description"] = "ogi-extract: AGENCY/COUNT NER, PROBLEM/MEASURE spancat, indicator linker, record builder"
    nlp.meta["ogi"] = {
        "segmenter": segmenter,
        "seed": seed,
        "dev": scores,
        "rules_dev": baseline,
        "indicators_dev": {k: v for k, v in indicators.items() if k != "confusion"},
        "indicator_confusion_dev": indicators["confusion"],
        "suggester": {"dev": coverage_dev, "train": coverage_train},
        "documents": report.documents,
        "misaligned_spans": len(report.misaligned),
        "training_seconds": round(elapsed),
    }
    nlp.to_disk(out)
    (out / "training-report.json").write_text(json.dumps(nlp.meta["ogi"], ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.rmtree(workdir, ignore_errors=True)
    return nlp.meta["ogi"]
