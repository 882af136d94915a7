"""The library API: load a pipeline, extract records from files or texts."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language

from . import components  # noqa: F401  (registers the factories)
from .components import rule_pipeline
from .ingest import SUFFIXES, Document, IngestError, Limits, doc_id_for, document_from_text, read_document
from .record import Record

DEFAULT_MODEL = "models/ogi_zh"
RULES = "rules"


class ModelError(Exception):
    """The model path does not hold a loadable spaCy pipeline."""


def resolve_model(model: str | os.PathLike | None) -> str:
    """`None` -> the bundled model if present, else the rule baseline."""
    if model is None:
        bundled = Path(__file__).resolve().parents[2] / DEFAULT_MODEL
        return str(bundled) if (bundled / "meta.json").exists() else RULES
    return str(model)


def load_pipeline(model: str | os.PathLike | None = None) -> Language:
    name = resolve_model(model)
    if name == RULES:
        return rule_pipeline()
    path = Path(name)
    if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
        raise ModelError(f"{path}: not a spaCy pipeline (config.cfg and meta.json are required); use --model rules for the rule baseline")
    try:
        nlp = spacy.load(path)
    except Exception as exc:  # spaCy raises many kinds for a broken pipeline folder
        raise ModelError(f"{path}: cannot load the pipeline: {type(exc).__name__}: {exc}") from exc
    if "ogi_record_builder" not in nlp.pipe_names:
        nlp.add_pipe("ogi_record_builder")
    return nlp


class Extractor:
    """Runs a pipeline over documents and returns one Record per input."""

    def __init__(self, nlp: Language, model_name: str, *, limits: Limits = Limits(), keep_text: bool = False):
        self.nlp = nlp
        self.nlp.max_length = max(self.nlp.max_length, limits.max_chars + 1)
        self.model_name = model_name
        self.limits = limits
        self.keep_text = keep_text

    def extract(self, path_or_text: str | os.PathLike) -> Record:
        """A path to a file, or a report's text."""
        return next(iter(self.pipe([path_or_text])))

    def extract_document(self, document: Document) -> Record:
        return next(self._records([document]))

    def pipe(self, items: Iterable[str | os.PathLike], batch_size: int = 8) -> Iterator[Record]:
        """Records in input order; a file that cannot be read gives an error record, never an exception."""
        batch: list[Document | Record] = []
        for item in items:
            batch.append(self._document_or_error(item))
            if len(batch) >= batch_size:
                yield from self._flush(batch)
                batch = []
        yield from self._flush(batch)

    def _document_or_error(self, item: str | os.PathLike) -> Document | Record:
        if isinstance(item, str) and _is_text(item):
            return document_from_text(item)
        return read_or_error(item, self.limits)

    def _flush(self, batch: list[Document | Record]) -> Iterator[Record]:
        documents = [d for d in batch if isinstance(d, Document)]
        built = iter(self._records(documents))
        for item in batch:
            yield next(built) if isinstance(item, Document) else item

    def _records(self, documents: list[Document]) -> Iterator[Record]:
        docs = []
        for document in documents:
            doc = self.nlp.make_doc(document.text)
            doc._.title = document.metadata.get("title")
            docs.append(doc)
        for document, doc in zip(documents, self._run(docs)):
            try:
                record = Record.model_validate(doc._.record)
            except Exception as exc:
                yield Record.failed(document.doc_id, document.source, "ExtractionError",
                                    f"{document.source}: building the record failed: {type(exc).__name__}: {exc}")
                continue
            record.doc_id = document.doc_id
            record.source = document.source
            record.input_format = document.metadata.get("input_format")
            record.encoding = document.metadata.get("encoding")
            record.title = record.title or document.metadata.get("title")
            record.model = self.model_name
            if self.keep_text:
                record.text = document.text
            yield record

    def _run(self, docs):
        for doc in docs:
            try:
                for _, proc in self.nlp.pipeline:
                    doc = proc(doc)
            except Exception as exc:  # one broken report never stops a corpus run
                doc._.record = Record.failed("", "", "ExtractionError", f"pipeline failed: {type(exc).__name__}: {exc}").model_dump()
            yield doc


def _is_text(item: str) -> bool:
    if "\n" in item or len(item) > 1024:
        return True
    return not os.path.exists(item) and Path(item).suffix.lower() not in SUFFIXES


def read_or_error(item: str | os.PathLike, limits: Limits = Limits()) -> Document | Record:
    source = str(item)
    try:
        return read_document(item, source=source, limits=limits)
    except IngestError as exc:
        return Record.failed(_doc_id_of(item), source, exc.type, exc.message)
    except Exception as exc:  # an unexpected reader failure is still one record, not a crash
        return Record.failed(_doc_id_of(item), source, "ReadError", f"{source}: {type(exc).__name__}: {exc}")


def _doc_id_of(item: str | os.PathLike) -> str:
    try:
        with open(item, "rb") as handle:
            return doc_id_for(handle.read(Limits().max_bytes))
    except OSError:
        return doc_id_for(("path:" + str(item)).encode("utf-8", "surrogateescape"))


def load(model: str | os.PathLike | None = None, **options) -> Extractor:
    """`ogi_extract.load()` -> the bundled model (or rules when none is bundled); `load("rules")`; `load(path)`."""
    name = resolve_model(model)
    return Extractor(load_pipeline(name), Path(name).name if name != RULES else RULES, **options)
