"""The record contract: one typed object per input report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .labels import INDICATORS

Status = Literal["ok", "error"]
ReportFormat = Literal["pre2019", "2019", "2021", "unknown"]
ValueStatus = Literal["reported", "zero_statement", "blank", "dash", "slash", "empty", "approximate", "ambiguous"]


class Evidence(BaseModel):
    text: str
    start: int
    end: int


class ErrorInfo(BaseModel):
    type: str
    message: str


class Agency(BaseModel):
    name: str
    start: int | None = None
    end: int | None = None


class Indicator(BaseModel):
    value: float | int | None
    unit: str | None = None
    status: str = "reported"
    source: Literal["table", "narrative"] = "narrative"
    evidence: list[Evidence] = Field(default_factory=list)


class CountMention(BaseModel):
    text: str
    value: float | int | None
    unit: str | None = None
    indicator: str = "other"
    approximate: bool = False
    start: int
    end: int


class TextSpan(BaseModel):
    text: str
    start: int
    end: int


class TableCell(BaseModel):
    value: float | int | None
    status: str
    evidence: Evidence | None = None


class Check(BaseModel):
    id: str
    ok: bool
    detail: str = ""


class Record(BaseModel):
    doc_id: str
    source: str
    status: Status = "ok"
    error: ErrorInfo | None = None
    title: str | None = None
    agency: Agency | None = None
    year: int | None = None
    format: ReportFormat = "unknown"
    indicators: dict[str, Indicator] = Field(default_factory=dict)
    counts: list[CountMention] = Field(default_factory=list)
    problems: list[TextSpan] = Field(default_factory=list)
    measures: list[TextSpan] = Field(default_factory=list)
    agencies: list[TextSpan] = Field(default_factory=list)
    tables: dict[str, TableCell] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    input_format: str | None = None
    encoding: str | None = None
    model: str | None = None
    text: str | None = Field(default=None, description="normalised text, only with --keep-text")

    @classmethod
    def failed(cls, doc_id: str, source: str, error_type: str, message: str, **extra) -> "Record":
        return cls(doc_id=doc_id, source=source, status="error", error=ErrorInfo(type=error_type, message=message), **extra)


def record_schema() -> dict:
    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ogi-extract record"
    schema.setdefault("properties", {})["indicators"]["description"] = (
        "harmonised indicators, keys: " + ", ".join(INDICATORS)
    )
    return schema
