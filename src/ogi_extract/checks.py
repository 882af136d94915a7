"""Consistency checks on parsed table cells (report-format.md §1.6).

``run_checks(cells, narrative)`` returns one ``CheckResult`` per check id:

* C1 - table 3, per column: ``new_received + carried_over_in == result.total + carried_forward_out``
* C2 - table 3, per column: the result rows sum to ``result.total``
* C3 - table 3, per row: the six applicant columns sum to ``total``
* C4 - table 4, per block: ``upheld + corrected + other + pending == total``
* C7 - narrative numbers (harmonised indicator -> value stated in the prose) equal the table

Missing inputs: a cell counts as known only when it holds a number (status ``reported`` or
``derived``); blank, dash, slash, 空 and ambiguous cells are unknown, never 0. A column, row or
block with an unknown input is skipped. **A check with nothing left to compare is not emitted**
(so an absent C4 means "not applicable", never "passed"). ``ok`` is False when any compared
column/row/block fails; ``detail`` lists the failures with their numbers
("natural_person: 23+0 != 22+0"), or, when all pass, how many were compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tables import T3_COLUMNS, T4_BLOCKS, T4_COLUMNS, Cell, t3_rows

__all__ = ["CheckResult", "run_checks", "NARRATIVE_TO_TABLE"]


@dataclass
class CheckResult:
    id: str
    ok: bool
    detail: str


# harmonised indicator -> table keys whose sum it should equal (first alternative that is known)
NARRATIVE_TO_TABLE: dict[str, list[list[str]]] = {
    "applications_received": [["t3.new_received.total"], ["legacy.apps.total"]],
    "applications_granted": [["t3.result.granted.total"], ["legacy.replies.granted"]],
    "applications_partially_granted": [["t3.result.partially_granted.total"], ["legacy.replies.partially_granted"]],
    "applications_denied": [[f"t3.result.denied.{k}.total" for k in (
        "state_secret", "prohibited_by_law", "security_stability", "third_party_rights",
        "internal_affairs", "process_info", "enforcement_file", "admin_query")], ["legacy.replies.denied_total"]],
    "applications_pending": [["t3.carried_forward_out.total"]],
    "admin_reconsideration": [["t4.admin_review.total"], ["legacy.review.count"]],
    "admin_litigation": [["t4.litigation_direct.total", "t4.litigation_after_review.total"], ["legacy.litigation.count"]],
    "proactive_total": [["legacy.active.total"]],
}


def _val(cells: dict[str, Cell], key: str):
    c = cells.get(key)
    if c is None or c.status not in ("reported", "derived") or c.value is None:
        return None
    return c.value


def _fmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _result(cid: str, compared: int, failures: list[str], unit: str) -> CheckResult | None:
    if not compared:
        return None
    if failures:
        return CheckResult(cid, False, "; ".join(failures))
    return CheckResult(cid, True, f"{compared} {unit}{'s' if compared != 1 else ''} agree")


def _t3_format(cells: dict[str, Cell]) -> str:
    return "2021" if any(k.startswith("t3.result.other.") for k in cells) else "2019"


def _c1(cells) -> CheckResult | None:
    compared, failures = 0, []
    for col in T3_COLUMNS:
        a, b, c, d = (_val(cells, f"t3.{r}.{col}") for r in ("new_received", "carried_over_in", "result.total", "carried_forward_out"))
        if None in (a, b, c, d):
            continue
        compared += 1
        if a + b != c + d:
            failures.append(f"{col}: {_fmt(a)}+{_fmt(b)} != {_fmt(c)}+{_fmt(d)}")
    return _result("C1", compared, failures, "column")


def _c2(cells) -> CheckResult | None:
    rows = [r for r in t3_rows(_t3_format(cells)) if r.startswith("result.") and r != "result.total"]
    compared, failures = 0, []
    for col in T3_COLUMNS:
        total = _val(cells, f"t3.result.total.{col}")
        parts = [_val(cells, f"t3.{r}.{col}") for r in rows]
        if total is None or None in parts:
            continue
        compared += 1
        if sum(parts) != total:
            failures.append(f"{col}: sum of result rows {_fmt(sum(parts))} != 总计 {_fmt(total)}")
    return _result("C2", compared, failures, "column")


def _c3(cells) -> CheckResult | None:
    compared, failures = 0, []
    for row in t3_rows(_t3_format(cells)):
        vals = [_val(cells, f"t3.{row}.{col}") for col in T3_COLUMNS]
        if None in vals:
            continue
        compared += 1
        if sum(vals[:-1]) != vals[-1]:
            failures.append(f"{row}: {'+'.join(_fmt(v) for v in vals[:-1])} != {_fmt(vals[-1])}")
    return _result("C3", compared, failures, "row")


def _c4(cells) -> CheckResult | None:
    compared, failures = 0, []
    for block in T4_BLOCKS:
        vals = [_val(cells, f"t4.{block}.{col}") for col in T4_COLUMNS]
        if None in vals:
            continue
        compared += 1
        if sum(vals[:-1]) != vals[-1]:
            failures.append(f"{block}: {'+'.join(_fmt(v) for v in vals[:-1])} != {_fmt(vals[-1])}")
    return _result("C4", compared, failures, "block")


def _c7(cells, narrative: dict[str, int] | None) -> CheckResult | None:
    if not narrative:
        return None
    compared, failures = 0, []
    for indicator, stated in narrative.items():
        for keys in NARRATIVE_TO_TABLE.get(indicator, []):
            vals = [_val(cells, k) for k in keys]
            if None in vals:
                continue
            compared += 1
            table_value = sum(vals)
            if table_value != stated:
                failures.append(f"{indicator}: text {_fmt(stated)} != table {_fmt(table_value)}")
            break
    return _result("C7", compared, failures, "indicator")


def run_checks(cells: dict[str, Cell], narrative: dict[str, int] | None = None) -> list[CheckResult]:
    """Run C1, C2, C3, C4 and C7; see the module docstring for how missing inputs are handled."""
    out = [_c1(cells), _c2(cells), _c3(cells), _c4(cells), _c7(cells, narrative)]
    return [r for r in out if r is not None]
