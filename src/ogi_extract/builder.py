"""Predictions on a Doc -> one Record: reporting agency, year, format, indicators, tables and checks."""

from __future__ import annotations

import re

from .labels import INDICATORS
from .numbers import parse_quantity
from .record import Check, CountMention, Evidence, Indicator, Record, TableCell, TextSpan
from .reporting import resolve_agency, resolve_format, resolve_year
from .rules import CharSpan, find_zero_statements

# --- indicators ------------------------------------------------------------------------------------

# Which table cells give each harmonised indicator (2019/2021 tables and the old 附表).
TABLE_SOURCES: dict[str, list[list[str]]] = {
    "applications_received": [["t3.new_received.total"], ["legacy.apps.total"]],
    "applications_granted": [["t3.result.granted.total"], ["legacy.replies.granted"]],
    "applications_partially_granted": [["t3.result.partially_granted.total"], ["legacy.replies.partially_granted"]],
    "applications_denied": [
        [f"t3.result.denied.{k}.total" for k in (
            "state_secret", "prohibited_by_law", "security_stability", "third_party_rights",
            "internal_affairs", "process_info", "enforcement_file", "admin_query")],
        ["legacy.replies.denied_total"],
    ],
    "admin_reconsideration": [["t4.admin_review.total"], ["legacy.review.count"]],
    "admin_litigation": [["t4.litigation_direct.total", "t4.litigation_after_review.total"], ["legacy.litigation.count"]],
    "proactive_total": [["legacy.active.total"]],
}


def _from_table(tables: dict[str, TableCell], key: str) -> Indicator | None:
    for cell_keys in TABLE_SOURCES.get(key, []):
        cells = [tables.get(k) for k in cell_keys]
        if any(c is None for c in cells):
            continue
        values = [c.value for c in cells if c.value is not None]
        if not values:
            continue
        total = sum(values)
        evidence = [c.evidence for c in cells if c.evidence is not None]
        status = "reported" if len(values) == len(cells) else "partial"
        return Indicator(value=_tidy(total), unit="件", status=status, source="table", evidence=evidence)
    return None


# A proactive figure that is not the year's total on its own, but is when it is the only one (decision 7).
PROACTIVE_PARTS = ("proactive_by_channel", "proactive_by_category")
SINCE_THE_START = re.compile(r"历年|截至|截止|以来|至今|自.{0,12}起")
CLAUSE_START = re.compile(r"[。；;！？\n]")
YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
PORTAL = re.compile(r"网站|门户|网上|政务网|信息网|公开网|平台")


def _clause_before(text: str, start: int, reach: int = 120) -> str:
    window = max(0, start - reach)
    clause_start = max((m.end() for m in CLAUSE_START.finditer(text, window, start)), default=window)
    return text[clause_start:start]


def _within_the_year(text: str, start: int) -> bool:
    """`2018年全镇累计主动公开…300余条`: 累计 over one named year, not since the start."""
    clause = _clause_before(text, start)
    return bool(YEAR.search(clause)) and not SINCE_THE_START.search(clause)


def _only_proactive_figure(text: str, mentions: list[CountMention], report_format: str | None) -> Indicator | None:
    """Decision 7 of the guidelines: with no stated total, the one proactive figure of the year is the total —
    one channel, one category, or 累计 within the year. A 2019/2021 report also has table 2 by category, so
    there only a figure for the portal (`通过市政府门户网站公开政府信息12254条`) stands for the whole, never
    the gazette's or one category's."""
    parts = [c for c in mentions if c.value is not None and (c.indicator in PROACTIVE_PARTS or (
        c.indicator == "proactive_cumulative" and _within_the_year(text, c.start)))]
    if not parts or len({c.value for c in parts}) != 1:
        return None
    if report_format in ("2019", "2021") and not all(
            c.indicator == "proactive_by_channel" and PORTAL.search(_clause_before(text, c.start)) for c in parts):
        return None
    first = parts[0]
    return Indicator(value=first.value, unit=first.unit, status="only_figure",
                     evidence=[Evidence(text=c.text, start=c.start, end=c.end) for c in parts])


