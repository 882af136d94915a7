"""Registered spaCy components: rule entities, rule spans, rule indicators and the record builder.

Plain factory names without dots (spaCy >= 3.4 rejects dots in factory names).
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import rules
from .builder import build_record

SPANS_KEY = "sc"

for _name, _default in (("record", None), ("count_indicators", None), ("title", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def _char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


@Language.factory("ogi_rule_entities")
def make_rule_entities(nlp: Language, name: str):
    def rule_entities(doc: Doc) -> Doc:
        entities = []
        for found in rules.annotate_entities(doc.text):
            span = _char_span(doc, found.start, found.end, found.label)
            if span is not None and (not entities or span.start >= entities[-1].end):
                entities.append(span)
        doc.ents = entities
        return doc

    return rule_entities


@Language.factory("ogi_agency_bounds")
def make_agency_bounds(nlp: Language, name: str):
    """After the NER, AGENCY boundaries made plausible (rules.name_bounds): cut before punctuation or digits,
    overlong ones dropped, widened over (part of) the place name written right before them ("攀枝花市|审计局",
    "沐阳|县人民政府"); then the other members of a 、-list that holds an agency and read as agency names
    themselves (rules.list_neighbours). On the 57 round-2 documents, which a model trained on round 1 had
    not seen, AGENCY F1 0.778 -> 0.822."""

    def agency_bounds(doc: Doc) -> Doc:
        entities: list[Span] = []
        for entity in doc.ents:
            if entity.label_ == "AGENCY":
                bounds = rules.name_bounds(doc.text, entity.start_char, entity.end_char)
                if bounds is None:
                    continue
                if bounds != (entity.start_char, entity.end_char):
                    fitted = doc.char_span(*bounds, label="AGENCY")
                    if fitted is None or (entities and fitted.start < entities[-1].end):
                        fitted = doc.char_span(entity.start_char, bounds[1], label="AGENCY")
                    if fitted is None:
                        continue
                    entity = fitted
            entities.append(entity)
        taken = {i for entity in entities for i in range(entity.start, entity.end)}
        for entity in [e for e in entities if e.label_ == "AGENCY"]:
            for start, end in rules.list_neighbours(doc.text, entity.start_char, entity.end_char):
                member = doc.char_span(start, end, label="AGENCY")
                if member is not None and not taken.intersection(range(member.start, member.end)):
                    entities.append(member)
                    taken.update(range(member.start, member.end))
        doc.ents = sorted(entities, key=lambda e: e.start)
        return doc

    return agency_bounds


@Language.factory("ogi_rule_spans", default_config={"spans_key": SPANS_KEY})
def make_rule_spans(nlp: Language, name: str, spans_key: str):
    def rule_spans(doc: Doc) -> Doc:
        found = rules.find_problems_and_measures(doc.text)
        doc.spans[spans_key] = [s for s in (_char_span(doc, f.start, f.end, f.label) for f in found) if s is not None]
        return doc

    return rule_spans


@Language.factory("ogi_rule_indicators")
def make_rule_indicators(nlp: Language, name: str):
    def rule_indicators(doc: Doc) -> Doc:
        text = doc.text  # Doc.text and Doc.ents rebuild from every token on each access: read them once
        doc._.count_indicators = {
            (ent.start_char, ent.end_char): rules.count_indicator(text, ent.start_char)
            for ent in doc.ents if ent.label_ == "COUNT"
        }
        return doc

    return rule_indicators


@Language.factory("ogi_record_builder", default_config={"spans_key": SPANS_KEY})
def make_record_builder(nlp: Language, name: str, spans_key: str):
    def record_builder(doc: Doc) -> Doc:
        indicators = doc._.count_indicators or {}
        spans = list(doc.spans[spans_key]) if spans_key in doc.spans else []
        entities = list(doc.ents)
        record = build_record(
            doc.text,
            title=doc._.title,
            agencies=[rules.CharSpan(e.start_char, e.end_char, "AGENCY") for e in entities if e.label_ == "AGENCY"],
            counts=[(e.start_char, e.end_char, indicators.get((e.start_char, e.end_char), "other"))
                    for e in entities if e.label_ == "COUNT"],
            problems=[(s.start_char, s.end_char) for s in spans if s.label_ == "PROBLEM"],
            measures=[(s.start_char, s.end_char) for s in spans if s.label_ == "MEASURE"],
        )
        doc._.record = record.model_dump(mode="json")
        return doc

    return record_builder


def rule_pipeline() -> Language:
    """The rule baseline: a blank Chinese pipeline with the rule components and the record builder."""
    nlp = spacy.blank("zh")
    nlp.add_pipe("ogi_rule_entities")
    nlp.add_pipe("ogi_rule_spans")
    nlp.add_pipe("ogi_rule_indicators")
    nlp.add_pipe("ogi_record_builder")
    nlp.meta["name"] = "ogi_rules"
    return nlp
