"""Gold annotations: doccano-style JSONL I/O, validation, statistics, agreement, and the quote format.

Gold line: {"text": ..., "label": [[start, end, "AGENCY" | "COUNT:<indicator>" | "PROBLEM" | "MEASURE"], ...],
            "meta": {"doc_id", "source", "split", "annotator", "annotated_at", ...}}
Work files of annotators quote spans instead of counting characters:
            {"doc_id", "source", "spans": [[label, quoted_text, occurrence], ...], "annotator", "notes"}
and ``resolve_quotes`` turns them into offsets (occurrence = which occurrence of the quote, from 0).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .labels import ENTITY_LABELS, INDICATOR_KEYS, LABELS, split_label

SPLITS = ("train", "dev")


@dataclass
class GoldDoc:
    text: str
    spans: list[tuple[int, int, str]]
    meta: dict = field(default_factory=dict)
    file: str = ""
    line: int = 0

    @property
    def doc_id(self) -> str:
        return self.meta.get("doc_id", "")

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "label": [list(s) for s in sorted(self.spans)], "meta": self.meta}, ensure_ascii=False)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    doc_id: str
    message: str
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        doc = f" doc {self.doc_id}" if self.doc_id else ""
        offsets = f" [{self.start}:{self.end}]" if self.start is not None else ""
        return f"{where}{doc}{offsets}: {self.message}"


def gold_files(path: str | os.PathLike) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.glob("*.jsonl"))
    return [path]


def read_gold(path: str | os.PathLike, problems: list[Problem] | None = None) -> Iterator[GoldDoc]:
    """Documents of one file or of every *.jsonl in a folder; malformed lines become Problems."""
    for file in gold_files(path):
        with open(file, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    text = data["text"]
                    raw_spans = data.get("label", data.get("entities", []))
                    spans = []
                    for span in raw_spans:
                        if isinstance(span, dict):
                            spans.append((int(span["start_offset"]), int(span["end_offset"]), str(span["label"])))
                        else:
                            start, end, label = span
                            spans.append((int(start), int(end), str(label)))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    if problems is not None:
                        problems.append(Problem(str(file), number, "", f"malformed line: {type(exc).__name__}: {exc}"))
                    continue
                yield GoldDoc(text=text, spans=spans, meta=data.get("meta", {}), file=str(file), line=number)


def validate_doc(doc: GoldDoc, *, check_source: bool = True, corpus_root: Path | None = None) -> list[Problem]:
    problems: list[Problem] = []

    def problem(message: str, start: int | None = None, end: int | None = None) -> None:
        problems.append(Problem(doc.file, doc.line, doc.doc_id, message, start, end))

    for key in ("doc_id", "source", "split"):
        if key not in doc.meta:
            problem(f"meta has no {key!r}")
    if doc.meta.get("split") not in SPLITS:
        problem(f"split must be one of {SPLITS}, not {doc.meta.get('split')!r}")
    entities = []
    for start, end, label in doc.spans:
        base, indicator = split_label(label)
        if base not in LABELS:
            problem(f"unknown label {label!r} (labels: {', '.join(LABELS)}, COUNT as COUNT:<indicator>)", start, end)
            continue
        if base == "COUNT" and indicator not in INDICATOR_KEYS:
            problem(f"unknown indicator {indicator!r} for COUNT (keys: {', '.join(INDICATOR_KEYS)})", start, end)
        if not (0 <= start < end <= len(doc.text)):
            problem(f"span out of range for a text of {len(doc.text)} characters", start, end)
            continue
        fragment = doc.text[start:end]
        if fragment != fragment.strip() or not fragment.strip():
            problem(f"span is empty or starts/ends with blank space: {fragment!r}", start, end)
        if base in ENTITY_LABELS:
            entities.append((start, end, label))
    entities.sort()
    for (s1, e1, l1), (s2, e2, l2) in zip(entities, entities[1:]):
        if s2 < e1:
            problem(f"overlapping entities {l1} [{s1}:{e1}] and {l2}", s2, e2)
    if check_source and "source" in doc.meta:
        problems += _check_source(doc, corpus_root)
    return problems


def _check_source(doc: GoldDoc, corpus_root: Path | None) -> list[Problem]:
    from .ingest import IngestError, read_document

    root = corpus_root or Path(doc.file).resolve().parent.parent
    path = root / doc.meta["source"]
    if not path.exists():
        return [Problem(doc.file, doc.line, doc.doc_id, f"source file {doc.meta['source']} not found under {root}")]
    try:
        document = read_document(path)
    except IngestError as exc:
        return [Problem(doc.file, doc.line, doc.doc_id, f"source cannot be read: {exc.message}")]
    problems = []
    if document.doc_id != doc.doc_id:
        problems.append(Problem(doc.file, doc.line, doc.doc_id, f"doc_id does not match the source bytes (source hashes to {document.doc_id})"))
    if document.text != doc.text:
        first = next((i for i, (a, b) in enumerate(zip(document.text, doc.text)) if a != b), min(len(document.text), len(doc.text)))
        problems.append(Problem(doc.file, doc.line, doc.doc_id, "text differs from the normalised source text", first, first + 1))
    return problems


def validate(path: str | os.PathLike, *, check_source: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for doc in read_gold(path, problems):
        problems += validate_doc(doc, check_source=check_source)
        if doc.doc_id in seen:
            problems.append(Problem(doc.file, doc.line, doc.doc_id, f"duplicate document (also at {seen[doc.doc_id]})"))
        seen[doc.doc_id] = f"{doc.file}:{doc.line}"
    return problems


def stats(path: str | os.PathLike) -> dict:
    result: dict = {"documents": Counter(), "labels": defaultdict(Counter), "indicators": Counter(), "kinds": Counter()}
    for doc in read_gold(path):
        split = doc.meta.get("split", "?")
        result["documents"][split] += 1
        result["kinds"][f"{doc.meta.get('kind', '?')}/{split}"] += 1
        for _, _, label in doc.spans:
            base, indicator = split_label(label)
            result["labels"][base][split] += 1
            if indicator:
                result["indicators"][indicator] += 1
    return result


# --- agreement -----------------------------------------------------------------------------------------


def _prf(tp: float, n_pred: int, n_gold: int, tp_gold: float | None = None) -> dict:
    """``tp`` counts matched predictions; ``tp_gold`` matched gold spans when they differ (overlap match)."""
    p = tp / n_pred if n_pred else 0.0
    r = (tp if tp_gold is None else tp_gold) / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "pred": n_pred, "gold": n_gold}


def agreement(a_path: str | os.PathLike, b_path: str | os.PathLike, *, base_labels: bool = True) -> dict:
    """Per-label P/R/F1 of B against A, exact and overlap match, over documents present in both."""
    a_docs = {d.doc_id or d.text[:50]: d for d in read_gold(a_path)}
    b_docs = {d.doc_id or d.text[:50]: d for d in read_gold(b_path)}
    shared = sorted(set(a_docs) & set(b_docs))
    result: dict = {"documents": len(shared), "exact": {}, "overlap": {}}
    for label in LABELS:
        counts = {"exact": 0, "overlap": 0, "overlap_gold": 0, "a": 0, "b": 0}
        for key in shared:
            gold = [(s, e) for s, e, l in a_docs[key].spans if (split_label(l)[0] if base_labels else l) == label]
            pred = [(s, e) for s, e, l in b_docs[key].spans if (split_label(l)[0] if base_labels else l) == label]
            counts["a"] += len(gold)
            counts["b"] += len(pred)
            counts["exact"] += len(set(gold) & set(pred))
            counts["overlap"] += sum(1 for s, e in pred if any(s < ge and gs < e for gs, ge in gold))
            counts["overlap_gold"] += sum(1 for gs, ge in gold if any(s < ge and gs < e for s, e in pred))
        result["exact"][label] = _prf(counts["exact"], counts["b"], counts["a"])
        result["overlap"][label] = _prf(counts["overlap"], counts["b"], counts["a"], counts["overlap_gold"])
    # Indicator agreement on COUNT spans both passes marked identically.
    same = total = 0
    for key in shared:
        a_counts = {(s, e): l for s, e, l in a_docs[key].spans if l.startswith("COUNT")}
        for s, e, l in b_docs[key].spans:
            if (s, e) in a_counts:
                total += 1
                same += a_counts[(s, e)] == l
    result["indicator_accuracy"] = round(same / total, 4) if total else None
    return result


# --- the quote format of annotators' work files ---------------------------------------------------------


class QuoteError(ValueError):
    pass


def resolve_quotes(text: str, spans: Iterable[list], doc_id: str = "", *, tolerant: bool = False) -> list[tuple[int, int, str]]:
    """[label, quote, occurrence] -> (start, end, label). ``tolerant`` also accepts the quote with the blank
    space removed that a newer normaliser no longer keeps (work files are quoted against an older text)."""
    resolved = []
    for item in spans:
        label, quote = item[0], item[1]
        occurrence = int(item[2]) if len(item) > 2 else 0
        variants = [quote]
        if tolerant:
            variants += [re.sub(r"\s+", "", quote), re.sub(r"[ \t]+", "", quote), quote.replace("\n", "")]
        for variant in dict.fromkeys(variants):
            pos = _nth(text, variant, occurrence)
            if pos < 0 and tolerant:
                pos = _nth(text, variant, 0) if text.count(variant) == 1 else -1
            if pos >= 0:
                resolved.append((pos, pos + len(variant), label))
                break
        else:
            raise QuoteError(f"doc {doc_id}: {label} quote {quote!r} occurrence {occurrence} not found in the text")
    return sorted(set(resolved))


def remap_spans(old: str, new: str, spans: list[tuple[int, int, str]], doc_id: str = "",
                dropped: list | None = None) -> list[tuple[int, int, str]]:
    """Move spans made on ``old`` onto ``new`` (the same document under a newer normaliser) by aligning
    the two texts. A span the new normaliser removed entirely (page junk) is dropped and listed in
    ``dropped``; a span found only in part is an error."""
    import difflib

    if old == new:
        return list(spans)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    position: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            position[a + k] = b + k
    moved = []
    for start, end, label in spans:
        kept = [position[i] for i in range(start, end) if i in position]
        quote = re.sub(r"\s+", "", old[start:end])
        if not kept and dropped is not None:
            dropped.append((start, end, label, old[start:end]))
            continue
        if not kept or re.sub(r"\s+", "", new[kept[0]:kept[-1] + 1]) != quote:
            raise QuoteError(f"doc {doc_id}: {label} {old[start:end]!r} at [{start}:{end}] cannot be found again in the new text")
        moved.append((kept[0], kept[-1] + 1, label))
    return sorted(set(moved))


def _nth(text: str, quote: str, occurrence: int) -> int:
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            return -1
    return pos


def quote_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> list[list]:
    """Offsets -> [label, quote, occurrence]: the inverse of resolve_quotes."""
    quoted = []
    for start, end, label in sorted(spans):
        quote = text[start:end]
        occurrence, pos = 0, text.find(quote)
        while pos != start:
            occurrence += 1
            pos = text.find(quote, pos + 1)
        quoted.append([label, quote, occurrence])
    return quoted
