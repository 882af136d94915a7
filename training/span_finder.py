"""span_finder + spancat against the item suggester (training/README.md, "The item suggester").

    python training/span_finder.py --out models/.span_finder [--compare models/ogi_zh]

Stage 1 (training/spanfinder_stage1.cfg) trains tok2vec + span_finder on the gold PROBLEM/MEASURE items;
stage 2 (training/spanfinder_stage2.cfg) trains spancat on the proposals of the frozen stage-1 span_finder.
Both read the DocBins `ogi train` makes (same split, same pieces, same segmenter). spaCy evaluates at
step 0, when an untrained span_finder proposes nearly every start x end pair: the in-training evaluation
therefore uses three short dev documents, and the scores printed here are computed afterwards on the
whole dev split with the same scorer as `ogi train`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.tokens import DocBin

from ogi_extract.annotations import read_gold
from ogi_extract.labels import SPAN_LABELS, split_label
from ogi_extract.training import CANDIDATES_KEY, blank_pipeline, convert, reference_example, span_scores

ROOT = Path(__file__).resolve().parents[1]


def small_dev(corpus: Path, nlp, documents: int = 3) -> Path:
    docs = sorted(DocBin().from_disk(corpus / "dev.spacy").get_docs(nlp.vocab), key=len)[:documents]
    path = corpus / "dev_small.spacy"
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    return path


def proposals(nlp, gold) -> dict:
    """Share of gold items the span_finder proposes exactly, and proposals per token."""
    gold_items = covered = proposed = tokens = 0
    for doc in gold:
        predicted = nlp(doc.text)
        offered = {(s.start_char, s.end_char) for s in predicted.spans.get(CANDIDATES_KEY, [])}
        items = [(s, e) for s, e, label in doc.spans if split_label(label)[0] in SPAN_LABELS]
        gold_items += len(items)
        covered += sum(1 for item in items if item in offered)
        proposed += len(offered)
        tokens += len(predicted)
    return {"gold_spans": gold_items, "covered": covered, "coverage": round(covered / gold_items, 4) if gold_items else None,
            "candidates_per_token": round(proposed / tokens, 4) if tokens else None}


def scores(nlp, gold) -> dict:
    reference = blank_pipeline("char")
    started = time.perf_counter()
    examples = [reference_example(nlp(doc.text), doc, reference) for doc in gold]
    seconds = time.perf_counter() - started
    per_type = span_scores(examples)["per_type"]
    return {"per_type": {label: per_type[label] for label in SPAN_LABELS},
            "chars_per_second": round(sum(len(d.text) for d in gold) / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / ".span_finder")
    parser.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    parser.add_argument("--compare", type=Path, default=ROOT / "models" / "ogi_zh",
                        help="A pipeline trained with training/config.cfg (its meta.json has the item suggester's figures).")
    args = parser.parse_args()

    started = time.perf_counter()
    gold = list(read_gold(args.annotations))
    dev = [d for d in gold if d.meta["split"] == "dev"]
    nlp = blank_pipeline("jieba")
    corpus = args.out / "corpus"
    convert(gold, nlp, corpus)
    paths = {"paths.train": str(corpus / "train.spacy"), "paths.dev": str(small_dev(corpus, nlp))}
    spacy_train(ROOT / "training" / "spanfinder_stage1.cfg", args.out / "stage1", overrides=paths, use_gpu=-1)
    spacy_train(ROOT / "training" / "spanfinder_stage2.cfg", args.out / "stage2",
                overrides={**paths, "paths.stage1": str(args.out / "stage1" / "model-last")}, use_gpu=-1)
    pipeline = spacy.load(args.out / "stage2" / "model-last")
    result = {"span_finder": {**scores(pipeline, dev), "suggester": proposals(pipeline, dev)},
              "training_seconds": round(time.perf_counter() - started)}
    if (args.compare / "meta.json").exists():
        meta = json.loads((args.compare / "meta.json").read_text(encoding="utf-8"))["ogi"]
        result["item_suggester"] = {"per_type": {label: meta["dev"]["per_type"][label] for label in SPAN_LABELS},
                                    "chars_per_second": meta["dev"]["chars_per_second"],
                                    "suggester": meta["suggester"]["dev"], "model": str(args.compare)}
    (args.out / "comparison.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