def _tidy(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


# "予以公开及部分公开42件", "不予公开等其他类型164件": one figure for several answers is the figure of none.
COMBINED = re.compile(r"(?:及|和|与|、|或)\s*部分公开[^，,。；]{0,4}$|等其他[^，,。；]{0,6}$|等[^，,。；]{0,4}类型[^，,。；]{0,2}$")


def _combined(text: str, count: CountMention) -> bool:
    return bool(COMBINED.search(text[max(0, count.start - 16):count.start]))


def build_indicators(text: str, counts: list[CountMention], tables: dict[str, TableCell],
                     report_format: str | None = None) -> tuple[dict[str, Indicator], dict[str, Indicator]]:
    """Harmonised indicators (table beats narrative) and what the narrative alone says."""
    indicators: dict[str, Indicator] = {}
    narrative: dict[str, Indicator] = {}
    for key in INDICATORS:
        mentions = [c for c in counts if c.indicator == key and c.value is not None and not _combined(text, c)]
        if mentions:
            # The headline figure of a kind is the largest one stated; smaller ones are its parts.
            best = max(mentions, key=lambda c: c.value)
            narrative[key] = Indicator(
                value=best.value, unit=best.unit, status="approximate" if best.approximate else "reported",
                evidence=[Evidence(text=best.text, start=best.start, end=best.end)],
            )
    for key, start, end in find_zero_statements(text):
        if key not in narrative:
            narrative[key] = Indicator(value=0, unit=None, status="zero_statement",
                                       evidence=[Evidence(text=text[start:end], start=start, end=end)])
    for key in INDICATORS:
        table_value = _from_table(tables, key)
        if table_value is not None:
            indicators[key] = table_value
            said = narrative.get(key)
            if said is not None and said.value == table_value.value:
                # The table gives the value; the sentence that says the same is shown first as evidence.
                table_value.evidence = said.evidence + table_value.evidence
                table_value.unit = said.unit or table_value.unit
                if said.status == "zero_statement":
                    table_value.status = "zero_statement"
        elif key in narrative:
            indicators[key] = narrative[key]
    if "proactive_total" not in indicators:
        # Inferred, not stated: a value for the record, never a narrative figure for check C7.
        only = _only_proactive_figure(text, counts, report_format)
        if only is not None:
            indicators["proactive_total"] = only
    return indicators, narrative


def count_mention(text: str, start: int, end: int, indicator: str) -> CountMention:
    quantity = parse_quantity(text[start:end])
    return CountMention(
        text=text[start:end], start=start, end=end, indicator=indicator,
        value=quantity.value if quantity else None, unit=quantity.unit if quantity else None,
        approximate=quantity.approximate if quantity else False,
    )


def _tidy_agencies(text: str, agencies: list[CharSpan]) -> list[CharSpan]:
    """Predicted agency names without the verbs or prepositions a model may take along ("由市教育局")."""
    from .rules import tidy_agency

    tidied = []
    for agency in agencies:
        cut = tidy_agency(text[agency.start:agency.end])
        if cut is not None and cut[1] > cut[0]:
            tidied.append(CharSpan(agency.start + cut[0], agency.start + cut[1], agency.label))
    return tidied


def build_record(
    text: str,
    *,
    title: str | None,
    agencies: list[CharSpan],
    counts: list[tuple[int, int, str]],
    problems: list[tuple[int, int]],
    measures: list[tuple[int, int]],
) -> Record:
    """Everything a report says, as one record (doc_id and source are filled in by the caller)."""
    from .tables import parse_tables
    from .checks import run_checks

    table_result = parse_tables(text)
    tables = {
        key: TableCell(value=cell.value, status=cell.status, evidence=Evidence(text=cell.text, start=cell.start, end=cell.end))
        for key, cell in table_result.cells.items()
    }
    mentions = [count_mention(text, s, e, ind) for s, e, ind in counts]
    year, _ = resolve_year(text, title)
    report_format = resolve_format(text, year, table_result.format)
    indicators, narrative = build_indicators(text, mentions, tables, report_format)
    narrative_values = {key: indicator.value for key, indicator in narrative.items()}
    checks = [Check(id=c.id, ok=c.ok, detail=c.detail) for c in run_checks(table_result.cells, narrative_values or None)]
    if table_result.notes:
        checks.append(Check(id="tables", ok=False, detail="; ".join(table_result.notes)))
    agencies = _tidy_agencies(text, agencies)
    return Record(
        doc_id="",
        source="",
        title=title,
        agency=resolve_agency(text, title, agencies),
        year=year,
        format=report_format,
        indicators=indicators,
        counts=mentions,
        problems=[TextSpan(text=text[s:e], start=s, end=e) for s, e in problems],
        measures=[TextSpan(text=text[s:e], start=s, end=e) for s, e in measures],
        agencies=[TextSpan(text=text[a.start:a.end], start=a.start, end=a.end) for a in agencies],
        tables=tables,
        checks=checks,
    )
