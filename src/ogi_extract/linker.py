"""The indicator linker: which indicator each COUNT states, from the characters around it.

A scikit-learn logistic regression over character n-grams of the left clause, the right context and
the unit, plus the rule baseline's guess as one more feature. Saved without pickle: the vocabulary
and labels as JSON, the weights as a NumPy array (``to_disk`` / ``from_disk``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from . import rules
from .labels import split_label

LEFT_WINDOW = 24
RIGHT_WINDOW = 8
_CLAUSE_BREAK = re.compile(r"[。；;！!？?\n]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def count_features(text: str, start: int, end: int) -> list[str]:
    """Features of the COUNT at text[start:end]."""
    left = text[max(0, start - LEFT_WINDOW):start]
    breaks = list(_CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end():]
    left = _DIGITS.sub("0", left)
    right = _DIGITS.sub("0", text[end:end + RIGHT_WINDOW])
    right = _CLAUSE_BREAK.split(right)[0]
    span = text[start:end]
    unit = re.sub(r"^[\d.,一二三四五六七八九十百千万亿零〇两余多]+", "", span)
    features = [f"U:{unit}", f"RULE:{rules.count_indicator(text, start)}", f"LEN:{min(len(left), 9)}"]
    for n in (1, 2, 3):
        features += [f"L{n}:{left[i:i + n]}" for i in range(len(left) - n + 1)]
        features += [f"R{n}:{right[i:i + n]}" for i in range(len(right) - n + 1)]
    features += [f"LE:{left[-k:]}" for k in (1, 2, 3, 4) if len(left) >= k]
    if "其中" in left:
        features.append("HAS:其中")
    if "累计" in left:
        features.append("HAS:累计")
    return features


class IndicatorModel:
    """Vocabulary + weights; predicts the indicator of a COUNT from its features."""

    def __init__(self, vocabulary: dict[str, int], labels: list[str], weights: np.ndarray, bias: np.ndarray):
        self.vocabulary = vocabulary
        self.labels = labels
        self.weights = weights  # (n_labels, n_features)
        self.bias = bias  # (n_labels,)

    def predict(self, features: list[str]) -> str:
        if len(self.labels) == 1:
            return self.labels[0]
        columns = [self.vocabulary[f] for f in features if f in self.vocabulary]
        scores = self.bias + (self.weights[:, columns].sum(axis=1) if columns else 0.0)
        return self.labels[int(np.argmax(scores))]

    @classmethod
    def train(cls, examples: Iterable[tuple[list[str], str]], *, c: float = 4.0, seed: int = 0) -> "IndicatorModel":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        feature_lists, targets = zip(*examples)
        vectorizer = DictVectorizer()
        matrix = vectorizer.fit_transform([{f: 1.0 for f in fs} for fs in feature_lists])
        labels = sorted(set(targets))
        if len(labels) == 1:
            return cls(dict(vectorizer.vocabulary_), labels, np.zeros((1, matrix.shape[1])), np.zeros(1))
        classifier = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        classifier.fit(matrix, targets)
        weights, bias = classifier.coef_, classifier.intercept_
        if len(classifier.classes_) == 2:  # binary: one row of weights for the second class
            weights = np.vstack([-weights[0] / 2, weights[0] / 2])
            bias = np.array([-bias[0] / 2, bias[0] / 2])
        vocabulary = {k: int(v) for k, v in vectorizer.vocabulary_.items()}
        return cls(vocabulary, [str(x) for x in classifier.classes_], weights.astype(np.float32), bias.astype(np.float32))

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.json").write_text(
            json.dumps({"labels": self.labels, "vocabulary": self.vocabulary, "left_window": LEFT_WINDOW,
                        "right_window": RIGHT_WINDOW}, ensure_ascii=False), encoding="utf-8")
        np.save(path / "weights.npy", self.weights, allow_pickle=False)
        np.save(path / "bias.npy", self.bias, allow_pickle=False)

    @classmethod
    def from_disk(cls, path: Path) -> "IndicatorModel":
        meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
        weights = np.load(path / "weights.npy", allow_pickle=False)
        bias = np.load(path / "bias.npy", allow_pickle=False)
        return cls(meta["vocabulary"], meta["labels"], weights, bias)


def examples_from_gold(docs) -> list[tuple[list[str], str]]:
    """(features, indicator) of every gold COUNT."""
    examples = []
    for doc in docs:
        for start, end, label in doc.spans:
            base, indicator = split_label(label)
            if base == "COUNT":
                examples.append((count_features(doc.text, start, end), indicator or "other"))
    return examples


def link(model: IndicatorModel | None, text: str, start: int, end: int) -> str:
    """The indicator of the COUNT text[start:end]: what its own list item names when that is a review, a
    lawsuit or an answer to requests (rules.review_or_lawsuit, rules.answer_named; gold has few of these for
    the classifier to learn from), else the classifier's reading of its context (the rules without one)."""
    named = rules.review_or_lawsuit(text, start) or rules.answer_named(text, start, end)
    if named is not None:
        return named
    if model is None:
        return rules.count_indicator(text, start)
    return model.predict(count_features(text, start, end))


class IndicatorLinker:
    """Sets ``doc._.count_indicators`` = {(start_char, end_char): indicator} for every COUNT entity."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.model: IndicatorModel | None = None

    def __call__(self, doc: Doc) -> Doc:
        indicators = {}
        text = doc.text  # rebuilt from the tokens on every access: read once
        for ent in doc.ents:
            if ent.label_ != "COUNT":
                continue
            indicators[(ent.start_char, ent.end_char)] = link(self.model, text, ent.start_char, ent.end_char)
        doc._.count_indicators = indicators
        return doc

    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.to_disk(path)

    def from_disk(self, path, exclude=tuple()):
        path = Path(path)
        if (path / "model.json").exists():
            self.model = IndicatorModel.from_disk(path)
        return self


@Language.factory("ogi_indicator_linker")
def make_indicator_linker(nlp: Language, name: str) -> IndicatorLinker:
    return IndicatorLinker(nlp, name)
