"""A spancat suggester that proposes item-level units: sentences and enumerated items, without their
enumerators and final punctuation, plus the part after a lead-in ("主要是", "但", "：").

A PROBLEM or MEASURE is one item of a list or one sentence, so a handful of candidates per sentence
covers them, where n-gram suggesters need spans up to 36 tokens long (tooling-notes §3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ints1d, Ragged

_ENUM_AHEAD = r"(?=[一二三四五六七八九十]+[是要][^\d]|[（(][一二三四五六七八九十]+[)）]|(?<!\d)\d{1,2}[、.．](?![\d])|[一二三四五六七八九十]+、)"
# Sentences end at 。；！？; an enumerator starts a new item wherever it stands. A line break is a
# boundary in one reading and not in the other (fragmented pages break lines inside sentences).
_BOUNDARIES = (
    re.compile(rf"(?<=[。；;！!？?\n])|(?<=[^\d]){_ENUM_AHEAD}"),
    re.compile(rf"(?<=[。；;！!？?])|(?<=[^\d\n]){_ENUM_AHEAD}|(?<=\n){_ENUM_AHEAD}"),
)
_CLAUSE = re.compile(r"[，,；;]")
_ENUMERATOR = re.compile(
    r"[\s]*(?:[一二三四五六七八九十]+[是要][，,：:]?|第[一二三四五六七八九十]+[，,、]|[（(][一二三四五六七八九十\d]+[)）][、.，,]?|\d+[.、．](?!\d)|[一二三四五六七八九十]+、|一方面[，,]?|另一方面[，,]?)"
)
_LEAD_IN = re.compile(
    r"(?:主要是|主要有|主要表现在|表现在|具体表现为|体现在|主要为|以下问题有|问题是|问题为|如|但是|但|然而|不过|还存在|仍存在|存在|"
    r"我们将|我局将|我区将|我市将|我委将|我办将|我镇将|我县将|将|：|:)\s*"
)
_TRAILING = "。；;！!？?，,：:、 \n"
_FUSED_SUBJECT = re.compile(r"(?<=[\u4e00-\u9fff])(?:本|我)[局区市县镇乡委办会]将|(?<=[\u4e00-\u9fff])我们将")
_TRAILING_WORDS = re.compile(r"(?:等问题|等方面|等)$")
_MIN_CHARS = 4
_MAX_CHARS = 400


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \n\t":
        s += 1
    while e > s and text[e - 1] in _TRAILING:
        e -= 1
    return s, e


_ITEM_SECTIONS = ("problems_improvements", "next_steps")
# A cue counts where a paragraph or sentence starts (or after 但/但是): "下一步，我局将…", "（一）存在的主要问题".
_ITEM_CUE = re.compile(
    r"(?:^|(?<=[。；！？\n]))[^。；！？\n]{0,60}?(?:存在(?:的)?(?:主要)?(?:问题|不足)|主要问题|不足之处|不足[，,：:]|"
    r"改进措施|改进情况|做好改进|加以改进|下一步|下步打算|今后|工作思路|工作计划|将采取以下|还存在|仍存在|但也存在)",
    re.M,
)
_CONTENTS = re.compile(r"本(?:年度)?报告|本年报|全文包括|报告(?:由|包括|分为)")
_TOP_HEADING = re.compile(r"\n[一二三四五六七八九十]+、")
_CUE_REACH = 2500


def item_regions(text: str) -> list[tuple[int, int]]:
    """Where problems and measures are written: the 存在的主要问题 / 改进 / 下一步 sections (from the heading to
    the next section) and the paragraphs that announce problems or next steps; nothing else is proposed."""
    from .sections import find_sections

    sections = find_sections(text)
    regions = [(s.start, s.end) for s in sections if s.key in _ITEM_SECTIONS]
    # Achievements are told in the overview and the proactive-disclosure part: cues there are not items.
    other = [(s.start, s.end) for s in sections if s.key in ("overall", "proactive_disclosure")]
    # Reports without such headings (or with ones the section finder misses) still announce them; a cue
    # inside a section that is known to be something else (the overview's "今后…") does not count.
    for cue in _ITEM_CUE.finditer(text):
        if regions and any(start <= cue.start() < end for start, end in other):
            continue
        sentence_end = text.find("。", cue.end())
        sentence_start = text.rfind("。", 0, cue.start()) + 1
        if _CONTENTS.search(text, sentence_start, sentence_end if sentence_end > 0 else len(text)):
            continue  # the preamble's list of the report's parts, not the part itself
        start = cue.start()  # the cue pattern starts where its sentence starts
        heading = _TOP_HEADING.search(text, cue.end())
        end = heading.start() if heading else len(text)
        regions.append((start, min(end, cue.end() + _CUE_REACH)))
    if not regions:
        return []
    regions.sort()
    merged = [regions[0]]
    for start, end in regions[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def item_char_spans(text: str) -> list[tuple[int, int]]:
    """Candidate (start, end) character spans of one text, inside its problem and measure sections."""
    spans: set[tuple[int, int]] = set()
    for start, end in item_regions(text):
        spans.update(_region_spans(text, start, end))
    return sorted(spans)


def _region_spans(text: str, region_start: int, region_end: int) -> set[tuple[int, int]]:
    spans: set[tuple[int, int]] = set()

    def add(s: int, e: int) -> None:
        s, e = _trim(text, s, e)
        if e - s >= _MIN_CHARS:
            spans.add((s, min(e, s + _MAX_CHARS)))
            stripped = _TRAILING_WORDS.search(text, s, e)
            if stripped and stripped.start() - s >= _MIN_CHARS:
                spans.add(_trim(text, s, stripped.start()))

    for boundary in _BOUNDARIES:
        cuts = [region_start] + [m.start() for m in boundary.finditer(text, region_start, region_end)
                                 if region_start < m.start() < region_end] + [region_end]
        for start, end in zip(cuts, cuts[1:]):
            enumerator = _ENUMERATOR.match(text, start, end)
            s = enumerator.end() if enumerator else start
            s, e = _trim(text, s, end)
            if e - s < _MIN_CHARS:
                continue
            add(s, e)
            # The same unit after a lead-in: "…，但公开形式不够丰富" / "主要是宣传力度不够、…"
            for lead in _LEAD_IN.finditer(text, s, e):
                if lead.end() > s:
                    add(lead.end(), e)
            # Clauses: each one, and runs from the sentence start or to the sentence end.
            commas = [m.end() for m in _CLAUSE.finditer(text, s, e)]
            if commas and len(commas) <= 12:
                starts = [s] + commas
                ends = [c - 1 for c in commas] + [e]
                for i, clause_start in enumerate(starts):
                    add(clause_start, ends[i])
                    add(clause_start, e)
                    add(s, ends[i])
            # A heading sentence fused to its explanation is cut at the first "。", or where the
            # explanation's subject starts ("统一认识，努力规范工作流程本局将按照…").
            first_stop = text.find("。", s, e)
            if first_stop > s + _MIN_CHARS:
                add(s, first_stop)
            subject = _FUSED_SUBJECT.search(text, s + _MIN_CHARS, e)
            if subject:
                add(s, subject.start())
    return spans


def item_token_spans(doc: Doc) -> list[tuple[int, int]]:
    spans = []
    seen = set()
    for start, end in item_char_spans(doc.text):
        span = doc.char_span(start, end, alignment_mode="contract")
        if span is None or len(span) == 0:
            span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) and (span.start, span.end) not in seen:
            seen.add((span.start, span.end))
            spans.append((span.start, span.end))
    return spans


@registry.misc("ogi_item_suggester.v1")
def build_item_suggester():
    """Registered as `ogi_item_suggester.v1` (also through the spacy_misc entry point)."""

    def item_suggester(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        if ops is None:
            ops = get_current_ops()
        lengths = []
        rows = []
        for doc in docs:
            spans = item_token_spans(doc)
            lengths.append(len(spans))
            rows.extend(spans)
        lengths_array: Ints1d = ops.asarray1i(lengths)
        if rows:
            data = ops.asarray2i(rows)
        else:
            data = ops.xp.zeros((0, 2), dtype="i")
        return Ragged(data, lengths_array)

    return item_suggester


def coverage(docs_and_gold: Iterable[tuple[Doc, list[tuple[int, int]]]]) -> dict:
    """Share of gold (token start, token end) spans proposed, and candidates per token."""
    gold_total = covered = candidates = tokens = 0
    for doc, gold in docs_and_gold:
        proposed = set(item_token_spans(doc))
        candidates += len(proposed)
        tokens += len(doc)
        gold_total += len(gold)
        covered += sum(1 for span in gold if span in proposed)
    return {
        "gold_spans": gold_total,
        "covered": covered,
        "coverage": round(covered / gold_total, 4) if gold_total else None,
        "candidates_per_token": round(candidates / tokens, 4) if tokens else None,
    }
